// The private outcome reports' estimator (models/eval/outcome_reports.h): every report's score is unbiased for
// its true outcome, exactly, over the randomization; reports are parsed strictly; the intervals are those of a
// difference of independent means.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "eval/outcome_reports.h"

using namespace vitrine::eval;

namespace {

// P(reported | true) of randomized response, written from its definition (not from the estimator's code).
double bit_probability(int reported, int truth, double eps) {
  const double keep = std::exp(eps) / (1 + std::exp(eps));
  return reported == truth ? keep : 1 - keep;
}

double bucket_probability(int reported, int truth, double eps) {
  const double k = static_cast<double>(kRevenueBucketValue.size());
  const double keep = std::exp(eps) / (std::exp(eps) + k - 1);
  return reported == truth ? keep : (1 - keep) / (k - 1);
}

std::string report(const char* arm, int converted, int revenue, double eps = 1) {
  return std::string("{\"v\":1,\"day\":\"2026-12-05\",\"arm\":\"") + arm +
         "\",\"converted\":" + std::to_string(converted) + ",\"revenue\":" + std::to_string(revenue) +
         ",\"epsilon\":{\"converted\":" + std::to_string(eps) + ",\"revenue\":" + std::to_string(eps) + "}}";
}

}  // namespace

TEST_CASE("a report's conversion score has the true outcome as its expectation, at every epsilon") {
  for (double eps : {0.1, 0.5, 1.0, 2.0, 5.0, 10.0}) {
    for (int truth : {0, 1}) {
      double expected = 0;
      for (int reported : {0, 1})
        expected += bit_probability(reported, truth, eps) * debiased_conversion(reported, eps);
      CAPTURE(eps, truth);
      CHECK(expected == Approx(truth).margin(1e-9));
    }
  }
}

TEST_CASE("a report's revenue score has the true bucket's value as its expectation, at every epsilon") {
  const int k = static_cast<int>(kRevenueBucketValue.size());
  for (double eps : {0.1, 1.0, 3.0, 10.0}) {
    for (int truth = 0; truth < k; ++truth) {
      double expected = 0;
      for (int reported = 0; reported < k; ++reported)
        expected += bucket_probability(reported, truth, eps) * debiased_revenue(reported, eps);
      CAPTURE(eps, truth);
      CHECK(expected == Approx(kRevenueBucketValue[static_cast<size_t>(truth)]).margin(1e-6));
    }
  }
}

TEST_CASE("reports are parsed strictly, each refusal says what is wrong") {
  OutcomeReport r;
  CHECK(parse_outcome_report(report("off", 1, 6, 0.5), r).empty());
  CHECK_FALSE(r.arm_on);
  CHECK(r.converted == 1);
  CHECK(r.revenue_bucket == 6);
  CHECK(r.epsilon_converted == 0.5);
  const std::pair<std::string, const char*> bad[] = {
      {"{", "not JSON"},
      {"[]", "not a JSON object"},
      {"{\"v\":2}", "v is not 1"},
      {report("maybe", 0, 0), "arm"},
      {report("on", 2, 0), "converted"},
      {report("on", 0, 7), "revenue"},
      {report("on", 0, -1), "revenue"},
      {report("on", 0, 0, 0), "epsilon.converted is not in (0, 10]"},
      {report("on", 0, 0, 11), "epsilon.converted is not in (0, 10]"},
      {"{\"v\":1,\"day\":\"yesterday\",\"arm\":\"on\",\"converted\":0,\"revenue\":0,\"epsilon\":{}}", "day"},
      {"{\"v\":1,\"day\":\"2026-12-05\",\"arm\":\"on\",\"converted\":0,\"revenue\":0}", "epsilon is missing"},
  };
  for (const auto& [line, problem] : bad) {
    CAPTURE(line);
    CHECK_THAT(parse_outcome_report(line, r), Catch::Contains(problem));
  }
}

TEST_CASE("estimate_uplift: per-arm means of the scores, and a difference whose variance is the sum of the arms'") {
  std::vector<OutcomeReport> reports;
  const double eps = 2;
  // on: 3 of 4 reported converted; off: 1 of 4.
  for (int c : {1, 1, 1, 0}) reports.push_back({true, c, 0, eps, eps});
  for (int c : {1, 0, 0, 0}) reports.push_back({false, c, 0, eps, eps});
  const UpliftEstimate u = estimate_uplift(reports);
  const double s1 = debiased_conversion(1, eps), s0 = debiased_conversion(0, eps);
  const double on_mean = (3 * s1 + s0) / 4, off_mean = (s1 + 3 * s0) / 4;
  CHECK(u.on.reports == 4);
  CHECK(u.off.reports == 4);
  CHECK(u.on.conversion.estimate == Approx(on_mean));
  CHECK(u.off.conversion.estimate == Approx(off_mean));
  // Sample variance of {s1, s1, s1, s0}: (s1 - s0)^2 * 3/16 * 4/3 = (s1 - s0)^2 / 4; of the mean: / 4.
  const double arm_variance = (s1 - s0) * (s1 - s0) / 16;
  const double half = 1.959963984540054 * std::sqrt(2 * arm_variance);
  CHECK(u.conversion_difference.estimate == Approx(on_mean - off_mean));
  CHECK(u.conversion_difference.high - u.conversion_difference.estimate == Approx(half));
  CHECK(u.epsilon_per_report == Approx(2 * eps));
  CHECK(u.epsilon_per_week == Approx(kMaxReportsPerWeek * 2 * eps));
}
