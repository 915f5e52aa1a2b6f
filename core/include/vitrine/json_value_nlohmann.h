// Conversions between JsonValue (json_value.h, what the engine reads model headers into) and nlohmann::json (what
// the trainer, the tools and the tests build JSON with). Header-only, for code that links nlohmann/json anyway;
// nothing in the engine includes it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "vitrine/json_value.h"

namespace vitrine {

// Integers stay integers with their exact value, other numbers doubles; object members in JsonValue's order
// (nlohmann::json sorts them).
inline nlohmann::json to_nlohmann(const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      return nullptr;
    case JsonValue::Type::kBool:
      return value.as_bool();
    case JsonValue::Type::kNumber:
      if (const auto u = value.as_uint64()) return *u;
      if (const auto i = value.as_int64()) return *i;
      return value.as_double();
    case JsonValue::Type::kString:
      return value.as_string();
    case JsonValue::Type::kArray: {
      nlohmann::json out = nlohmann::json::array();
      for (const JsonValue& item : value.items()) out.push_back(to_nlohmann(item));
      return out;
    }
    case JsonValue::Type::kObject: {
      nlohmann::json out = nlohmann::json::object();
      for (const JsonMember& m : value.members()) out[m.key] = to_nlohmann(m.value);
      return out;
    }
  }
  return nullptr;
}

inline JsonValue from_nlohmann(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::boolean:
      return JsonValue::boolean(value.get<bool>());
    case nlohmann::json::value_t::number_unsigned:
      return JsonValue::unsigned_integer(value.get<uint64_t>());
    case nlohmann::json::value_t::number_integer:
      return JsonValue::integer(value.get<int64_t>());
    case nlohmann::json::value_t::number_float:
      return JsonValue::number(value.get<double>());
    case nlohmann::json::value_t::string:
      return JsonValue::string(value.get<std::string>());
    case nlohmann::json::value_t::array: {
      JsonValue out = JsonValue::array();
      for (const nlohmann::json& item : value) out.push_back(from_nlohmann(item));
      return out;
    }
    case nlohmann::json::value_t::object: {
      JsonValue out = JsonValue::object();
      for (auto it = value.begin(); it != value.end(); ++it) out.set(it.key(), from_nlohmann(it.value()));
      return out;
    }
    default:  // null, binary, discarded
      return JsonValue();
  }
}

}  // namespace vitrine
