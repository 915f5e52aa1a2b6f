// The engine's own JSON reader and writer (vitrine/json_value.h): what RFC 8259 allows reads, everything else is
// refused at the right byte, numbers keep their exact integers, and written text reads back to the same value.
// Runs natively, under sanitizers and in wasm.
#include "vitrine/json_value.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "vitrine/splitmix64.h"

using vitrine::JsonValue;
using vitrine::parse_json;
using vitrine::StatusCode;
using vitrine::write_json;

namespace {

constexpr size_t kDepth = 32;

JsonValue parse_ok(const std::string& text, size_t depth = kDepth) {
  auto r = parse_json(text, depth);
  INFO(text << " -> " << r.status().to_string());
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Refused with BAD_INPUT (or `code`) at byte `at`, the message naming that byte.
void expect_refused(const std::string& text, size_t at, StatusCode code = StatusCode::kBAD_INPUT,
                    const std::string& says = "") {
  size_t offset = SIZE_MAX;
  auto r = parse_json(text, kDepth, &offset);
  INFO("text: " << text << "\nstatus: " << r.status().to_string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == code);
  CHECK(offset == at);
  CHECK_THAT(r.status().message(), Catch::StartsWith("byte " + std::to_string(at) + ": "));
  CHECK_THAT(r.status().message(), Catch::Contains(says));
}
void expect_refused(const std::string& text, size_t at, const std::string& says) {
  expect_refused(text, at, StatusCode::kBAD_INPUT, says);
}

}  // namespace

TEST_CASE("json: every kind of value reads, objects in document order", "[json]") {
  const JsonValue v = parse_ok(
      " {\"z\": null, \"b\": true, \"a\": false, \"n\": -12.5e1, \"s\": \"h\\u00e9\\n\", \"arr\": [1, [], {}], "
      "\"o\": {\"k\": \"v\"}}\r\n\t");
  REQUIRE(v.is_object());
  REQUIRE(v.size() == 7);
  const char* const order[] = {"z", "b", "a", "n", "s", "arr", "o"};
  for (size_t i = 0; i < 7; ++i) CHECK(v.members()[i].key == order[i]);
  CHECK(v.find("z")->is_null());
  CHECK(v.find("b")->as_bool());
  CHECK(v.find("a")->is_bool());
  CHECK_FALSE(v.find("a")->as_bool());
  CHECK(v.find("n")->as_double() == -125.0);
  CHECK_FALSE(v.find("n")->is_integer());
  CHECK(v.find("s")->as_string() == "h\xC3\xA9\n");
  CHECK(v.find("arr")->items().size() == 3);
  CHECK(v.find("arr")->items()[1].is_array());
  CHECK(v.find("arr")->items()[2].is_object());
  CHECK(v.find("o")->find("k")->as_string() == "v");
  CHECK(v.find("missing") == nullptr);
  CHECK(std::string(v.type_name()) == "object");
  // Scalars are JSON texts too.
  CHECK(parse_ok("7").as_uint64() == 7u);
  CHECK(parse_ok("\"x\"").as_string() == "x");
  CHECK(parse_ok("null").is_null());
}

TEST_CASE("json: numbers keep integer literals exactly and the nearest double", "[json]") {
  const JsonValue max_u = parse_ok("18446744073709551615");
  CHECK(max_u.is_integer());
  CHECK(max_u.as_uint64() == UINT64_MAX);
  CHECK_FALSE(max_u.as_int64().has_value());
  const JsonValue min_i = parse_ok("-9223372036854775808");
  CHECK(min_i.as_int64() == INT64_MIN);
  CHECK_FALSE(min_i.as_uint64().has_value());
  CHECK(parse_ok("9007199254740993").as_uint64() == 9007199254740993u);  // not a double, kept exactly
  CHECK(parse_ok("-1").as_int64() == -1);
  CHECK(parse_ok("0").as_uint64() == 0u);
  CHECK(parse_ok("-0").as_uint64() == 0u);
  // Past 64 bits, or with a fraction or exponent: a plain number.
  const JsonValue big = parse_ok("18446744073709551616");
  CHECK_FALSE(big.is_integer());
  CHECK(big.as_double() == 18446744073709551616.0);
  CHECK_FALSE(parse_ok("-9223372036854775809").is_integer());
  CHECK_FALSE(parse_ok("5.0").is_integer());
  CHECK_FALSE(parse_ok("5.0").as_uint64().has_value());
  CHECK_FALSE(parse_ok("5e0").is_integer());
  CHECK(parse_ok("1E+2").as_double() == 100.0);
  CHECK(parse_ok("0.1").as_double() == 0.1);
  CHECK(parse_ok("2.2250738585072014e-308").as_double() == 2.2250738585072014e-308);
  CHECK(parse_ok("1e-400").as_double() == 0.0);  // underflow reads as zero
  CHECK(parse_ok("1.7976931348623157e308").as_double() == std::numeric_limits<double>::max());
}

// decimal_to_double against the C library's strtod (glibc natively, musl in wasm; both round correctly).
namespace {

double reference_strtod(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}

void check_like_strtod(const std::string& text) {
  INFO(text);
  const std::optional<double> ours = vitrine::decimal_to_double(text);
  const double reference = reference_strtod(text);
  if (std::isinf(reference)) {
    CHECK_FALSE(ours.has_value());
  } else {
    REQUIRE(ours.has_value());
    CHECK(std::memcmp(&*ours, &reference, sizeof reference) == 0);  // bit for bit: the sign of zero too
  }
}

}  // namespace

TEST_CASE("json: decimal_to_double rounds as strtod, at the edges of the format", "[json]") {
  const std::string halfway_above_one = "1.00000000000000011102230246251565404236316680908203125";  // 1 + 2^-53
  for (const std::string& text : {
           std::string("0"),
           std::string("-0"),
           std::string("-0.0e5"),
           std::string("1"),
           std::string("0.1"),
           std::string("9007199254740992"),
           std::string("9007199254740993"),  // 2^53 + 1: a tie, to even
           std::string("9007199254740995"),
           std::string("1e22"),
           std::string("1e23"),
           std::string("8.9e-1"),
           std::string("123456789012345678901234567890e-40"),
           std::string("2.2250738585072011e-308"),
           std::string("2.2250738585072014e-308"),
           std::string("4.9406564584124654e-324"),
           std::string("2.4703282292062327e-324"),  // just under half the smallest subnormal: zero
           std::string("2.4703282292062328e-324"),  // just over: the smallest subnormal
           std::string("-2.4703282292062328e-324"),
           std::string("1.7976931348623157e308"),
           std::string("1.7976931348623158e308"),  // rounds down to the largest double
           std::string("1.7976931348623159e308"),  // rounds up past it
           std::string("1e309"),
           std::string("1e-400"),
           std::string("0.000000000000000000000000000001e330"),
           halfway_above_one,                                    // a tie, to even: 1
           halfway_above_one + std::string(900, '0') + "1",      // a nonzero digit past the 800 kept: up
           std::string("0.") + std::string(900, '0') + "5e905",  // leading zeros do not count as digits
           std::string(400, '9') + "e-400",
           std::string("1e100000000000000000000"),
           std::string("1e-100000000000000000000"),
       }) {
    check_like_strtod(text);
  }
  CHECK(vitrine::decimal_to_double(halfway_above_one) == 1.0);
  CHECK(vitrine::decimal_to_double(halfway_above_one + std::string(900, '0') + "1") == 1.0 + 0x1p-52);
  CHECK(std::signbit(*vitrine::decimal_to_double("-0")));
  CHECK_FALSE(vitrine::decimal_to_double("1.7976931348623159e308").has_value());
}

TEST_CASE("json: decimal_to_double rounds as strtod on seeded random literals", "[json]") {
  const uint64_t seed = 20261207;
  INFO("seed " << seed);
  vitrine::SplitMix64 rng{seed};
  char buf[64];
  for (int round = 0; round < 5000; ++round) {
    // A double from random bits, written with every precision from 1 to 19 (17 reads back exactly).
    uint64_t bits = rng.next();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    const int precision = 1 + static_cast<int>(rng.next() % 19);
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    check_like_strtod(buf);
    std::snprintf(buf, sizeof buf, "%.17g", d);
    CHECK(vitrine::decimal_to_double(buf) == d);
    // Random digits, a random point and exponent: most land far from a double, some in the subnormals.
    std::string text = rng.next() % 2 != 0 ? "-" : "";
    const size_t length = 1 + rng.next() % 40;
    for (size_t k = 0; k < length; ++k) text += static_cast<char>('0' + rng.next() % 10);
    if (rng.next() % 2 != 0) text.insert(text.size() - rng.next() % length, ".");
    text += "e" + std::to_string(static_cast<int>(rng.next() % 700) - 350);
    check_like_strtod(text);
  }
}

TEST_CASE("json: shortest_decimal is printf's %.*g at the fewest digits that read back", "[json]") {
  const uint64_t seed = 20261208;
  INFO("seed " << seed);
  vitrine::SplitMix64 rng{seed};
  char buf[40];
  const auto printf_shortest = [&](double d) {
    for (int precision = 1; precision <= 17; ++precision) {
      std::snprintf(buf, sizeof buf, "%.*g", precision, d);
      if (std::strtod(buf, nullptr) == d) break;
    }
    return std::string(buf);
  };
  std::vector<double> values = {0.1,
                                -0.0,
                                0.0,
                                1.0,
                                2.5,
                                100.0,
                                1e15,
                                1e16,
                                1e17,
                                1e21,
                                1e22,
                                1e23,
                                1e-5,
                                1e-4,
                                0.00012,
                                123456.,
                                1234567,
                                1e300,
                                5e-324,
                                1e-310,
                                2.2250738585072014e-308,
                                1.7976931348623157e308,
                                0.3,
                                2.0 / 3,
                                1152921504606846976.0,
                                9007199254740993.0};
  for (int k = 0; k < 1000; ++k) {
    const uint64_t bits = rng.next();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (std::isfinite(d)) values.push_back(d);
    values.push_back(static_cast<double>(rng.next() % 100000) / 100.0);  // prices
    values.push_back(static_cast<double>(static_cast<float>(d)));        // floats as the model file holds them
  }
  for (const double d : values) {
    if (!std::isfinite(d)) continue;
    INFO(printf_shortest(d));
    CHECK(vitrine::shortest_decimal(d) == printf_shortest(d));
  }
  CHECK(vitrine::shortest_decimal(std::numeric_limits<double>::infinity()) == "inf");
}

TEST_CASE("json: strings decode escapes and UTF-8, pairing surrogates", "[json]") {
  CHECK(parse_ok(R"("\"\\\/\b\f\n\r\t")").as_string() == "\"\\/\b\f\n\r\t");
  CHECK(parse_ok(R"("\u0041\u00e9\u20AC\ud83d\ude00")").as_string() == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  CHECK(parse_ok(R"("\u0000")").as_string() == std::string(1, '\0'));  // escaped NUL is text, not a NUL byte
  CHECK(parse_ok("\"\xF4\x8F\xBF\xBF \xE2\x82\xAC\"").as_string() == "\xF4\x8F\xBF\xBF \xE2\x82\xAC");
  CHECK(parse_ok("\"\x7F\"").as_string() == "\x7F");
}

TEST_CASE("json: the text refused, each at its first bad byte", "[json]") {
  // Literals and numbers.
  expect_refused("NaN", 0);
  expect_refused("[Infinity]", 1);
  expect_refused("[-Infinity]", 2);
  expect_refused("[nul]", 1);
  expect_refused("[True]", 1);
  expect_refused("01", 0, "leading zero");
  expect_refused("[-012]", 2, "leading zero");
  expect_refused("[1.]", 3);
  expect_refused("[.5]", 1);
  expect_refused("[1e]", 3);
  expect_refused("[1e+]", 4);
  expect_refused("[+1]", 1);
  expect_refused("[-]", 2);
  expect_refused("[0x10]", 2);
  expect_refused("1e400", 0, "out of the range");
  expect_refused("[-1e400]", 1);
  // Structure.
  expect_refused("[1,]", 3, "trailing comma");
  expect_refused("[1,2,\n]", 6, "trailing comma");
  expect_refused("{\"a\":1,}", 7, "trailing comma");
  expect_refused("{\"a\" 1}", 5);
  expect_refused("{a:1}", 1);
  expect_refused("{'a':1}", 1);
  expect_refused("[1 2]", 3);
  expect_refused("[1", 2);
  expect_refused("{\"a\":1", 6);
  expect_refused("", 0);
  expect_refused("   ", 3);
  expect_refused("[1] x", 4, "after the JSON value");
  expect_refused("{} {}", 3);
  expect_refused("[1]/* c */", 3);
  expect_refused(
      "[\x0B"
      "1]",
      1);  // vertical tab is not JSON whitespace
  expect_refused("{\"a\":1,\"a\":2}", 7, "key twice: 'a'");
  expect_refused("{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k2\":0}", 64);
  // NUL bytes, inside and outside strings.
  expect_refused(std::string("[1]\0", 4), 3);
  expect_refused(std::string("[\0]", 3), 1, "NUL byte");
  expect_refused(std::string("\"a\0b\"", 5), 2, "NUL byte");
  // Strings.
  expect_refused("\"abc", 4);
  expect_refused("\"a\x01\"", 2, "control character");
  expect_refused("\"tab\there\"", 4);
  expect_refused("\"line\nbreak\"", 5);
  expect_refused(R"("\x41")", 1);
  expect_refused(R"("\u12G4")", 5);
  expect_refused(R"("\u12")", 5);
  expect_refused(R"("\ud800")", 1, "lone high surrogate");
  expect_refused(R"("\ud800x")", 1);
  expect_refused(R"("\ud800\u0041")", 1);
  expect_refused(R"("\udc00")", 1, "lone low surrogate");
  expect_refused(R"("ok\ude00\ud800")", 3);
  // Invalid UTF-8: stray continuation, overlong, surrogate, past U+10FFFF, truncated sequence, bad lead bytes.
  expect_refused("\"a\x80\"", 2, "invalid UTF-8");
  expect_refused("\"\xC0\xAF\"", 1);
  expect_refused("\"\xE0\x80\xAF\"", 1);
  expect_refused("\"ab\xED\xA0\x80\"", 3);
  expect_refused("\"\xF4\x90\x80\x80\"", 1);
  expect_refused("\"\xE2\x82\"", 1);
  expect_refused("\"\xFF\"", 1);
  expect_refused("[\"\xC3\xA9\", \"\xF8\x88\x80\x80\x80\"]", 8);
  expect_refused("\xEF\xBB\xBF{}", 0);  // a byte order mark is not JSON text
}

TEST_CASE("json: nesting past max_depth is LIMIT_EXCEEDED at the bracket that goes too deep", "[json]") {
  CHECK(parse_ok("[[[]]]", 3).is_array());
  CHECK(parse_ok("{\"a\":{\"b\":[1]}}", 3).is_object());
  CHECK(parse_ok("1", 0).is_number());
  size_t offset = 0;
  auto r = parse_json("[[[[]]]]", 3, &offset);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kLIMIT_EXCEEDED);
  CHECK(offset == 3);
  CHECK_THAT(r.status().message(), Catch::Contains("max_depth is 3"));
  CHECK(parse_json("{\"a\":{\"b\":{}}}", 2, &offset).status().code() == StatusCode::kLIMIT_EXCEEDED);
  CHECK(offset == 10);
  CHECK(parse_json("{}", 0).status().code() == StatusCode::kLIMIT_EXCEEDED);
  // Far deeper than the limit: refused without descending further.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(parse_json(deep, kDepth, &offset).status().code() == StatusCode::kLIMIT_EXCEEDED);
  CHECK(offset == kDepth);
}

TEST_CASE("json: compact text reads back to the same value", "[json]") {
  const std::vector<std::string> texts = {"null",
                                          "true",
                                          "false",
                                          "0",
                                          "-1",
                                          "18446744073709551615",
                                          "-9223372036854775808",
                                          "0.1",
                                          "-2.5e-300",
                                          "1.7976931348623157e+308",
                                          "[]",
                                          "{}",
                                          "\"\"",
                                          R"("\"\\\b\f\n\r\t\u0001\u001f/é€😀")",
                                          R"({"b":[1,2.5,{"c":null}],"a":{"x":"y"},"z":[[[]]]})",
                                          "123456789012345678901234567890",
                                          "1e22",
                                          "5e-324"};
  for (const std::string& text : texts) {
    INFO(text);
    const JsonValue v = parse_ok(text);
    const std::string written = write_json(v);
    const JsonValue back = parse_ok(written);
    CHECK(back == v);
    CHECK(write_json(back) == written);  // writing is a fixed point after one round
    CHECK(back.is_integer() == v.is_integer());
  }
  // Exact spellings: compact, members in order, escapes as JSON needs them, doubles short and non-integer.
  CHECK(write_json(parse_ok(" { \"b\" : [ 1 , 2 ] , \"a\" : \"x\" } ")) == R"({"b":[1,2],"a":"x"})");
  CHECK(write_json(parse_ok(R"("\u0001\u001F\"\\\/")")) == R"("\u0001\u001f\"\\/")");
  CHECK(write_json(JsonValue::number(2.0)) == "2.0");
  CHECK(write_json(JsonValue::number(0.1)) == "0.1");
  CHECK(write_json(JsonValue::number(1e300)) == "1e+300");
  CHECK(write_json(JsonValue::number(-0.0)) == "-0.0");
  CHECK(write_json(JsonValue::number(std::numeric_limits<double>::quiet_NaN())) == "null");
  CHECK(write_json(JsonValue::number(INFINITY)) == "null");
  CHECK(write_json(JsonValue::integer(INT64_MIN)) == "-9223372036854775808");
  CHECK(write_json(JsonValue::unsigned_integer(UINT64_MAX)) == "18446744073709551615");
  // Invalid UTF-8 in a built string is written as U+FFFD, so the text is always valid JSON.
  const std::string replaced =
      write_json(JsonValue::string("a\xFF"
                                   "b\xC3"));
  CHECK(replaced ==
        "\"a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD\"");
  CHECK(parse_ok(replaced).as_string() ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD");
}

TEST_CASE("json: values built in code, edited and compared", "[json]") {
  JsonValue o = JsonValue::object();
  o.set("k", JsonValue::integer(-3));
  o.set("s", JsonValue::string("v"));
  o.set("k", JsonValue::integer(4));  // replaces in place
  JsonValue arr;
  arr.push_back(JsonValue::boolean(true));
  arr.push_back(JsonValue());
  o.set("arr", arr);
  CHECK(write_json(o) == R"({"k":4,"s":"v","arr":[true,null]})");
  CHECK(o.erase("s"));
  CHECK_FALSE(o.erase("s"));
  CHECK(write_json(o) == R"({"k":4,"arr":[true,null]})");
  // Objects compare as sets of members; numbers by value.
  CHECK(parse_ok(R"({"a":1,"b":[2]})") == parse_ok(R"({"b":[2],"a":1})"));
  CHECK(parse_ok(R"({"a":1})") != parse_ok(R"({"a":2})"));
  CHECK(parse_ok(R"({"a":1})") != parse_ok(R"({"a":1,"b":1})"));
  CHECK(parse_ok("[1,2]") != parse_ok("[2,1]"));
  CHECK(parse_ok("1") == parse_ok("1.0"));
  CHECK(parse_ok("-1") != parse_ok("18446744073709551615"));
  CHECK(parse_ok("\"1\"") != parse_ok("1"));
  // Accessors of the wrong type are harmless.
  const JsonValue s = JsonValue::string("x");
  CHECK(s.find("x") == nullptr);
  CHECK(s.size() == 0);
  CHECK(s.items().empty());
  CHECK_FALSE(s.as_bool());
  CHECK_FALSE(s.as_int64().has_value());
  CHECK(JsonValue().as_string().empty());
}

TEST_CASE("json: the fuzz target's seeds hold its promises", "[json][fuzz]") {
  // The libFuzzer target is tests/fuzz/fuzz_json_value.cc; its seeds are replayed here in every build.
  namespace fs = std::filesystem;
  size_t seeds = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(fs::path(VITRINE_FUZZ_DIR) / "corpus/json_value")) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    INFO(entry.path().string());
    CHECK(vitrine::fuzz::run_json_value(bytes.data(), bytes.size()));
    ++seeds;
  }
  CHECK(seeds >= 3);
  // And a few inputs made here: refused ones must report an offset within the text.
  for (const std::string& text :
       std::vector<std::string>{"[1,", "{\"a\":[1,2,{\"b\":\"\\ud83d\\ude00\"}]}",
                                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]", "\"\xE0\xA0\x80\"", "-0.0e-0"}) {
    INFO(text);
    CHECK(vitrine::fuzz::run_json_value(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
}
