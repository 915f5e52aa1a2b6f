// Metrics against the definitions computed directly, one example at a time, on random ranks and scores.
#include "vitrine/metrics.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "test_support.h"

using vitrine::MetricAccumulator;
using vitrine::MetricValues;
using vitrine::StatusCode;

using vitrine::testing::test_seed;

namespace {

// Rank by sorting: the target's 1-based position in descending order when it is placed before its equals.
int64_t rank_by_sorting(const std::vector<float>& scores, size_t target) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    return (a == target) > (b == target);
  });
  return static_cast<int64_t>(std::find(order.begin(), order.end(), target) - order.begin()) + 1;
}

struct Expected {
  double hr = 0, mrr = 0, ndcg = 0;
};

Expected expected_at(const std::vector<int64_t>& ranks, int k) {
  Expected e;
  for (int64_t r : ranks) {
    if (r > k) continue;
    e.hr += 1.0;
    e.mrr += 1.0 / static_cast<double>(r);
    e.ndcg += std::log(2.0) / std::log(static_cast<double>(r) + 1.0);
  }
  const double n = static_cast<double>(ranks.size());
  e.hr /= n;
  e.mrr /= n;
  e.ndcg /= n;
  return e;
}

}  // namespace

TEST_CASE("rank counts only strictly higher scores and reports ties", "[metrics]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed());
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + rng() % 40;
    std::vector<float> scores(n);
    for (float& s : scores) s = static_cast<float>(rng() % 6);  // few values: many ties
    const size_t target = rng() % n;
    auto r = vitrine::rank_of_target(scores.data(), n, target);
    REQUIRE(r.ok());
    CHECK(r.value().rank == rank_by_sorting(scores, target));
    const auto equal = std::count(scores.begin(), scores.end(), scores[target]);
    CHECK(r.value().tied == equal - 1);
  }
}

TEST_CASE("a NaN target ranks last and NaN competitors do not count", "[metrics]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> scores = {0.5f, nan, 0.25f, 1.0f};
  auto last = vitrine::rank_of_target(scores.data(), scores.size(), 1);
  REQUIRE(last.ok());
  CHECK(last.value().rank == static_cast<int64_t>(scores.size()));
  auto middle = vitrine::rank_of_target(scores.data(), scores.size(), 0);
  REQUIRE(middle.ok());
  CHECK(middle.value().rank == 2);
}

TEST_CASE("rank rejects a target outside the scores and a null pointer", "[metrics]") {
  std::vector<float> scores(3, 0.0f);
  auto outside = vitrine::rank_of_target(scores.data(), scores.size(), 3);
  REQUIRE_FALSE(outside.ok());
  CHECK(outside.status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK_FALSE(vitrine::rank_of_target(nullptr, 3, 0).ok());
  MetricAccumulator acc;
  CHECK_FALSE(acc.add_scores(scores.data(), scores.size(), 7).ok());
  CHECK(acc.count() == 0);
}

TEST_CASE("HR, MRR and NDCG match their definitions at every cutoff", "[metrics]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed() + 1);
  std::vector<int64_t> ranks;
  MetricAccumulator acc(20);
  for (int i = 0; i < 1000; ++i) {
    const int64_t r = 1 + static_cast<int64_t>(rng() % 40);
    ranks.push_back(r);
    REQUIRE(acc.add_rank(r).ok());
  }
  CHECK(acc.count() == 1000);
  for (int k = 1; k <= 20; ++k) {
    INFO("k " << k);
    auto v = acc.at(k);
    REQUIRE(v.ok());
    const Expected e = expected_at(ranks, k);
    CHECK(v.value().k == k);
    CHECK(v.value().hit_rate == Approx(e.hr).epsilon(1e-12));
    CHECK(v.value().mrr == Approx(e.mrr).epsilon(1e-12));
    CHECK(v.value().ndcg == Approx(e.ndcg).epsilon(1e-12));
  }
  const std::vector<MetricValues> report = acc.report();
  REQUIRE(report.size() == 3);
  CHECK(report[0].k == 5);
  CHECK(report[1].k == 10);
  CHECK(report[2].k == 20);
}

TEST_CASE("ranking scores and adding ranks agree", "[metrics]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed() + 2);
  MetricAccumulator from_scores(10), from_ranks(10);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int i = 0; i < 300; ++i) {
    std::vector<float> scores(25);
    for (float& s : scores) s = u(rng);
    const size_t target = rng() % scores.size();
    REQUIRE(from_scores.add_scores(scores.data(), scores.size(), target).ok());
    REQUIRE(from_ranks.add_rank(rank_by_sorting(scores, target)).ok());
  }
  for (int k = 1; k <= 10; ++k) {
    CHECK(from_scores.at(k).value().hit_rate == from_ranks.at(k).value().hit_rate);
    CHECK(from_scores.at(k).value().ndcg == from_ranks.at(k).value().ndcg);
  }
}

TEST_CASE("merging partial accumulators gives exactly the whole", "[metrics]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed() + 3);
  MetricAccumulator whole, a, b, c;
  for (int i = 0; i < 999; ++i) {
    const int64_t r = 1 + static_cast<int64_t>(rng() % 30);
    const int64_t tied = rng() % 4 == 0 ? 2 : 0;
    REQUIRE(whole.add_rank(r, tied).ok());
    MetricAccumulator& part = i % 3 == 0 ? a : i % 3 == 1 ? b : c;
    REQUIRE(part.add_rank(r, tied).ok());
  }
  MetricAccumulator merged;
  REQUIRE(merged.merge(c).ok());
  REQUIRE(merged.merge(a).ok());
  REQUIRE(merged.merge(b).ok());
  CHECK(merged.count() == whole.count());
  CHECK(merged.tied_examples() == whole.tied_examples());
  CHECK(whole.tied_examples() > 0);
  for (int k = 1; k <= 20; ++k) {
    CHECK(merged.at(k).value().hit_rate == whole.at(k).value().hit_rate);
    CHECK(merged.at(k).value().mrr == whole.at(k).value().mrr);
    CHECK(merged.at(k).value().ndcg == whole.at(k).value().ndcg);
  }
}

TEST_CASE("the accumulator rejects bad ranks, cutoffs and merges", "[metrics]") {
  MetricAccumulator acc(10);
  CHECK(acc.add_rank(0).code() == StatusCode::kINVALID_ARGUMENT);
  CHECK_FALSE(acc.add_rank(3, -1).ok());
  CHECK(acc.count() == 0);
  auto empty = acc.at(10);
  REQUIRE(empty.ok());
  CHECK(empty.value().hit_rate == 0.0);
  CHECK_FALSE(acc.at(0).ok());
  CHECK_FALSE(acc.at(11).ok());
  MetricAccumulator other(20);
  CHECK_FALSE(acc.merge(other).ok());
  CHECK(acc.report().size() == 2);  // 5 and 10; 20 is past the cutoff
  CHECK(MetricAccumulator(0).max_cutoff() == 1);
}
