#include "vitrine/status.h"

#include <catch2/catch.hpp>
#include <string>

using vitrine::Result;
using vitrine::Status;
using vitrine::StatusCode;

namespace {
Result<int> parse_positive(int x) {
  if (x <= 0) return Status(StatusCode::kBAD_INPUT, "expected a positive number, got " + std::to_string(x));
  return x * 2;
}
}  // namespace

TEST_CASE("status carries code and message", "[status]") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.to_string() == "OK");
  Status bad(StatusCode::kMODEL_TRUNCATED, "file is 10 bytes");
  CHECK_FALSE(bad.ok());
  CHECK(bad.to_string() == "MODEL_TRUNCATED: file is 10 bytes");
}

TEST_CASE("result holds a value or the reason there is none", "[status]") {
  auto good = parse_positive(21);
  REQUIRE(good.ok());
  CHECK(good.value() == 42);
  auto bad = parse_positive(-1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kBAD_INPUT);
  CHECK(bad.status().message().find("-1") != std::string::npos);
}

TEST_CASE("every status code has a distinct name", "[status]") {
  CHECK(std::string(vitrine::status_code_name(StatusCode::kOK)) == "OK");
  CHECK(std::string(vitrine::status_code_name(StatusCode::kINTERNAL)) == "INTERNAL");
  CHECK(std::string(vitrine::status_code_name(static_cast<StatusCode>(999))) == "UNKNOWN");
}
