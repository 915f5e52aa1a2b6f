// The C API boundary, natively and in wasm: handles, status codes and last-error messages.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

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
