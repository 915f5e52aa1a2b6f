// `vitrine uplift`: conversion and revenue per holdout arm, de-biased from the private outcome reports that
// devices send (data-report, js/src/report.mjs), with 95% intervals and the privacy budget the reports spent.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "eval/outcome_reports.h"
#include "flags.h"

namespace vitrine::cli {
namespace {

// The usage lines and what the command does; each flag's help is declared with the flag in run_uplift.
const char kUpliftHelp[] =
    "usage: vitrine uplift --reports REPORTS.jsonl [--json]\n"
    "       vitrine uplift --buckets\n"
    "\n"
    "Reads the outcome reports a shop's endpoint collected (one JSON object per line, as devices send them to\n"
    "data-report) and prints, per holdout arm, the share of shopper-days with a purchase and the bucketed revenue\n"
    "per shopper-day, each de-biased from randomized response, with 95% intervals, and the difference on - off.\n"
    "Reports that are not valid are counted, the first few shown with their line numbers, and left out.\n";
const char kUpliftFooter[] = "Exit codes: 0 success, 1 a file is missing or malformed, 2 usage error.";

constexpr int kBadLinesShown = 5;

nlohmann::json interval_json(const eval::Interval& i) {
  return {{"estimate", i.estimate}, {"low", i.low}, {"high", i.high}};
}

nlohmann::json arm_json(const eval::ArmOutcome& a) {
  return {{"reports", a.reports}, {"conversion", interval_json(a.conversion)}, {"revenue", interval_json(a.revenue)}};
}

double relative(double difference, double base) {
  return base != 0 ? difference / base : 0;
}

void print_text(const eval::UpliftEstimate& u, size_t read, size_t refused) {
  std::printf("reports: %zu read, %zu refused; arm on %zu, arm off %zu\n", read, refused, u.on.reports, u.off.reports);
  std::printf("privacy: at most epsilon %.3g per report (both outcomes), %.3g per device per week (%d reports)\n",
              u.epsilon_per_report, u.epsilon_per_week, eval::kMaxReportsPerWeek);
  std::printf("%-6s %9s  %-32s %s\n", "arm", "reports", "conversion [95%]", "revenue per shopper-day [95%]");
  for (const auto& [name, arm] : {std::pair{"on", &u.on}, std::pair{"off", &u.off}}) {
    std::printf("%-6s %9zu  %.4f [%.4f, %.4f]         %.3f [%.3f, %.3f]\n", name, arm->reports,
                arm->conversion.estimate, arm->conversion.low, arm->conversion.high, arm->revenue.estimate,
                arm->revenue.low, arm->revenue.high);
  }
  const auto& c = u.conversion_difference;
  const auto& r = u.revenue_difference;
  std::printf("on - off: conversion %+.4f [%+.4f, %+.4f] (%+.1f%%), revenue %+.3f [%+.3f, %+.3f] (%+.1f%%)\n",
              c.estimate, c.low, c.high, 100 * relative(c.estimate, u.off.conversion.estimate), r.estimate, r.low,
              r.high, 100 * relative(r.estimate, u.off.revenue.estimate));
}

}  // namespace

int run_uplift(int argc, char** argv) {
  std::string reports_path;
  bool json = false, buckets = false;
  CLI::App app{kUpliftHelp, "vitrine uplift"};
  configure_command_app(app, kUpliftFooter, 19);
  CLI::Option* reports_flag =
      add_text(app, "--reports", &reports_path, "the reports, JSON lines (required, but for --buckets)");
  CLI::Option* json_flag = app.add_flag("--json", json, "print the result as one JSON object");
  app.add_flag("--buckets", buckets, "print the revenue buckets (upper bounds, values) as JSON and exit")
      ->excludes(reports_flag)
      ->excludes(json_flag);
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;
  if (buckets) {
    std::printf("%s\n", nlohmann::json{{"upper", eval::kRevenueBucketUpper},
                                       {"value", eval::kRevenueBucketValue},
                                       {"version", eval::kReportVersion}}
                            .dump()
                            .c_str());
    return 0;
  }
  if (reports_path.empty()) return usage_error(app, "--reports is required");
  std::ifstream in(reports_path);
  if (!in) return command_error("uplift", reports_path + ": cannot open", 1);

  std::vector<eval::OutcomeReport> reports;
  size_t read = 0, refused = 0, line_number = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++read;
    eval::OutcomeReport r;
    const std::string problem = eval::parse_outcome_report(line, r);
    if (problem.empty()) {
      reports.push_back(r);
      continue;
    }
    if (++refused <= kBadLinesShown)
      std::fprintf(stderr, "vitrine uplift: %s:%zu: refused: %s\n", reports_path.c_str(), line_number, problem.c_str());
  }
  if (in.bad()) return command_error("uplift", reports_path + ": read error", 1);
  if (refused > kBadLinesShown) std::fprintf(stderr, "vitrine uplift: %zu reports refused in all\n", refused);

  const eval::UpliftEstimate u = eval::estimate_uplift(reports);
  if (u.on.reports < 2 || u.off.reports < 2)
    return command_error("uplift",
                         "each arm needs at least two valid reports (on " + std::to_string(u.on.reports) + ", off " +
                             std::to_string(u.off.reports) + ")",
                         1);
  if (!json) {
    print_text(u, read, refused);
    return 0;
  }
  const nlohmann::json out = {
      {"reports", {{"read", read}, {"refused", refused}}},
      {"epsilon", {{"per_report", u.epsilon_per_report}, {"per_week", u.epsilon_per_week}}},
      {"on", arm_json(u.on)},
      {"off", arm_json(u.off)},
      {"difference",
       {{"conversion", interval_json(u.conversion_difference)}, {"revenue", interval_json(u.revenue_difference)}}},
      {"relative",
       {{"conversion", relative(u.conversion_difference.estimate, u.off.conversion.estimate)},
        {"revenue", relative(u.revenue_difference.estimate, u.off.revenue.estimate)}}},
  };
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace vitrine::cli
