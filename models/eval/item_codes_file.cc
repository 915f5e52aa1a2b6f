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
  // The codes are taken from the parser's callback, in the file's order (the model's item order), and left out of
  // the parsed document: an ordered_json object finds its keys by a linear scan, so a million of them in the
  // document would take hours. The callback also sees a repeated key, which the document would fold into one.
  // Depths as the parser counts them: the top object's keys are at 1, the entries of "codes" at 2.
  ItemCodesFile out;
  std::string top_key, repeated, not_text;
  std::unordered_set<std::string> keys;
  const auto watch = [&](int depth, nlohmann::ordered_json::parse_event_t event, nlohmann::ordered_json& parsed) {
    using Event = nlohmann::ordered_json::parse_event_t;
    if (depth == 1 && event == Event::key) top_key = parsed.get<std::string>();
    if (depth != 2 || top_key != "codes") return true;
    if (event == Event::key) {
      out.ids.push_back(parsed.get<std::string>());
      if (!keys.insert(out.ids.back()).second && repeated.empty()) repeated = out.ids.back();
      return false;  // kept, the key alone would go into the document (and its linear scan)
    }
    if (event == Event::value && parsed.is_string()) {
      out.codes.push_back(parsed.get<std::string>());
      return false;
    }
    if (event == Event::value || event == Event::object_start || event == Event::array_start) {
      if (not_text.empty() && !out.ids.empty()) not_text = out.ids.back();
      return false;
    }
    return true;
  };
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, watch, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (!repeated.empty()) return bad("product '" + repeated + "' is listed twice");
  if (j.value("format", "") != kFormat) return bad("\"format\" is not \"" + std::string(kFormat) + "\"");
  if (!j.contains("version") || j["version"] != 1) return bad("\"version\" is not 1");
  const auto& subspaces = j.value("subspaces", nlohmann::ordered_json());
  const auto& tag = j.value("tag", nlohmann::ordered_json());
  if (!subspaces.is_number_unsigned() || subspaces.get<uint64_t>() == 0 || subspaces.get<uint64_t>() > 1024)
    return bad("\"subspaces\" must be a whole number 1..1024");
  if (!tag.is_number_unsigned() || tag.get<uint64_t>() > 0xFFFF) return bad("\"tag\" must be a whole number 0..65535");
  out.subspaces = subspaces.get<uint32_t>();
  out.tag = tag.get<uint16_t>();
  if (!j.contains("codes") || !j["codes"].is_object()) return bad("\"codes\" must be an object");
  if (!not_text.empty()) return bad("the code of '" + not_text + "' is not a string");
  if (out.codes.size() != out.ids.size()) return bad("\"codes\" is not an object of code strings");
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
