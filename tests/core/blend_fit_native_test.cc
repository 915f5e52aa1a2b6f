// The shop order's weight (models/train/blend_fit.h): the conditional logit recovers known weights, tells the
// attention a high place gets from the shop's information when lists were reordered, and keeps the default when
// the data cannot say.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "blend_fit.h"

using namespace vitrine;
using namespace vitrine::train;

namespace {

// Lists of `length` products whose openings follow exp(a*s + b*shop + c*shown) exactly. s is the shopper's terms
// (normal), the shop places are 0..length-1, shown in the shop's order or, for a `reordered` share of lists, in a
// random order. Seeded: a failure reproduces.
std::vector<ListFeatures> simulated_lists(uint32_t seed, size_t lists, size_t length, double a, double b, double c,
                                          double reordered) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<ListFeatures> out;
  for (size_t l = 0; l < lists; ++l) {
    std::vector<uint32_t> shown(length);
    for (uint32_t i = 0; i < length; ++i) shown[i] = i;
    if (uniform(rng) < reordered) std::shuffle(shown.begin(), shown.end(), rng);
    ListFeatures list;
    std::vector<double> weight;
    double total = 0.0;
    for (uint32_t i = 0; i < length; ++i) {
      const std::array<double, 3> x = {normal(rng), -std::log1p(static_cast<double>(i)),
                                       -std::log1p(static_cast<double>(shown[i]))};
      list.x.push_back(x);
      total += weight.emplace_back(std::exp(a * x[0] + b * x[1] + c * x[2]));
    }
    double pick = uniform(rng) * total;
    for (uint32_t i = 0; i < length; ++i) {
      list.chosen = i;
      if ((pick -= weight[i]) <= 0.0) break;
    }
    out.push_back(std::move(list));
  }
  return out;
}

}  // namespace

TEST_CASE("blend fit: the logit recovers b / a from lists shown in the shop's order", "[blend]") {
  const uint32_t seed = GENERATE(1u, 2u);
  INFO("seed " << seed);
  // No separate attention term: shown == shop, so c folds into b and the weight is (b + c) / a.
  const BlendFit fit = fit_blend_logit(simulated_lists(seed, 4000, 20, 1.5, 1.2, 0.0, 0.0), BlendFitOptions());
  REQUIRE(fit.fitted);
  CHECK(fit.report["lists_shown_in_another_order"] == 0);
  CHECK_FALSE(fit.report.contains("c"));
  CHECK(fit.blend == Approx(1.2 / 1.5).epsilon(0.12));
  // The clicked product places higher in the learned order than with the shopper's terms alone.
  CHECK(fit.report["click_mrr"]["learned"].get<double>() > fit.report["click_mrr"]["personal_only"].get<double>());
}

TEST_CASE("blend fit: reordered lists tell the attention a place gets from the shop's information", "[blend]") {
  const uint32_t seed = GENERATE(3u, 4u);
  INFO("seed " << seed);
  // The shop's order carries nothing (b = 0); a high place draws the eye (c = 1).
  const BlendFit shown_in_order = fit_blend_logit(simulated_lists(seed, 4000, 20, 1.5, 0.0, 1.0, 0.0), {});
  const BlendFit reordered = fit_blend_logit(simulated_lists(seed, 4000, 20, 1.5, 0.0, 1.0, 0.3), {});
  REQUIRE(shown_in_order.fitted);
  REQUIRE(reordered.fitted);
  // Shown in its own order, the attention looks like the shop's information: the weight leans to the shop.
  CHECK(shown_in_order.blend == Approx(1.0 / 1.5).epsilon(0.15));
  // With a share of lists reordered, the attention goes to c and the weight falls to about 0.
  CHECK(reordered.report["lists_shown_in_another_order"].get<size_t>() > 1000);
  CHECK(reordered.report["c"]["value"].get<double>() == Approx(1.0).epsilon(0.15));
  CHECK(reordered.blend < 0.12f);
}

TEST_CASE("blend fit: the default stays when the data cannot say", "[blend]") {
  SECTION("too few lists") {
    const BlendFit fit = fit_blend_logit(simulated_lists(5, 150, 20, 1.5, 1.0, 0.0, 0.0), BlendFitOptions());
    CHECK_FALSE(fit.fitted);
    CHECK(fit.blend == kDefaultBlend);
    CHECK(fit.report["reason"].get<std::string>().find("fewer than 200") != std::string::npos);
  }
  SECTION("the shopper's terms predict nothing") {
    const BlendFit fit = fit_blend_logit(simulated_lists(6, 2000, 20, 0.0, 1.0, 0.0, 0.0), BlendFitOptions());
    CHECK_FALSE(fit.fitted);
    CHECK(fit.blend == kDefaultBlend);
    CHECK(fit.report["reason"].get<std::string>().find("do not predict") != std::string::npos);
  }
  SECTION("a shop order worth more than search results is capped at their weight") {
    const BlendFit fit = fit_blend_logit(simulated_lists(7, 3000, 20, 0.3, 3.0, 0.0, 0.0), BlendFitOptions());
    REQUIRE(fit.fitted);
    CHECK(fit.report["blend_unclamped"].get<double>() > kSearchPageBlend);
    CHECK(fit.blend == kSearchPageBlend);
  }
}
