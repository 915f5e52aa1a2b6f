// The trainer's hand-written gradients against central finite differences, on a tiny model with every content
// feature and every scorer term switched on, so that each parameter tensor of the session model is checked.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "session_trainer.h"

using vitrine::SessionModelConfig;
using vitrine::SessionModelWeights;
using vitrine::train::ExampleSet;
using vitrine::train::SessionTrainer;
using vitrine::train::TrainOptions;

namespace {

SessionModelConfig tiny_config() {
  SessionModelConfig c;
  c.vocab_size = 9;
  c.dim = 5;
  c.max_length = 4;
  c.num_kinds = 3;
  c.num_categories = 3;
  c.num_brands = 2;
  c.num_price_bands = 2;
  c.image_dim = 3;
  c.temperature = 3.0f;
  c.repeat_counts = 2;  // counts 1 and 2+: the 6-event session holds an item twice
  c.repeat_kinds = true;
  c.item_bias = true;
  c.kind_inputs = {0, 1, 2};
  c.visit_inputs = true;
  return c;
}

// Sessions of several lengths, one longer than max_length, with a repeated item so the repeat terms are used; the
// longest starts with an earlier visit that reaches into the encoder's window.
ExampleSet tiny_data(std::mt19937& rng) {
  ExampleSet data;
  std::uniform_int_distribution<uint32_t> item(1, 9), kind(0, 2);
  for (uint32_t length : {1u, 2u, 3u, 6u}) {
    const auto begin = static_cast<uint32_t>(data.events.size());
    for (uint32_t i = 0; i < length; ++i) {
      const uint32_t id = i == 2 ? data.events[begin].item : i == 5 ? data.events[begin + 3].item : item(rng);
      const uint8_t earlier = length == 6 && i < 4 ? 1 : 0;
      data.events.push_back({id, static_cast<uint8_t>(kind(rng)), earlier});
    }
    data.examples.push_back({begin, length, item(rng)});
  }
  return data;
}

// The options matter: with input dropout the mask comes from the seed and the step, the same for every probe.
double batch_loss(const SessionModelWeights& w, const ExampleSet& data, const TrainOptions& options) {
  SessionTrainer probe(w, options);
  return probe.compute_gradients(data, data.examples.data(), data.examples.size()).loss;
}

}  // namespace

TEST_CASE("session model gradients match finite differences", "[trainer]") {
  const uint32_t seed = vitrine::testing::test_seed();
  const float dropout = GENERATE(0.0f, 0.4f);
  INFO("seed " << seed << " input dropout " << dropout);
  std::mt19937 rng(seed);
  const ExampleSet data = tiny_data(rng);
  TrainOptions options;
  options.seed = seed;
  options.init_scale = 0.6f;
  options.threads = 1;
  SessionModelWeights weights = SessionTrainer::initial_weights(tiny_config(), options);
  options.input_dropout = dropout;
  // Content ids and a non-zero repeat bonus, so every path carries gradient.
  std::uniform_int_distribution<int32_t> cat(0, 3), brand(0, 2), band(0, 2);
  std::uniform_real_distribution<float> pixel_feature(-1.0f, 1.0f);
  for (size_t i = 1; i <= 9; ++i) {
    weights.item_category[i] = cat(rng);
    weights.item_brand[i] = brand(rng);
    weights.item_price_band[i] = band(rng);
    for (size_t k = 0; k < 3; ++k) weights.item_image[i * 3 + k] = pixel_feature(rng);
  }
  for (size_t i = 0; i < weights.repeat_bonus.size(); ++i) weights.repeat_bonus[i] = 0.3f * static_cast<float>(i);
  for (size_t i = 0; i < weights.repeat_count.size(); ++i)
    weights.repeat_count[i] = 0.2f + 0.1f * static_cast<float>(i);
  for (size_t i = 0; i < weights.repeat_kind.size(); ++i) weights.repeat_kind[i] = -0.1f * static_cast<float>(i);
  for (size_t i = 0; i < weights.item_bias.size(); ++i) weights.item_bias[i] = 0.05f * static_cast<float>(i % 4);
  REQUIRE(weights.validate().ok());

  SessionTrainer trainer(weights, options);
  const double loss = trainer.compute_gradients(data, data.examples.data(), data.examples.size()).loss;
  SessionModelWeights analytic = trainer.gradients();
  if (dropout > 0.0f) {
    // The mask must reach the loss, or this section would only repeat the one without dropout.
    TrainOptions plain = options;
    plain.input_dropout = 0.0f;
    CHECK(std::abs(loss - batch_loss(weights, data, plain)) > 1e-4);
  }

  std::vector<std::pair<std::string, std::vector<float>*>> grads;
  analytic.for_each_param([&](const char* name, std::vector<float>& g) { grads.emplace_back(name, &g); });
  size_t tensor = 0, checked = 0;
  weights.for_each_param([&](const char* name, std::vector<float>& param) {
    const std::vector<float>& grad = *grads[tensor++].second;
    REQUIRE(grad.size() == param.size());
    double grad_norm = 0.0;
    for (size_t i = 0; i < param.size(); ++i) {
      const float saved = param[i];
      const float eps = 1e-2f;
      param[i] = saved + eps;
      const double up = batch_loss(weights, data, options);
      param[i] = saved - eps;
      const double down = batch_loss(weights, data, options);
      param[i] = saved;
      const double numeric = (up - down) / (2.0 * eps);
      INFO("tensor " << name << " index " << i << " analytic " << grad[i] << " numeric " << numeric);
      REQUIRE(std::abs(grad[i] - numeric) <= 2e-3 + 2e-2 * std::abs(numeric));
      grad_norm += std::abs(numeric);
      ++checked;
    }
    // Row 0 of the item table is padding and has no gradient, every other tensor must carry some.
    if (!param.empty()) {
      INFO("tensor " << name << " has no gradient at all: the check would prove nothing");
      CHECK(grad_norm > 1e-6);
    }
  });
  CHECK(checked > 200);
}

