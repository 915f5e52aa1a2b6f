#include "eval/item_codes_file.h"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unordered_set>

namespace vitrine::eval {
namespace {

constexpr char kFormat[] = "vitrine-item-codes";

Status bad(const std::string& what) {
  return Status(StatusCode::kBAD_INPUT, "item codes file: " + what);
}

}  // namespace

std::string format_item_codes_file(const ItemCodesFile& file) {
  std::string out = "{\"format\":\"" + std::string(kFormat) +
                    "\",\"version\":1,\"subspaces\":" + std::to_string(file.subspaces) +
                    ",\"tag\":" + std::to_string(file.tag) + ",\"codes\":{";
  for (size_t i = 0; i < file.ids.size(); ++i) {
    out += i == 0 ? "\n" : ",\n";
    out += nlohmann::json(file.ids[i]).dump() + ":" + nlohmann::json(file.codes[i]).dump();
  }
  out += "\n}}\n";
  return out;
}

Result<ItemCodesFile> parse_item_codes_file(const std::string& text) {
  // ordered_json keeps the products in the file's order, which is the model's item order. A JSON object may repeat
  // a key, which the parser would fold into one; the callback sees every key of "codes" (depth 2) first.
  std::string top_key, repeated;
  std::unordered_set<std::string> keys;
  const auto watch = [&](int depth, nlohmann::ordered_json::parse_event_t event, nlohmann::ordered_json& parsed) {
    if (event != nlohmann::ordered_json::parse_event_t::key) return true;
    if (depth == 1) top_key = parsed.get<std::string>();
    if (depth == 2 && top_key == "codes" && !keys.insert(parsed.get<std::string>()).second && repeated.empty())
      repeated = parsed.get<std::string>();
    return true;
  };
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, watch, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (!repeated.empty()) return bad("product '" + repeated + "' is listed twice");
  if (j.value("format", "") != kFormat) return bad("\"format\" is not \"" + std::string(kFormat) + "\"");
  if (!j.contains("version") || j["version"] != 1) return bad("\"version\" is not 1");
  ItemCodesFile out;
  const auto& subspaces = j.value("subspaces", nlohmann::ordered_json());
  const auto& tag = j.value("tag", nlohmann::ordered_json());
  if (!subspaces.is_number_unsigned() || subspaces.get<uint64_t>() == 0 || subspaces.get<uint64_t>() > 1024)
    return bad("\"subspaces\" must be a whole number 1..1024");
  if (!tag.is_number_unsigned() || tag.get<uint64_t>() > 0xFFFF) return bad("\"tag\" must be a whole number 0..65535");
  out.subspaces = subspaces.get<uint32_t>();
  out.tag = tag.get<uint16_t>();
  if (!j.contains("codes") || !j["codes"].is_object()) return bad("\"codes\" must be an object");
  for (const auto& [id, code] : j["codes"].items()) {
    if (!code.is_string()) return bad("the code of '" + id + "' is not a string");
    out.ids.push_back(id);
    out.codes.push_back(code.get<std::string>());
  }
  return out;
}

Result<ItemCodesFile> read_item_codes_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open the item codes file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto file = parse_item_codes_file(text);
  if (!file.ok()) return Status(file.status().code(), path + ": " + file.status().message());
  return file;
}

}  // namespace vitrine::eval
