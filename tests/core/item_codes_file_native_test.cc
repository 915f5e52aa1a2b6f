// The codes file of `vitrine export-codes` (models/eval/item_codes_file.h): order kept, every bad shape refused.
#include <catch2/catch.hpp>
#include <string>

#include "eval/item_codes_file.h"

using namespace vitrine;
using namespace vitrine::eval;

TEST_CASE("the item codes file keeps the model's item order and refuses what it cannot map", "[item_codes]") {
  ItemCodesFile file;
  file.subspaces = 4;
  file.tag = 513;
  // Not in sorted order, with characters JSON must escape: the order is the model's item order.
  file.ids = {"zeta", "alpha", "quote\"d", "tab\there", "m"};
  file.codes = {"AQIDBA", "BQYHCA", "CQoLDA", "DQ4PEA", "ERITFA"};
  const std::string text = format_item_codes_file(file);
  auto back = parse_item_codes_file(text);
  INFO(back.status().to_string());
  REQUIRE(back.ok());
  CHECK(back.value().ids == file.ids);
  CHECK(back.value().codes == file.codes);
  CHECK(back.value().subspaces == 4);
  CHECK(back.value().tag == 513);

  const std::string head = R"({"format":"vitrine-item-codes","version":1,"subspaces":4,"tag":513,"codes":)";
  const auto refused = [](const std::string& t, const std::string& words) {
    auto r = parse_item_codes_file(t);
    INFO(t);
    CHECK(r.status().code() == StatusCode::kBAD_INPUT);
    CHECK(r.status().message().find(words) != std::string::npos);
  };
  refused(head + R"({"a":"AA","b":"BB","a":"CC"}})", "'a' is listed twice");
  refused(head + R"({"a":7}})", "code of 'a'");
  refused(head + R"({"a":"AA","b":{"c":"CC"}}})", "code of 'b'");
  refused(head + R"({"a":["AA"]}})", "code of 'a'");
  refused(head + R"([]})", "\"codes\"");
  refused(R"({"format":"other","version":1,"subspaces":4,"tag":1,"codes":{}})", "format");
  refused(R"({"format":"vitrine-item-codes","version":2,"subspaces":4,"tag":1,"codes":{}})", "version");
  refused(R"({"format":"vitrine-item-codes","version":1,"subspaces":0,"tag":1,"codes":{}})", "subspaces");
  refused(R"({"format":"vitrine-item-codes","version":1,"subspaces":4,"tag":70000,"codes":{}})", "tag");
  refused(text.substr(0, text.size() / 2), "not a JSON object");
}

TEST_CASE("a codes file of many products reads in linear time", "[item_codes]") {
  // The parser once kept the codes in an ordered_json object, whose inserts scan its keys: these 200,000 products
  // took 37 s (a million, hours) where they now take 0.25 s. No time is asserted; a slow run shows in ctest's times.
  ItemCodesFile file;
  file.subspaces = 2;
  file.tag = 7;
  for (int i = 0; i < 200000; ++i) {
    file.ids.push_back("p" + std::to_string(i));
    file.codes.push_back("c" + std::to_string(i));
  }
  auto back = parse_item_codes_file(format_item_codes_file(file));
  REQUIRE(back.ok());
  CHECK(back.value().ids == file.ids);
  CHECK(back.value().codes == file.codes);
}
