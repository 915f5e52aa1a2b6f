// Private outcome reports and the uplift a merchant reads from them (`vitrine uplift`).
//
// A shopper's device sends at most one report a day (js/src/report.mjs): its holdout arm in the clear (a random
// draw, not behaviour), and two outcomes of one day, each through randomized response with its own epsilon:
//   converted  0 or 1: kept with probability e^eps / (1 + e^eps), else flipped;
//   revenue    a bucket of kRevenueBucketUpper: kept with probability e^eps / (e^eps + k - 1), else one of the
//              other k - 1 buckets uniformly.
// Every report is then turned into an unbiased score of its outcome (its expectation over the randomization is
// the true outcome), so an arm's mean score estimates the arm's mean outcome and its sample variance gives the
// interval. No report carries an identifier, an item or a time finer than the day.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vitrine::eval {

// Revenue buckets of one shopper-day, in the shop's currency: bucket 0 is no revenue, bucket i (1..6) is revenue
// up to kRevenueBucketUpper[i] (the last has no bound). Shared with js/src/report.mjs (tests/js/outcome_reports
// checks both tables against `vitrine uplift --buckets`).
inline constexpr std::array<double, 7> kRevenueBucketUpper = {0, 25, 50, 100, 200, 500, -1};
// The value a bucket stands for in revenue estimates: the middle of its range, 750 for the open top bucket. The
// estimate is of this bucketed revenue, not of the exact amounts, which never leave the device.
inline constexpr std::array<double, 7> kRevenueBucketValue = {0, 12.5, 37.5, 75, 150, 350, 750};
inline constexpr int kReportVersion = 1;
inline constexpr int kMaxReportsPerWeek = 7;  // one a day, by the device's own schedule

struct OutcomeReport {
  bool arm_on = true;
  int converted = 0;       // as reported (randomized)
  int revenue_bucket = 0;  // as reported (randomized)
  double epsilon_converted = 0;
  double epsilon_revenue = 0;
};

// Parses one report as sent (JSON): {"v":1,"day":"YYYY-MM-DD","arm":"on"|"off","converted":0|1,"revenue":0..6,
// "epsilon":{"converted":e,"revenue":e}} with 0 < e <= 10. Returns "" and fills `out`, or says what is wrong.
std::string parse_outcome_report(std::string_view line, OutcomeReport& out);

// Unbiased scores of one report's outcomes (see the top of this file).
double debiased_conversion(int reported, double epsilon);
double debiased_revenue(int reported_bucket, double epsilon);

struct Interval {
  double estimate = 0, low = 0, high = 0;
};

struct ArmOutcome {
  size_t reports = 0;
  Interval conversion;  // share of shopper-days with a purchase
  Interval revenue;     // bucketed revenue per shopper-day
};

struct UpliftEstimate {
  ArmOutcome on, off;
  Interval conversion_difference;  // on - off
  Interval revenue_difference;
  double epsilon_per_report = 0;  // the largest a report spent (both outcomes)
  double epsilon_per_week = 0;    // kMaxReportsPerWeek reports at that epsilon
};

// Normal-approximation intervals at the given two-sided z (1.96: 95%). An arm with fewer than two reports has
// intervals of zero width at 0 and should not be read; `vitrine uplift` refuses to print it.
UpliftEstimate estimate_uplift(const std::vector<OutcomeReport>& reports, double z = 1.959963984540054);

}  // namespace vitrine::eval
