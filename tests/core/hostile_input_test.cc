// Hostile content reaching the engine: markup, odd unicode, huge strings, absurd prices, oversized requests and
// models. The engine keeps strings as data, refuses what is past its limits with a
// clear status, and never returns a non-finite score.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "fuzz_inputs.h"
#include "vitrine/ranker.h"
#include "vitrine/wire.h"

using namespace vitrine;

namespace {

Ranker tiny_ranker() {
  const std::vector<uint8_t> bytes = fuzz::tiny_model_bytes();
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  REQUIRE(ranker.ok());
  return std::move(ranker).value();
}

std::string request_with(const std::string& candidate,
                         const std::string& event = R"({"kind":0,"item":"sku-1","t":1})") {
  return R"({"now":1000,"events":[)" + event + R"(],"candidates":[)" + candidate + R"(,{"id":"sku-2"}]})";
}

}  // namespace

TEST_CASE("markup and odd unicode in ids and attributes stay data and rank with finite scores", "[hostile]") {
  const Ranker ranker = tiny_ranker();
  const std::vector<std::string> ids = {R"(<img src=x onerror=alert(1)>)",
                                        R"(<script>alert(1)<\/script>)",
                                        "\u202e\u200bsku-1",
                                        "sku-1\u200d",
                                        "\xf0\x9d\x95\x8d",
                                        R"(\"quoted\" \\ back)"};
  for (const std::string& id : ids) {
    INFO(id);
    auto request = decode_rank_request_json(
        request_with(R"({"id":")" + id + R"(","category":")" + id + R"(","brand":"<b>","price":-5})"));
    REQUIRE(request.ok());
    CHECK(request.value().candidates[0].price < 0.0f);  // a negative price means unknown
    std::vector<float> scores(2);
    std::vector<Explanation> explanations;
    REQUIRE(ranker.rank(request.value(), scores.data(), &explanations).ok());
    CHECK(std::isfinite(scores[0]));
    CHECK(std::isfinite(scores[1]));
  }
}

TEST_CASE("absurd prices give finite scores and a price fit in [0, 1]", "[hostile]") {
  const Ranker ranker = tiny_ranker();
  for (const char* price : {"1e38", "3.4e38", "1e308", "-1e308", "0", "-0", "1e-45"}) {
    INFO(price);
    const std::string event = std::string(R"({"kind":2,"item":"sku-1","t":1,"price":)") + price + "}";
    auto request =
        decode_rank_request_json(request_with(std::string(R"({"id":"sku-3","price":)") + price + "}", event));
    if (!request.ok()) {  // refusing a price outside float range is fine, as long as it is said clearly
      CHECK(request.status().code() == StatusCode::kBAD_INPUT);
      continue;
    }
    std::vector<float> scores(2);
    REQUIRE(ranker.rank(request.value(), scores.data()).ok());
    CHECK(std::isfinite(scores[0]));
    const Profile profile = build_profile(request.value().events, request.value().now_ms);
    const float fit = price_fit(profile, request.value().candidates[0].price);
    CHECK(fit >= 0.0f);
    CHECK(fit <= 1.0f);
  }
}

TEST_CASE("NaN, lone surrogates, 1 MB strings and too many candidates are refused cleanly", "[hostile]") {
  CHECK(decode_rank_request_json(request_with(R"({"id":"a","price":NaN})")).status().code() == StatusCode::kBAD_INPUT);
  CHECK(decode_rank_request_json(request_with(R"({"id":"\ud800"})")).status().code() == StatusCode::kBAD_INPUT);
  const std::string huge(1 << 20, 'x');
  CHECK(decode_rank_request_json(request_with(R"({"id":")" + huge + R"("})")).status().code() ==
        StatusCode::kLIMIT_EXCEEDED);
  RequestLimits limits;
  limits.max_candidates = 1;
  CHECK(decode_rank_request_json(request_with(R"({"id":"a"})"), limits).status().code() == StatusCode::kLIMIT_EXCEEDED);
}

TEST_CASE("a NUL byte ends nothing: a request with one is refused, not cut short", "[hostile]") {
  // nlohmann/json stops reading at NUL, so `{...}\0<rest>` would decode as the part before it (found by the
  // stored_events fuzz target: a request whose candidates came after the NUL decoded with none).
  const std::string whole = request_with(R"({"id":"a"})");
  REQUIRE(decode_rank_request_json(whole).ok());
  const std::string cut = R"({"now":1000,"events":[]})" + std::string(1, '\0') + whole;
  const auto refused = decode_rank_request_json(cut);
  CHECK(refused.status().code() == StatusCode::kBAD_INPUT);
  CHECK_THAT(refused.status().message(), Catch::Contains("NUL byte at offset 24"));
}

TEST_CASE("a model larger than the configured limits is refused with LIMIT_EXCEEDED", "[hostile]") {
  const std::vector<uint8_t> bytes = fuzz::tiny_model_bytes();
  ModelLimits limits;
  limits.max_file_bytes = bytes.size() - 1;
  auto file = ModelFile::parse(bytes.data(), bytes.size(), limits);
  CHECK(file.status().code() == StatusCode::kLIMIT_EXCEEDED);
  limits = ModelLimits();
  limits.max_vocab = 5;  // the model has 6 products
  CHECK(Ranker::load(bytes.data(), bytes.size(), limits).status().code() == StatusCode::kLIMIT_EXCEEDED);
}

TEST_CASE("a number in a model's config that no float holds is refused, not narrowed", "[hostile]") {
  std::vector<uint8_t> bytes = fuzz::tiny_model_bytes();
  const std::string text(bytes.begin(), bytes.end());
  const size_t at = text.find("\"price_band_edges\":[30.0]");
  REQUIRE(at != std::string::npos);
  // 9e99 has the length of 30.0 and is far past FLT_MAX: converting it to float would be undefined behaviour.
  for (size_t i = 0; i < 4; ++i) bytes[at + 20 + i] = static_cast<uint8_t>("9e99"[i]);
  bytes = fuzz::with_valid_checksum(bytes.data(), bytes.size());
  const auto ranker = Ranker::load(bytes.data(), bytes.size());
  CHECK(ranker.status().code() == StatusCode::kMODEL_CORRUPT);
  CHECK(ranker.status().message().find("price_band_edges") != std::string::npos);
}
