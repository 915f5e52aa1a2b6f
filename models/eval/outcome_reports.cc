#include "eval/outcome_reports.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace vitrine::eval {
namespace {

constexpr double kMaxEpsilon = 10;
constexpr int kBuckets = static_cast<int>(kRevenueBucketValue.size());

bool is_day(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::string read_epsilon(const nlohmann::json& eps, const char* field, double& out) {
  if (!eps.contains(field) || !eps[field].is_number()) return std::string("epsilon.") + field + " is missing";
  out = eps[field].get<double>();
  if (!(out > 0 && out <= kMaxEpsilon)) return std::string("epsilon.") + field + " is not in (0, 10]";
  return "";
}

struct Accumulator {
  size_t n = 0;
  double sum = 0, sum_sq = 0;
  void add(double x) {
    ++n;
    sum += x;
    sum_sq += x * x;
  }
  double mean() const { return n ? sum / static_cast<double>(n) : 0; }
  // Variance of the mean (sample variance / n).
  double mean_variance() const {
    if (n < 2) return 0;
    const double m = mean();
    const double var = (sum_sq - static_cast<double>(n) * m * m) / static_cast<double>(n - 1);
    return std::max(0.0, var) / static_cast<double>(n);
  }
};

Interval interval(double estimate, double variance, double z) {
  const double half = z * std::sqrt(variance);
  return {estimate, estimate - half, estimate + half};
}

}  // namespace

std::string parse_outcome_report(std::string_view line, OutcomeReport& out) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "not JSON";
  if (!j.is_object()) return "not a JSON object";
  if (!j.contains("v") || j["v"] != kReportVersion) return "v is not " + std::to_string(kReportVersion);
  if (!j.contains("day") || !j["day"].is_string() || !is_day(j["day"].get<std::string>()))
    return "day is not YYYY-MM-DD";
  if (!j.contains("arm") || (j["arm"] != "on" && j["arm"] != "off")) return "arm is not \"on\" or \"off\"";
  if (!j.contains("converted") || !j["converted"].is_number_integer() || (j["converted"] != 0 && j["converted"] != 1))
    return "converted is not 0 or 1";
  if (!j.contains("revenue") || !j["revenue"].is_number_integer() || j["revenue"].get<long>() < 0 ||
      j["revenue"].get<long>() >= kBuckets)
    return "revenue is not a bucket 0.." + std::to_string(kBuckets - 1);
  if (!j.contains("epsilon") || !j["epsilon"].is_object()) return "epsilon is missing";
  OutcomeReport r;
  if (auto e = read_epsilon(j["epsilon"], "converted", r.epsilon_converted); !e.empty()) return e;
  if (auto e = read_epsilon(j["epsilon"], "revenue", r.epsilon_revenue); !e.empty()) return e;
  r.arm_on = j["arm"] == "on";
  r.converted = j["converted"].get<int>();
  r.revenue_bucket = j["revenue"].get<int>();
  out = r;
  return "";
}

double debiased_conversion(int reported, double epsilon) {
  const double keep = std::exp(epsilon) / (1 + std::exp(epsilon));
  return (reported - (1 - keep)) / (2 * keep - 1);
}

double debiased_revenue(int reported_bucket, double epsilon) {
  const double e = std::exp(epsilon);
  const double keep = e / (e + kBuckets - 1), other = 1 / (e + kBuckets - 1);
  double total = 0;
  for (double v : kRevenueBucketValue) total += v;
  return (kRevenueBucketValue[static_cast<size_t>(reported_bucket)] - other * total) / (keep - other);
}

UpliftEstimate estimate_uplift(const std::vector<OutcomeReport>& reports, double z) {
  Accumulator conversion[2], revenue[2];  // [off, on]
  UpliftEstimate u;
  for (const OutcomeReport& r : reports) {
    conversion[r.arm_on].add(debiased_conversion(r.converted, r.epsilon_converted));
    revenue[r.arm_on].add(debiased_revenue(r.revenue_bucket, r.epsilon_revenue));
    u.epsilon_per_report = std::max(u.epsilon_per_report, r.epsilon_converted + r.epsilon_revenue);
  }
  u.epsilon_per_week = kMaxReportsPerWeek * u.epsilon_per_report;
  ArmOutcome* arms[2] = {&u.off, &u.on};
  for (int a = 0; a < 2; ++a) {
    arms[a]->reports = conversion[a].n;
    arms[a]->conversion = interval(conversion[a].mean(), conversion[a].mean_variance(), z);
    arms[a]->revenue = interval(revenue[a].mean(), revenue[a].mean_variance(), z);
  }
  // The arms are independent samples: the variances of their means add.
  u.conversion_difference = interval(conversion[1].mean() - conversion[0].mean(),
                                     conversion[0].mean_variance() + conversion[1].mean_variance(), z);
  u.revenue_difference =
      interval(revenue[1].mean() - revenue[0].mean(), revenue[0].mean_variance() + revenue[1].mean_variance(), z);
  return u;
}

}  // namespace vitrine::eval
