// The rank request message (wire_format.h): what decode_rank_request accepts, and how it refuses each way a message
// can be broken. Hostile bytes never crash it and never half-decode.
#include "vitrine/wire.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace vitrine;

namespace {

RankRequest sample_request() {
  RankRequest r;
  r.now_ms = 1733000000000.0;
  r.blend = 2.5f;
  r.rank_by = RankBy::kConversion;
  ShopperEvent view;
  view.kind = EventKind::kVIEW;
  view.time_ms = 1732999990000.0;
  view.dwell_ms = 4200.0;
  view.item = "sku-1";
  view.category = "shoes";
  view.brand = "acme";
  view.price = 49.5f;
  ShopperEvent search;
  search.kind = EventKind::kSEARCH;
  search.time_ms = 1732999995000.0;
  search.query = "red <b>boots</b> \xf0\x9d\x95\x8d";
  r.events = {view, search};
  Candidate a;
  a.id = "sku-1";
  a.category = "shoes";
  a.price = 12.0f;
  a.position = 3;
  a.boost = -1.5f;
  a.available = false;
  Candidate b;
  b.id = "sku-2";
  r.candidates = {a, b};
  return r;
}

template <class T>
void poke(std::vector<uint8_t>& bytes, size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

constexpr size_t kFirstCandidate = VT_WIRE_REQUEST_HEADER + 2 * VT_WIRE_EVENT_BYTES;
constexpr size_t kStringEnds = kFirstCandidate + 2 * VT_WIRE_CANDIDATE_BYTES;
constexpr size_t kSampleStrings = 5;  // sku-1, shoes, acme, the query, sku-2

Status status_of(const std::vector<uint8_t>& bytes, const RequestLimits& limits = RequestLimits()) {
  return decode_rank_request(bytes.data(), bytes.size(), limits).status();
}

}  // namespace

TEST_CASE("a request survives encode and decode field by field", "[wire]") {
  const RankRequest want = sample_request();
  const std::vector<uint8_t> bytes = encode_rank_request(want);
  auto got = decode_rank_request(bytes.data(), bytes.size());
  REQUIRE(got.ok());
  const RankRequest& r = got.value();
  CHECK(r.now_ms == want.now_ms);
  CHECK(r.blend == 2.5f);
  CHECK(r.rank_by == RankBy::kConversion);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].kind == EventKind::kVIEW);
  CHECK(r.events[0].time_ms == want.events[0].time_ms);
  CHECK(r.events[0].dwell_ms == 4200.0);
  CHECK(r.events[0].item == "sku-1");
  CHECK(r.events[0].brand == "acme");
  CHECK(r.events[0].price == 49.5f);
  CHECK(r.events[1].query == want.events[1].query);  // kept as data
  CHECK(r.events[1].item.empty());
  CHECK(r.events[1].price < 0.0f);
  REQUIRE(r.candidates.size() == 2);
  CHECK(r.candidates[0].id == "sku-1");
  CHECK(r.candidates[0].position == 3);
  CHECK(r.candidates[0].boost == -1.5f);
  CHECK_FALSE(r.candidates[0].available);
  CHECK(r.candidates[1].position == -1);
  CHECK(r.candidates[1].available);
  // "sku-1" and "shoes" are shared by the event and the candidate.
  uint32_t strings = 0;
  std::memcpy(&strings, bytes.data() + VT_WIRE_REQUEST_N_STRINGS, 4);
  CHECK(strings == kSampleStrings);
}

