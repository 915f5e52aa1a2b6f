// The scorer's repeat and prior terms and the event-kind mapping of the session model: which events the encoder
// reads, what the repeat features count, the model file round trip of the new config fields, and files without
// them reading as before. Runs natively and in wasm.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "vitrine/event_kinds.h"
#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"

using namespace vitrine;

namespace {

constexpr uint8_t kView = static_cast<uint8_t>(EventKind::kVIEW);
constexpr uint8_t kCart = static_cast<uint8_t>(EventKind::kADD_TO_CART);
constexpr uint8_t kPurchase = static_cast<uint8_t>(EventKind::kPURCHASE);
constexpr uint8_t kImpression = static_cast<uint8_t>(EventKind::kIMPRESSION);

SessionModelWeights random_model(uint32_t seed, const SessionModelConfig& config) {
  SessionModelWeights w = SessionModelWeights::zeros(config).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  w.for_each_param([&](const char*, std::vector<float>& p) {
    for (float& x : p) x = u(rng);
  });
  return w;
}

SessionModelConfig scorer_config() {
  SessionModelConfig c;
  c.vocab_size = 10;
  c.dim = 6;
  c.max_length = 5;
  c.repeat_counts = 3;
  c.repeat_kinds = true;
  c.item_bias = true;
  // Views, carts and purchases have rows of their own; clicks read as views; the rest are left out.
  c.kind_inputs = {0, 0, 2, 3, -1, -1, -1};
  return c;
}

std::vector<float> session_vector(const SessionModelWeights& w, const std::vector<SessionEvent>& events) {
  std::vector<float> vectors, out(w.config.dim);
  compute_item_vectors(w, vectors);
  encode_session(w, vectors.data(), events.data(), events.size(), out.data());
  return out;
}

}  // namespace

TEST_CASE("files without kind_inputs read views, clicks, carts and purchases as views and leave the rest out",
          "[session_model][kinds]") {
  SessionModelConfig legacy;
  legacy.num_kinds = 6;
  CHECK(legacy.kind_row(kView) == 0);
  CHECK(legacy.kind_row(static_cast<uint8_t>(EventKind::kCLICK)) == 0);
  CHECK(legacy.kind_row(kCart) == 0);
  CHECK(legacy.kind_row(kPurchase) == 0);
  CHECK(legacy.kind_row(static_cast<uint8_t>(EventKind::kSEARCH)) == -1);
  CHECK(legacy.kind_row(static_cast<uint8_t>(EventKind::kCATEGORY_VISIT)) == -1);
  CHECK(legacy.kind_row(kImpression) == -1);
  CHECK(legacy.kind_row(200) == -1);

  SessionModelConfig mapped = scorer_config();
  CHECK(mapped.kind_row(static_cast<uint8_t>(EventKind::kCLICK)) == 0);
  CHECK(mapped.kind_row(kCart) == 2);
  CHECK(mapped.kind_row(kImpression) == -1);
  CHECK(mapped.kind_row(7) == -1);  // past the list
}

TEST_CASE("kind_inputs that name a row the model does not have are refused", "[session_model][kinds]") {
  SessionModelConfig c = scorer_config();
  REQUIRE(c.validate().ok());
  c.kind_inputs[4] = static_cast<int32_t>(c.num_kinds);
  CHECK(c.validate().code() == StatusCode::kMODEL_CORRUPT);
  c.kind_inputs[4] = -2;
  CHECK(c.validate().code() == StatusCode::kMODEL_CORRUPT);
}

TEST_CASE("events of a kind the model left out change neither the session vector nor the repeat terms",
          "[session_model][kinds]") {
  INFO("seed " << testing::test_seed());
  const SessionModelWeights w = random_model(testing::test_seed(), scorer_config());
  const std::vector<SessionEvent> plain = {{3, kView}, {5, kView}, {3, kCart}};
  std::vector<SessionEvent> with_impressions = {{7, kImpression}, {3, kView}, {8, kImpression},
                                                {5, kView},       {3, kCart}, {9, kImpression}};
  CHECK(session_vector(w, plain) == session_vector(w, with_impressions));
  std::vector<std::pair<uint32_t, float>> a, b;
  session_repeat_bonuses(w, plain.data(), plain.size(), a);
  session_repeat_bonuses(w, with_impressions.data(), with_impressions.size(), b);
  CHECK(a == b);
  // A kind with its own row does change the input: a purchase is not a view.
  std::vector<SessionEvent> bought = plain;
  bought.back().kind = kPurchase;
  CHECK(session_vector(w, bought) != session_vector(w, plain));
}

