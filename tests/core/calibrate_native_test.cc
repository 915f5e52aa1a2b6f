// The scorer calibration of the trainer (models/train/calibrate.h): it lowers the held-out loss, and what it
// writes back into the weights is exactly what the core's scorer then computes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "calibrate.h"
#include "kernel_tester.h"

using namespace vitrine;
using vitrine::train::CalibrationOptions;
using vitrine::train::ExampleSet;

namespace {

SessionModelWeights random_model(uint32_t seed) {
  SessionModelConfig c;
  c.vocab_size = 40;
  c.dim = 8;
  c.max_length = 6;
  c.repeat_counts = 3;
  c.repeat_kinds = true;
  c.item_bias = true;
  c.kind_inputs = {0, 0, 2, 3, -1, -1, -1};
  SessionModelWeights w = SessionModelWeights::zeros(c).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  w.for_each_param([&](const char*, std::vector<float>& p) {
    for (float& x : p) x = u(rng);
  });
  return w;
}

// Shoppers who come back: the next item is the item they met most often so far (ties: the most recent).
ExampleSet repeat_heavy(uint32_t seed, size_t sessions) {
  ExampleSet data;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint32_t> item(1, 40), length(2, 7), kind(0, 3);
  for (size_t s = 0; s < sessions; ++s) {
    const auto begin = static_cast<uint32_t>(data.events.size());
    const uint32_t n = length(rng);
    std::vector<uint32_t> seen;
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t id = !seen.empty() && rng() % 2 == 0 ? seen[rng() % seen.size()] : item(rng);
      seen.push_back(id);
      data.events.push_back({id, static_cast<uint8_t>(kind(rng))});
    }
    uint32_t label = seen.back(), best = 0;
    for (uint32_t id : seen) {
      const auto count = static_cast<uint32_t>(std::count(seen.begin(), seen.end(), id));
      if (count >= best) best = count, label = id;
    }
    data.examples.push_back({begin, n, label});
  }
  return data;
}

// Mean cross-entropy of the examples under the core's own catalog scorer.
double core_loss(const SessionModelWeights& w, const ExampleSet& data) {
  std::vector<float> vectors, s(w.config.dim), scores(w.config.vocab_size + 1);
  compute_item_vectors(w, vectors);
  double total = 0.0;
  for (const auto& ex : data.examples) {
    const SessionEvent* events = &data.events[ex.begin];
    encode_session(w, vectors.data(), events, ex.length, s.data());
    score_catalog(w, vectors.data(), s.data(), events, ex.length, scores.data());
    double max = -1e30, sum = 0.0;
    for (size_t j = 1; j < scores.size(); ++j) max = std::max(max, double{scores[j]});
    for (size_t j = 1; j < scores.size(); ++j) sum += std::exp(double{scores[j]} - max);
    total += std::log(sum) + max - scores[ex.label];
  }
  return total / static_cast<double>(data.examples.size());
}

}  // namespace

TEST_CASE("calibration lowers the held-out loss and the written-back scorer computes exactly that loss",
          "[trainer][calibrate]") {
  const uint32_t seed = testing::test_seed();
  INFO("seed " << seed);
  SessionModelWeights w = random_model(seed);
  const ExampleSet held_out = repeat_heavy(seed + 1, 300);
  const double before = core_loss(w, held_out);
  CalibrationOptions options;
  options.threads = 1;
  const auto fit = train::calibrate_scorer(w, held_out, options);
  CHECK(fit.examples == 300);
  CHECK(fit.loss_before == Approx(before).epsilon(1e-4));
  // Labels repeat the session's most frequent item: the repeat terms must take over from random similarity.
  CHECK(fit.loss_after < 0.7 * fit.loss_before);
  CHECK(core_loss(w, held_out) == Approx(fit.loss_after).epsilon(1e-4));
  CHECK(w.repeat_count[2] > w.repeat_count[0]);  // seen three times beats seen once
  CHECK(w.validate().ok());
}

TEST_CASE("calibration without held-out examples leaves the model as it was", "[trainer][calibrate]") {
  SessionModelWeights w = random_model(testing::test_seed());
  const SessionModelWeights before = w;
  const auto fit = train::calibrate_scorer(w, ExampleSet(), CalibrationOptions());
  CHECK(fit.examples == 0);
  CHECK(w.repeat_bonus == before.repeat_bonus);
  CHECK(w.config.temperature == before.config.temperature);
}
