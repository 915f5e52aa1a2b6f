// The C API boundary, natively and in wasm: handles, status codes and last-error messages.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "vitrine/mlp.h"
#include "vitrine/mlp_model_io.h"
#include "vitrine_api.h"

TEST_CASE("engine create/release pair and build info", "[api]") {
  vt_engine* engine = nullptr;
  REQUIRE(vt_engine_create(&engine) == VT_OK);
  REQUIRE(engine != nullptr);
  CHECK(std::string(vt_engine_last_error(engine)).empty());
  const std::string info = vt_engine_build_info(engine);
  CHECK(info.find("\"version\"") != std::string::npos);
  vt_engine_release(engine);
  vt_engine_release(nullptr);  // documented no-op
  CHECK(vt_engine_create(nullptr) == VT_INVALID_ARGUMENT);
}

TEST_CASE("dot_scores scores a batch and reports bad arguments by status and message", "[api]") {
  vt_engine* engine = nullptr;
  REQUIRE(vt_engine_create(&engine) == VT_OK);
  const std::vector<float> query = {1, 2, 3, 4, 5};
  std::vector<float> rows(7 * 5);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(i % 5) - 1.0f;
  std::vector<float> scores(7, 0.0f);
  REQUIRE(vt_engine_dot_scores(engine, query.data(), 5, rows.data(), 7, scores.data()) == VT_OK);
  for (float s : scores) CHECK(s == Approx(1 * -1 + 2 * 0 + 3 * 1 + 4 * 2 + 5 * 3));

  CHECK(vt_engine_dot_scores(engine, query.data(), 0, rows.data(), 7, scores.data()) == VT_INVALID_ARGUMENT);
  CHECK(std::string(vt_engine_last_error(engine)).find("dim") != std::string::npos);
  CHECK(vt_engine_dot_scores(engine, nullptr, 5, rows.data(), 7, scores.data()) == VT_INVALID_ARGUMENT);
  CHECK(std::string(vt_engine_last_error(engine)).find("null") != std::string::npos);
  // A success clears the message.
  REQUIRE(vt_engine_dot_scores(engine, query.data(), 5, rows.data(), 7, scores.data()) == VT_OK);
  CHECK(std::string(vt_engine_last_error(engine)).empty());
  vt_engine_release(engine);
}

namespace {

vitrine::MlpModelWeights small_api_mlp() {
  vitrine::MlpModelWeights m;
  const size_t widths[] = {6, 5, 1};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < 2; ++i) {
    vitrine::MlpLayerWeights l;
    l.in = widths[i];
    l.out = widths[i + 1];
    l.activation = i == 0 ? vitrine::Activation::kRelu : vitrine::Activation::kSigmoid;
    l.weights.resize(l.in * l.out);
    l.bias.resize(l.out);
    for (float& v : l.weights) v = dist(rng);
    for (float& v : l.bias) v = dist(rng);
    m.layers.push_back(std::move(l));
  }
  m.output_names = {"score"};
  return m;
}

}  // namespace

TEST_CASE("an mlp model file loads and scores feature batches in one call", "[api]") {
  vt_engine* engine = nullptr;
  REQUIRE(vt_engine_create(&engine) == VT_OK);
  const auto model = small_api_mlp();
  auto bytes = vitrine::write_mlp_model(model);
  REQUIRE(bytes.ok());
  std::vector<float> features(9 * 6), scores(9, -1.0f), expected(9);
  CHECK(vt_engine_score_features(engine, features.data(), 9, 6, scores.data()) == VT_NO_MODEL);
  REQUIRE(vt_engine_load_model(engine, bytes.value().data(), bytes.value().size()) == VT_OK);

  for (size_t i = 0; i < features.size(); ++i) features[i] = std::sin(static_cast<float>(i));
  REQUIRE(vt_engine_score_features(engine, features.data(), 9, 6, scores.data()) == VT_OK);
  REQUIRE(vitrine::mlp_score_reference(model.layer_specs(), features.data(), 9, expected.data()).ok());
  for (size_t r = 0; r < 9; ++r) CHECK(std::fabs(scores[r] - expected[r]) <= 1e-6f);

  CHECK(vt_engine_score_features(engine, features.data(), 9, 5, scores.data()) == VT_INVALID_ARGUMENT);
  CHECK(std::string(vt_engine_last_error(engine)).find("6") != std::string::npos);
  CHECK(vt_engine_score_features(engine, nullptr, 9, 6, scores.data()) == VT_INVALID_ARGUMENT);
  CHECK(vt_engine_score_features(engine, nullptr, 0, 6, nullptr) == VT_OK);

  const char* text = nullptr;
  REQUIRE(vt_engine_model_info(engine, &text) == VT_OK);
  CHECK(std::string(text).find("\"kind\":\"mlp\"") != std::string::npos);
  REQUIRE(vt_engine_vocabulary(engine, &text) == VT_OK);
  CHECK(std::string(text) == "score");
  // Session calls refuse an MLP with a message that says why.
  float s = 0.0f;
  uint32_t item = 0, count = 0;
  const std::string request = R"({"now":0,"events":[],"candidates":[]})";
  CHECK(vt_engine_top_k(engine, request.data(), request.size(), 1, &item, &s, &count) == VT_NO_MODEL);
  CHECK(std::string(vt_engine_last_error(engine)).find("MLP") != std::string::npos);

  // A damaged file keeps the loaded MLP.
  std::vector<uint8_t> damaged = bytes.value();
  damaged.resize(damaged.size() - 1);
  CHECK(vt_engine_load_model(engine, damaged.data(), damaged.size()) == VT_MODEL_TRUNCATED);
  CHECK(vt_engine_score_features(engine, features.data(), 9, 6, scores.data()) == VT_OK);
  vt_engine_release(engine);
}