TEST_CASE("repeat features count occurrences, the most recent position and the kinds seen", "[session_model]") {
  const SessionModelConfig c = scorer_config();
  // Window of 5: the oldest event (item 6) falls out.
  const std::vector<SessionEvent> events = {{6, kView}, {4, kView}, {2, kView}, {4, kCart}, {2, kView}, {4, kPurchase}};
  std::vector<RepeatFeature> features;
  session_repeat_features(c, events.data(), events.size(), features);
  REQUIRE(features.size() == 2);
  CHECK(features[0].item == 4);  // most recent first
  CHECK(features[0].last_position == 0);
  CHECK(features[0].count == 3);
  CHECK(features[0].kind_rows == ((1u << 0) | (1u << 2) | (1u << 3)));
  CHECK(features[1].item == 2);
  CHECK(features[1].last_position == 1);
  CHECK(features[1].count == 2);
  CHECK(features[1].kind_rows == 1u);

  INFO("seed " << testing::test_seed());
  const SessionModelWeights w = random_model(testing::test_seed(), c);
  // repeat(4) = recency[0] + count[min(3, C) - 1] + kind[0] + kind[2] + kind[3]
  const float expected = w.repeat_bonus[0] + w.repeat_count[2] + w.repeat_kind[0] + w.repeat_kind[2] + w.repeat_kind[3];
  CHECK(repeat_score(w, features[0]) == Approx(expected));
}

TEST_CASE("the catalog scorer adds the item prior to every item and the repeat terms to the window's items",
          "[session_model]") {
  INFO("seed " << testing::test_seed());
  const SessionModelWeights w = random_model(testing::test_seed(), scorer_config());
  const std::vector<SessionEvent> events = {{2, kView}, {7, kView}, {2, kView}};
  std::vector<float> vectors;
  compute_item_vectors(w, vectors);
  const std::vector<float> s = session_vector(w, events);
  std::vector<float> scores(w.config.vocab_size + 1);
  score_catalog(w, vectors.data(), s.data(), events.data(), events.size(), scores.data());
  std::vector<RepeatFeature> features;
  session_repeat_features(w.config, events.data(), events.size(), features);
  for (uint32_t j = 1; j <= w.config.vocab_size; ++j) {
    float cosine = 0.0f;
    for (size_t k = 0; k < w.config.dim; ++k) cosine += s[k] * vectors[j * w.config.dim + k];
    float expected = w.config.temperature * cosine + w.item_bias[j];
    for (const RepeatFeature& f : features)
      if (f.item == j) expected += repeat_score(w, f);
    INFO("item " << j);
    CHECK(scores[j] == Approx(expected).margin(1e-5));
  }
  CHECK(scores[0] == -std::numeric_limits<float>::infinity());
}

TEST_CASE("the scorer's terms and the kind mapping survive the model file round trip", "[session_model]") {
  INFO("seed " << testing::test_seed());
  const SessionModelWeights w = random_model(testing::test_seed(), scorer_config());
  std::vector<std::string> vocab;
  for (uint32_t i = 1; i <= w.config.vocab_size; ++i) vocab.push_back("sku-" + std::to_string(i));
  SessionModelExport options;
  options.item_storage = DType::kF32;
  auto bytes = write_session_model(w, vocab, SessionModelContent(), options);
  REQUIRE(bytes.ok());
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  REQUIRE(file.ok());
  auto back = read_session_model(file.value());
  INFO(back.status().to_string());
  REQUIRE(back.ok());
  const SessionModelConfig& c = back.value().config;
  CHECK(c.repeat_counts == 3);
  CHECK(c.repeat_kinds);
  CHECK(c.item_bias);
  CHECK(c.kind_inputs == w.config.kind_inputs);
  CHECK(back.value().repeat_count == w.repeat_count);
  CHECK(back.value().repeat_kind == w.repeat_kind);
  CHECK(back.value().item_bias == w.item_bias);
}