TEST_CASE("training lowers the loss on a small learnable pattern", "[trainer]") {
  // Session "a" is always followed by "a+1": a pattern the model must learn within a few hundred steps.
  ExampleSet data;
  for (uint32_t rep = 0; rep < 4; ++rep) {
    for (uint32_t a = 1; a < 30; ++a) {
      const auto begin = static_cast<uint32_t>(data.events.size());
      data.events.push_back({a, 0});
      data.examples.push_back({begin, 1, a + 1});
    }
  }
  SessionModelConfig config;
  config.vocab_size = 30;
  config.dim = 16;
  config.max_length = 4;
  TrainOptions options;
  options.seed = vitrine::testing::test_seed();
  options.learning_rate = 0.02f;
  options.threads = 1;
  SessionTrainer trainer(SessionTrainer::initial_weights(config, options), options);
  const double first = trainer.compute_gradients(data, data.examples.data(), data.examples.size()).loss;
  double last = first;
  for (int step = 0; step < 300; ++step) {
    last = trainer.compute_gradients(data, data.examples.data(), data.examples.size()).loss;
    trainer.apply_gradients(options.learning_rate);
  }
  INFO("seed " << options.seed << " loss " << first << " -> " << last);
  CHECK(last < 0.25 * first);
  const auto ranks = vitrine::train::label_ranks(trainer.weights(), data, 1);
  size_t top1 = 0;
  for (uint32_t r : ranks) top1 += r == 1 ? 1 : 0;
  CHECK(top1 > ranks.size() * 9 / 10);
}

TEST_CASE("content-only items keep a zero id embedding and are ranked by their content", "[trainer]") {
  std::mt19937 rng(vitrine::testing::test_seed());
  const ExampleSet data = tiny_data(rng);
  TrainOptions options;
  options.seed = vitrine::testing::test_seed();
  options.threads = 1;
  SessionModelWeights weights = SessionTrainer::initial_weights(tiny_config(), options);
  for (size_t i = 1; i <= 9; ++i) {
    weights.item_category[i] = static_cast<int32_t>(i % 4);
    for (size_t k = 0; k < 3; ++k) weights.item_image[i * 3 + k] = static_cast<float>((i + k) % 3) - 1.0f;
  }
  SessionTrainer trainer(weights, options);
  CHECK_FALSE(trainer.set_content_only_items({10}).ok());  // outside the vocabulary
  REQUIRE(trainer.set_content_only_items({4, 7}).ok());
  const std::vector<float> image_proj_before = trainer.weights().image_proj;
  for (int step = 0; step < 5; ++step) {
    trainer.compute_gradients(data, data.examples.data(), data.examples.size());
    trainer.apply_gradients(0.05f);
  }
  const SessionModelWeights& w = trainer.weights();
  const size_t d = w.config.dim;
  for (uint32_t item : {4u, 7u})
    for (size_t j = 0; j < d; ++j) CHECK(w.item_emb[item * d + j] == 0.0f);
  bool other_moved = false;
  for (size_t j = 0; j < d; ++j) other_moved |= w.item_emb[5 * d + j] != weights.item_emb[5 * d + j];
  CHECK(other_moved);
  CHECK(w.image_proj != image_proj_before);  // the projection learns
  // Item 4's vector is its content: category row plus the projected image, normalized.
  std::vector<float> vectors;
  vitrine::compute_item_vectors(w, vectors);
  std::vector<float> content(d, 0.0f);
  for (size_t j = 0; j < d; ++j) {
    content[j] = w.category_emb[static_cast<size_t>(w.item_category[4]) * d + j] +
                 w.brand_emb[static_cast<size_t>(w.item_brand[4]) * d + j] +
                 w.price_band_emb[static_cast<size_t>(w.item_price_band[4]) * d + j];
    for (size_t k = 0; k < 3; ++k) content[j] += w.item_image[4 * 3 + k] * w.image_proj[k * d + j];
  }
  double norm = 0.0;
  for (float x : content) norm += double{x} * x;
  for (size_t j = 0; j < d; ++j) CHECK(vectors[4 * d + j] == Approx(content[j] / std::sqrt(norm)).margin(1e-5));
}