TEST_CASE("every truncation and every extra byte is refused", "[wire]") {
  const std::vector<uint8_t> bytes = encode_rank_request(sample_request());
  for (size_t size = 0; size < bytes.size(); ++size) {
    INFO(size);
    CHECK(decode_rank_request(bytes.data(), size).status().code() == StatusCode::kBAD_INPUT);
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back('x');
  CHECK_THAT(status_of(longer).message(), Catch::Contains("1 bytes follow the last string"));
}

TEST_CASE("broken structure is named: magic, counts, string table, refs, UTF-8", "[wire]") {
  const std::vector<uint8_t> good = encode_rank_request(sample_request());
  REQUIRE(status_of(good).ok());
  auto broken = [&](auto change) {
    std::vector<uint8_t> bytes = good;
    change(bytes);
    return status_of(bytes);
  };
  CHECK_THAT(broken([](auto& b) { b[0] = 'X'; }).message(), Catch::Contains("VTQ1"));
  CHECK_THAT(broken([](auto& b) { poke<uint32_t>(b, VT_WIRE_REQUEST_N_EVENTS, 0xFFFFFFFFu); }).message(),
             Catch::Contains("more than"));
  RequestLimits many;
  many.max_events = 0xFFFFFFFFu;
  std::vector<uint8_t> huge_count = good;
  poke<uint32_t>(huge_count, VT_WIRE_REQUEST_N_EVENTS, 0xFFFFFFFFu);
  CHECK_THAT(status_of(huge_count, many).message(), Catch::Contains("counts need at least"));
  CHECK_THAT(broken([](auto& b) { poke<uint32_t>(b, VT_WIRE_REQUEST_N_STRINGS, 1); }).message(),
             Catch::Contains("follow the last string"));
  CHECK_THAT(broken([](auto& b) { poke<uint32_t>(b, kStringEnds + 4, 0); }).message(), Catch::Contains("strings[1]"));
  CHECK_THAT(broken([](auto& b) { poke<uint32_t>(b, VT_WIRE_REQUEST_HEADER + VT_WIRE_EVENT_BRAND, 99); }).message(),
             Catch::Contains("events[0].brand: string 99 is past"));
  CHECK_THAT(broken([](auto& b) {
               poke<uint32_t>(b, VT_WIRE_REQUEST_HEADER + VT_WIRE_EVENT_BRAND, VT_WIRE_NOT_A_STRING);
             }).message(),
             Catch::Contains("events[0].brand: expected a string"));
  // The first string is "sku-1": a lone continuation byte there is not UTF-8.
  const size_t text = kStringEnds + 4 * kSampleStrings;
  CHECK_THAT(broken([&](auto& b) { b[text] = 0x80; }).message(), Catch::Contains("events[0].item: not valid UTF-8"));
  RequestLimits short_strings;
  short_strings.max_string_bytes = 4;
  CHECK(status_of(good, short_strings).code() == StatusCode::kLIMIT_EXCEEDED);
  RequestLimits small;
  small.max_request_bytes = good.size() - 1;
  CHECK(status_of(good, small).code() == StatusCode::kLIMIT_EXCEEDED);
}

TEST_CASE("out-of-range values are refused naming the field", "[wire]") {
  const std::vector<uint8_t> good = encode_rank_request(sample_request());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const size_t event = VT_WIRE_REQUEST_HEADER, candidate = kFirstCandidate;
  const auto problem = [&](size_t at, auto value) {
    std::vector<uint8_t> bytes = good;
    poke(bytes, at, value);
    const Status s = status_of(bytes);
    CHECK(s.code() == StatusCode::kBAD_INPUT);
    return s.message();
  };
  CHECK_THAT(problem(VT_WIRE_REQUEST_NOW, std::nan("")), Catch::Contains("request.now"));
  CHECK_THAT(problem(VT_WIRE_REQUEST_BLEND, nan), Catch::Contains("request.blend"));
  CHECK_THAT(problem(VT_WIRE_REQUEST_BLEND, -2.0f), Catch::Contains("request.blend"));
  CHECK_THAT(problem(VT_WIRE_REQUEST_BLEND, 101.0f), Catch::Contains("request.blend"));
  CHECK_THAT(problem(VT_WIRE_REQUEST_RANK_BY, uint32_t{3}), Catch::Contains("request.rank_by"));
  CHECK_THAT(problem(event + VT_WIRE_EVENT_KIND, uint32_t{VITRINE_EVENT_KIND_COUNT}),
             Catch::Contains("events[0].kind"));
  CHECK_THAT(problem(event + VT_WIRE_EVENT_TIME, std::numeric_limits<double>::infinity()),
             Catch::Contains("events[0].t"));
  CHECK_THAT(problem(event + VT_WIRE_EVENT_DWELL, nan), Catch::Contains("events[0].dwell"));
  CHECK_THAT(problem(event + VT_WIRE_EVENT_PRICE, nan), Catch::Contains("events[0].price"));
  CHECK_THAT(problem(event + VT_WIRE_EVENT_ITEM, uint32_t{0}), Catch::Contains("events[0].item: required"));
  CHECK_THAT(problem(candidate + VT_WIRE_CANDIDATE_ID, uint32_t{0}), Catch::Contains("candidates[0].id: required"));
  CHECK_THAT(problem(candidate + VT_WIRE_CANDIDATE_POSITION, int32_t{-2}), Catch::Contains("candidates[0].position"));
  CHECK_THAT(problem(candidate + VT_WIRE_CANDIDATE_BOOST, 100.5f), Catch::Contains("candidates[0].boost"));
  CHECK_THAT(problem(candidate + VT_WIRE_CANDIDATE_AVAILABLE, uint32_t{2}), Catch::Contains("candidates[0].available"));

  // What decoding forgives: a negative or huge price is unknown, a negative dwell is none, -1 is the default blend.
  std::vector<uint8_t> lenient = good;
  poke(lenient, event + VT_WIRE_EVENT_PRICE, 3e38f);
  poke(lenient, event + VT_WIRE_EVENT_DWELL, -5.0f);
  poke(lenient, candidate + VT_WIRE_CANDIDATE_PRICE, -3.0f);
  poke(lenient, VT_WIRE_REQUEST_BLEND, -1.0f);
  auto r = decode_rank_request(lenient.data(), lenient.size());
  REQUIRE(r.ok());
  CHECK(r.value().events[0].price < 0.0f);
  CHECK(r.value().events[0].dwell_ms == 0.0);
  CHECK(r.value().candidates[0].price < 0.0f);
  CHECK(r.value().blend < 0.0f);
}

TEST_CASE("a JSON request maps to the message the package would send", "[wire]") {
  auto from_json = rank_request_wire_from_json(
      R"({"now": 1733000000000, "blend": 2.5, "rank_by": "conversion",
          "events": [{"kind": 0, "t": 1732999990000, "dwell": 4200, "item": "sku-1", "category": "shoes",
                      "brand": "acme", "price": 49.5},
                     {"kind": 4, "t": 1732999995000, "query": "red <b>boots</b> \ud835\udd4d"}],
          "candidates": [{"id": "sku-1", "category": "shoes", "price": 12, "position": 3, "boost": -1.5,
                          "available": false},
                         {"id": "sku-2"}]})");
  REQUIRE(from_json.ok());
  CHECK(from_json.value() == encode_rank_request(sample_request()));
  CHECK(rank_request_wire_from_json("{not json").status().code() == StatusCode::kBAD_INPUT);
  CHECK(rank_request_wire_from_json("[]").status().code() == StatusCode::kBAD_INPUT);
}

TEST_CASE("explanations refuse a factor kind the wire does not know", "[wire]") {
  Explanation e;
  e.factors.push_back({"category", "shoes", 1.0f, 3, -1.0f});
  REQUIRE(encode_explanations({e}).ok());
  e.factors.push_back({"horoscope", "", 1.0f, 0, -1.0f});
  CHECK(encode_explanations({e}).status().code() == StatusCode::kINTERNAL);
}