TEST_CASE("a model without the new terms writes no new config fields and reads back without them", "[session_model]") {
  SessionModelConfig c;
  c.vocab_size = 4;
  c.dim = 4;
  c.max_length = 3;
  const SessionModelWeights w = random_model(testing::test_seed(), c);
  const std::vector<std::string> vocab = {"a", "b", "c", "d"};
  auto bytes = write_session_model(w, vocab, SessionModelContent(), SessionModelExport());
  REQUIRE(bytes.ok());
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  REQUIRE(file.ok());
  for (const char* key : {"repeat_counts", "repeat_kinds", "item_bias", "kind_inputs"})
    CHECK(file.value().config().find(key) == nullptr);
  auto back = read_session_model(file.value());
  REQUIRE(back.ok());
  CHECK(back.value().config.kind_inputs.empty());
  CHECK(back.value().repeat_count.empty());
  CHECK(back.value().item_bias.empty());
}

TEST_CASE("malformed scorer config fields are refused with the field named", "[session_model]") {
  const SessionModelWeights w = random_model(testing::test_seed(), scorer_config());
  std::vector<std::string> vocab;
  for (uint32_t i = 1; i <= w.config.vocab_size; ++i) vocab.push_back(std::to_string(i));
  auto bytes = write_session_model(w, vocab, SessionModelContent(), SessionModelExport());
  REQUIRE(bytes.ok());
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  REQUIRE(file.ok());
  // The config is checked by read_session_model: rewrite it through a copy of the parsed header.
  const JsonValue& config = file.value().config();
  SessionModelConfig unchanged;
  REQUIRE(session_model_config_from_json(config, w.config.vocab_size, &unchanged).ok());
  for (const auto& [key, bad] : std::vector<std::pair<std::string, std::string>>{{"kind_inputs", "[0, 9]"},
                                                                                 {"kind_inputs", "\"views\""},
                                                                                 {"kind_inputs", "[0.0]"},
                                                                                 {"item_bias", "1"},
                                                                                 {"repeat_counts", "-1"},
                                                                                 {"repeat_counts", "2.0"},
                                                                                 {"repeat_counts", "4294967296"},
                                                                                 {"temperature", "\"1\""},
                                                                                 {"temperature", "0"}}) {
    JsonValue broken = config;
    broken.set(key, parse_json(bad, 4).value());
    SessionModelConfig parsed;
    INFO("config." << key << " = " << bad);
    auto status = session_model_config_from_json(broken, w.config.vocab_size, &parsed);
    CHECK(status.code() == StatusCode::kMODEL_CORRUPT);
    CHECK(status.message().find(key) != std::string::npos);
  }
}

TEST_CASE("the gates' sigmoid stays within 3e-7 relative of 1 / (1 + exp(-x)) wherever that is a normal float",
          "[session_model]") {
  // Dense near 0 where the gates live, then out to where the clamp takes over, and a few extremes.
  std::vector<float> xs;
  for (int i = -200000; i <= 200000; ++i) xs.push_back(static_cast<float>(i) * 1e-4f);
  for (float x = 20.0f; x < 200.0f; x *= 1.001f) {
    xs.push_back(x);
    xs.push_back(-x);
  }
  for (float x :
       {1e-30f, -1e-30f, 1e30f, -1e30f, std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()})
    xs.push_back(x);
  double worst = 0.0;
  float worst_x = 0.0f;
  for (float x : xs) {
    if (x < -85.0f) {  // the sigmoid is below float's normal range: only "tiny" is asked for
      CHECK(vitrine::gate_sigmoid(x) < 1.3e-37f);  // e^-85
      continue;
    }
    const double reference = 1.0 / (1.0 + std::exp(-double{x}));
    const double error = std::fabs(double{vitrine::gate_sigmoid(x)} - reference) / reference;
    if (error > worst) {
      worst = error;
      worst_x = x;
    }
  }
  INFO("worst relative error " << worst << " at x = " << worst_x);
  CHECK(worst < 3e-7);
  // A NaN (huge finite weights overflowing) gives a closed gate, not an undefined int cast (UBSan watches this line).
  CHECK(vitrine::gate_sigmoid(std::numeric_limits<float>::quiet_NaN()) < 1.3e-37f);
}
