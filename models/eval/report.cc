#include "eval/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace vitrine::eval {
namespace {

constexpr int kChartCutoff = 20;

double percent(double fraction) {
  return 100.0 * fraction;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

MetricValues values_at(const MethodResult& m, int k) {
  Result<MetricValues> v = m.metrics.at(k);
  return v.ok() ? v.value() : MetricValues{};
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

Status write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status(StatusCode::kBAD_INPUT, path.string() + ": cannot open for writing");
  f << text;
  f.close();
  if (!f) return Status(StatusCode::kBAD_INPUT, path.string() + ": write failed");
  return Status::ok_status();
}

}  // namespace

nlohmann::ordered_json summary_json(const EvalSummary& s) {
  nlohmann::ordered_json j;
  j["dataset"] = s.dataset;
  j["train"] = s.train_path;
  j["test"] = s.test_path;
  j["train_sessions"] = s.train_sessions;
  j["catalog_size"] = s.catalog_size;
  j["test_examples_in_file"] = s.test_examples_in_file;
  j["examples"] = s.examples;
  j["repeat_share"] = s.repeat_share;
  j["threads"] = s.threads;
  j["metrics"] = "fractions in [0, 1]; full ranking over the catalog; rank = 1 + items scored strictly higher";
  nlohmann::ordered_json methods = nlohmann::ordered_json::object();
  for (const MethodResult& m : s.methods) {
    nlohmann::ordered_json e;
    e["name"] = m.name;
    const std::vector<MetricValues> report = m.metrics.report();
    for (const MetricValues& v : report) e["hr@" + std::to_string(v.k)] = v.hit_rate;
    for (const MetricValues& v : report) e["mrr@" + std::to_string(v.k)] = v.mrr;
    for (const MetricValues& v : report) e["ndcg@" + std::to_string(v.k)] = v.ndcg;
    e["examples"] = m.metrics.count();
    e["tied_examples"] = m.metrics.tied_examples();
    e["seconds"] = m.fit_seconds + m.eval_seconds;
    e["fit_seconds"] = m.fit_seconds;
    e["eval_seconds"] = m.eval_seconds;
    if (m.model_bytes >= 0) e["model_bytes"] = m.model_bytes;
    methods[m.key] = std::move(e);
  }
  j["methods"] = std::move(methods);
  if (!s.conversion.is_null()) j["conversion"] = s.conversion;
  if (!s.index.is_null()) j["index"] = s.index;
  return j;
}

static std::string format_conversion_table(const nlohmann::ordered_json& conversion) {
  std::ostringstream out;
  const auto pair = [&](const nlohmann::ordered_json& m) {
    const auto number = [](const nlohmann::ordered_json& x) {
      return x.is_number() && std::isfinite(x.get<double>()) ? fixed(x.get<double>(), 3) : std::string("-");
    };
    return number(m["auc"]) + " +-" + number(m["auc_standard_error"]) + " / " + number(m["log_loss"]);
  };
  out << "\nconversion head: AUC / log loss over " << conversion["examples"].get<int64_t>()
      << " showings (carted / bought later in the visit)\n";
  out << "output       positives                model            item rate      already in cart\n";
  for (const char* name : {"add_to_cart", "purchase"}) {
    if (!conversion.contains(name)) continue;
    const auto& o = conversion[name];
    std::string row = name;
    row.resize(13, ' ');
    std::string positives = std::to_string(o["positives"].get<int64_t>());
    out << row << std::string(9 - std::min<size_t>(9, positives.size()), ' ') << positives << "  " << pair(o["model"])
        << "  " << pair(o["item_rate"]) << "  " << pair(o["in_cart"]) << "\n";
  }
  return out.str();
}

std::string format_table(const EvalSummary& s) {
  std::ostringstream out;
  size_t name_width = 6;
  for (const MethodResult& m : s.methods) name_width = std::max(name_width, m.name.size());
  auto pad = [](const std::string& text, size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
  };
  std::string name_header = "method";
  out << name_header << std::string(name_width - name_header.size(), ' ');
  for (const char* metric : {"HR", "MRR", "NDCG"}) {
    for (int k : kReportCutoffs) out << pad(std::string(metric) + "@" + std::to_string(k), 9);
  }
  out << pad("time s", 9) << "\n";
  for (const MethodResult& m : s.methods) {
    out << m.name << std::string(name_width - m.name.size(), ' ');
    for (int metric = 0; metric < 3; ++metric) {
      for (int k : kReportCutoffs) {
        const MetricValues v = values_at(m, k);
        const double x = metric == 0 ? v.hit_rate : metric == 1 ? v.mrr : v.ndcg;
        out << pad(fixed(percent(x), 2), 9);
      }
    }
    out << pad(fixed(m.fit_seconds + m.eval_seconds, 1), 9) << "\n";
  }
  out << "(percent; " << s.examples << " examples, full ranking over " << s.catalog_size << " items)\n";
  if (!s.conversion.is_null()) out << format_conversion_table(s.conversion);
  return out.str();
}

std::string chart_svg(const EvalSummary& s) {
  const double plot_h = 240, top = 40, left = 56, group_w = 120, bar_w = 40;
  const double plot_w = group_w * static_cast<double>(std::max<size_t>(s.methods.size(), 1));
  const double width = left + plot_w + 20, height = top + plot_h + 60;
  double max_value = 0;
  for (const MethodResult& m : s.methods) {
    const MetricValues v = values_at(m, kChartCutoff);
    max_value = std::max({max_value, percent(v.hit_rate), percent(v.mrr)});
  }
  // Axis top: the next multiple of 10 percent, so gridlines land on round numbers.
  const double axis_max = std::max(10.0, std::ceil(max_value / 10.0) * 10.0);
  auto y_of = [&](double value) { return top + plot_h - plot_h * value / axis_max; };
  const char* colors[2] = {"#2f6db5", "#e08a2c"};

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
    << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "  <title>HR@20 and MRR@20 (%) on " << xml_escape(s.dataset) << "</title>\n";
  o << "  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "  <text x=\"" << left << "\" y=\"20\" font-size=\"14\">HR@20 and MRR@20 (%), " << xml_escape(s.dataset) << ", "
    << s.examples << " examples</text>\n";
  for (int g = 0; g <= 5; ++g) {
    const double v = axis_max * g / 5.0;
    const double y = y_of(v);
    o << "  <line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << y << "\" y2=\"" << y
      << "\" stroke=\"#ddd\"/>\n";
    o << "  <text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << fixed(v, 0) << "</text>\n";
  }
  for (size_t i = 0; i < s.methods.size(); ++i) {
    const MethodResult& m = s.methods[i];
    const MetricValues v = values_at(m, kChartCutoff);
    const double values[2] = {percent(v.hit_rate), percent(v.mrr)};
    const double x0 = left + group_w * static_cast<double>(i) + (group_w - 2 * bar_w) / 2;
    for (int b = 0; b < 2; ++b) {
      const double x = x0 + bar_w * b, y = y_of(values[b]);
      o << "  <rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << bar_w - 4 << "\" height=\"" << top + plot_h - y
        << "\" fill=\"" << colors[b] << "\"/>\n";
      o << "  <text x=\"" << x + (bar_w - 4) / 2 << "\" y=\"" << y - 4 << "\" text-anchor=\"middle\">"
        << fixed(values[b], 2) << "</text>\n";
    }
    o << "  <text x=\"" << left + group_w * (static_cast<double>(i) + 0.5) << "\" y=\"" << top + plot_h + 18
      << "\" text-anchor=\"middle\">" << xml_escape(m.name) << "</text>\n";
  }
  o << "  <line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << top + plot_h << "\" y2=\""
    << top + plot_h << "\" stroke=\"#333\"/>\n";
  const double legend_y = top + plot_h + 42;
  const char* labels[2] = {"HR@20", "MRR@20"};
  for (int b = 0; b < 2; ++b) {
    const double x = left + 110.0 * b;
    o << "  <rect x=\"" << x << "\" y=\"" << legend_y - 10 << "\" width=\"12\" height=\"12\" fill=\"" << colors[b]
      << "\"/>\n";
    o << "  <text x=\"" << x + 18 << "\" y=\"" << legend_y << "\">" << labels[b] << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string report_markdown(const EvalSummary& s) {
  std::ostringstream o;
  o << "# Evaluation: " << md_escape(s.dataset) << "\n\n";
  o << "- training sessions: `" << md_escape(s.train_path) << "` (" << s.train_sessions << " sessions, catalog "
    << s.catalog_size << " items)\n";
  o << "- test examples: `" << md_escape(s.test_path) << "` (" << s.examples << " evaluated of "
    << s.test_examples_in_file << ")\n";
  o << "- repeat share: " << std::fixed << std::setprecision(1) << 100.0 * s.repeat_share
    << "% of the evaluated examples have a label that already occurs in their prefix\n";
  o.unsetf(std::ios::floatfield);
  o << "- full ranking over the catalog; rank = 1 + items scored strictly higher; metrics in percent\n\n";
  o << "![HR@20 and MRR@20 per method](chart.svg)\n\n";
  o << "| method |";
  for (const char* metric : {"HR", "MRR", "NDCG"}) {
    for (int k : kReportCutoffs) o << " " << metric << "@" << k << " |";
  }
  o << " time (s) | tied examples |\n|---|";
  for (size_t i = 0; i < 3 * std::size(kReportCutoffs) + 2; ++i) o << "---:|";
  o << "\n";
  for (const MethodResult& m : s.methods) {
    o << "| " << md_escape(m.name) << " |";
    for (int metric = 0; metric < 3; ++metric) {
      for (int k : kReportCutoffs) {
        const MetricValues v = values_at(m, k);
        o << " " << fixed(percent(metric == 0 ? v.hit_rate : metric == 1 ? v.mrr : v.ndcg), 2) << " |";
      }
    }
    o << " " << fixed(m.fit_seconds + m.eval_seconds, 1) << " | " << m.metrics.tied_examples() << " |\n";
  }
  bool any_model = false;
  for (const MethodResult& m : s.methods) {
    if (m.model_bytes >= 0) {
      if (!any_model) o << "\n";
      any_model = true;
      o << "- model file of " << md_escape(m.name) << ": " << m.model_bytes << " bytes\n";
    }
  }
  o << "\nBaselines: POP ranks by training popularity; S-POP by count in the prefix, then popularity; "
       "Markov-1 by transitions from the last item, then popularity; Item-KNN by summed regularised cosine "
       "similarity to the prefix items, then popularity (models/eval/baselines.h has the exact definitions).\n";
  return o.str();
}

Status write_report(const EvalSummary& s, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(StatusCode::kBAD_INPUT, dir + ": cannot create directory: " + ec.message());
  const std::filesystem::path base(dir);
  VITRINE_RETURN_IF_ERROR(write_file(base / "summary.json", summary_json(s).dump(2) + "\n"));
  VITRINE_RETURN_IF_ERROR(write_file(base / "chart.svg", chart_svg(s)));
  VITRINE_RETURN_IF_ERROR(write_file(base / "report.md", report_markdown(s)));
  return Status::ok_status();
}

}  // namespace vitrine::eval