TEST_CASE("top_k_dot returns the best rows of the item table", "[api]") {
  vt_engine* engine = nullptr;
  REQUIRE(vt_engine_create(&engine) == VT_OK);
  const uint32_t n = 1000, dim = 7, k = 20;
  std::vector<float> table(n * dim), query(dim);
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : table) v = dist(rng);
  for (float& v : query) v = dist(rng);
  std::vector<uint32_t> items(k);
  std::vector<float> scores(k);
  uint32_t count = 0;
  CHECK(vt_engine_top_k_dot(engine, query.data(), dim, k, items.data(), scores.data(), &count) == VT_NO_MODEL);
  CHECK(vt_engine_set_item_vectors(engine, table.data(), n, 0) == VT_INVALID_ARGUMENT);
  REQUIRE(vt_engine_set_item_vectors(engine, table.data(), n, dim) == VT_OK);
  table.assign(table.size(), 0.0f);  // the engine keeps its own copy
  CHECK(vt_engine_top_k_dot(engine, query.data(), dim + 1, k, items.data(), scores.data(), &count) ==
        VT_INVALID_ARGUMENT);
  REQUIRE(vt_engine_top_k_dot(engine, query.data(), dim, k, items.data(), scores.data(), &count) == VT_OK);
  REQUIRE(count == k);

  rng.seed(11);
  for (float& v : table) v = dist(rng);
  std::vector<float> all(n);
  for (uint32_t r = 0; r < n; ++r) {
    float sum = 0.0f;
    for (uint32_t d = 0; d < dim; ++d) sum += query[d] * table[r * dim + d];
    all[r] = sum;
  }
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return all[a] > all[b]; });
  for (uint32_t i = 0; i < k; ++i) {
    CHECK(items[i] == order[i]);
    CHECK(std::fabs(scores[i] - all[order[i]]) <= 1e-5f);
  }
  vt_engine_release(engine);
}

TEST_CASE("set_model_limit: a file past the page's limit is refused before it is read, the old model stays", "[api]") {
  vt_engine* engine = nullptr;
  REQUIRE(vt_engine_create(&engine) == VT_OK);
  auto bytes = vitrine::write_mlp_model(small_api_mlp());
  REQUIRE(bytes.ok());
  const auto size = static_cast<uint32_t>(bytes.value().size());
  REQUIRE(vt_engine_load_model(engine, bytes.value().data(), size) == VT_OK);
  CHECK(vt_engine_set_model_limit(engine, 0) == VT_INVALID_ARGUMENT);
  REQUIRE(vt_engine_set_model_limit(engine, size - 1) == VT_OK);
  CHECK(vt_engine_load_model(engine, bytes.value().data(), size) == VT_LIMIT_EXCEEDED);
  CHECK(std::string(vt_engine_last_error(engine)).find(std::to_string(size - 1)) != std::string::npos);
  std::vector<float> features(6, 0.5f), scores(1);
  CHECK(vt_engine_score_features(engine, features.data(), 1, 6, scores.data()) == VT_OK);  // the old model stays
  REQUIRE(vt_engine_set_model_limit(engine, size) == VT_OK);
  CHECK(vt_engine_load_model(engine, bytes.value().data(), size) == VT_OK);
  vt_engine_release(engine);
}
