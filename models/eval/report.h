// What `vitrine eval` prints and writes: a text table, summary.json, report.md and chart.svg.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "vitrine/status.h"

namespace vitrine::eval {

struct EvalSummary {
  std::string dataset;
  std::string train_path;
  std::string test_path;
  int64_t train_sessions = 0;
  int64_t catalog_size = 0;
  int64_t test_examples_in_file = 0;
  int64_t examples = 0;  // evaluated (after --limit)
  // Of the evaluated examples, the share whose label already occurs in its prefix: how much shoppers come back to
  // items, which decides how strong S-POP is.
  double repeat_share = 0.0;
  int threads = 1;
  std::vector<MethodResult> methods;
  // The conversion head's measures (models/train/conversion_fit.h evaluate_conversion), or null.
  nlohmann::ordered_json conversion;
  // With --index: how the catalog index served the model's top-K (model_scorer.h IndexStats), or null.
  nlohmann::ordered_json index;
};

// Metrics are fractions in [0, 1] under "hr@5" ... "ndcg@20"; methods keyed by their stable key, in run order.
nlohmann::ordered_json summary_json(const EvalSummary& summary);
// Fixed-width, metrics in percent.
std::string format_table(const EvalSummary& summary);
// Hand-written SVG bar chart: HR@20 and MRR@20 (percent) per method.
std::string chart_svg(const EvalSummary& summary);
// Markdown report that shows chart.svg from the same directory.
std::string report_markdown(const EvalSummary& summary);
// Creates dir if needed and writes report.md, chart.svg and summary.json into it.
Status write_report(const EvalSummary& summary, const std::string& dir);

}  // namespace vitrine::eval
