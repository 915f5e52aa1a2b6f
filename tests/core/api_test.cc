// The C API boundary, natively and in wasm: handles, status codes and last-error messages.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "vitrine/mlp_model_io.h"
#include "vitrine/mlp_model_writer.h"
#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"
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

namespace {

// A session model of a few items with zero weights: enough for the boundary's load, limit and refusal paths.
std::vector<uint8_t> small_session_model() {
  vitrine::SessionModelConfig config;
  config.vocab_size = 4;
  config.dim = 3;
  config.max_length = 2;
  auto weights = vitrine::SessionModelWeights::zeros(config);
  REQUIRE(weights.ok());
  auto bytes = vitrine::write_session_model(weights.value(), {"a", "b", "c", "d"}, vitrine::SessionModelContent(),
                                            vitrine::SessionModelExport());
  REQUIRE(bytes.ok());
  return std::move(bytes).value();
}

}  // namespace

TEST_CASE("load_model refuses another kind of model file and keeps the session model", "[api]") {
  vt_engine* engine = nullptr;
  REQUIRE(vt_engine_create(&engine) == VT_OK);
  const std::vector<uint8_t> session = small_session_model();
  REQUIRE(vt_engine_load_model(engine, session.data(), session.size()) == VT_OK);
  // The benchmark's MLP (bench/bench_module.cc loads it; the engine does not).
  vitrine::MlpModelWeights mlp;
  mlp.layers.push_back({2, 1, vitrine::Activation::kNone, {0.5f, -0.5f}, {0.0f}});
  mlp.output_names = {"score"};
  auto mlp_bytes = vitrine::write_mlp_model(mlp);
  REQUIRE(mlp_bytes.ok());
  CHECK(vt_engine_load_model(engine, mlp_bytes.value().data(), mlp_bytes.value().size()) == VT_MODEL_CORRUPT);
  CHECK(std::string(vt_engine_last_error(engine)).find("'mlp'") != std::string::npos);
  const char* info = nullptr;
  REQUIRE(vt_engine_model_info(engine, &info) == VT_OK);
  CHECK(std::string(info).find("\"kind\":\"session_attn\"") != std::string::npos);
  vt_engine_release(engine);
}

TEST_CASE("set_model_limit: a file past the page's limit is refused before it is read, the old model stays", "[api]") {
  vt_engine* engine = nullptr;
  REQUIRE(vt_engine_create(&engine) == VT_OK);
  const std::vector<uint8_t> bytes = small_session_model();
  const auto size = static_cast<uint32_t>(bytes.size());
  REQUIRE(vt_engine_load_model(engine, bytes.data(), size) == VT_OK);
  CHECK(vt_engine_set_model_limit(engine, 0) == VT_INVALID_ARGUMENT);
  REQUIRE(vt_engine_set_model_limit(engine, size - 1) == VT_OK);
  CHECK(vt_engine_load_model(engine, bytes.data(), size) == VT_LIMIT_EXCEEDED);
  CHECK(std::string(vt_engine_last_error(engine)).find(std::to_string(size - 1)) != std::string::npos);
  const char* ids = nullptr;
  REQUIRE(vt_engine_vocabulary(engine, &ids) == VT_OK);  // the old model stays
  CHECK(std::string(ids) == "a\nb\nc\nd");
  REQUIRE(vt_engine_set_model_limit(engine, size) == VT_OK);
  CHECK(vt_engine_load_model(engine, bytes.data(), size) == VT_OK);
  vt_engine_release(engine);
}
