// A small strict JSON reader and compact writer: the engine's own JSON, without a JSON library.
//
// The model file header (model_file.h) is read with parse_json(), and the JSON text the engine hands to JS (model
// info, build info) is written with write_json(). The trainer and the tools may use a full JSON library for their
// own output; this is what the shipped module links, so it is kept small.
//
// parse_json() accepts exactly RFC 8259 JSON text: one value with optional whitespace (space, tab, LF, CR) around
// it. It refuses, with the byte offset of the first problem, everything else, among others: NaN / Infinity,
// trailing commas, leading zeros, '+' signs, numbers that overflow a double, single quotes, comments, control
// characters (U+0000..U+001F) unescaped in strings, invalid UTF-8 (overlong forms, surrogates, past U+10FFFF),
// \u escapes that leave a surrogate unpaired, NUL bytes anywhere, text after the value, and nesting of arrays and
// objects deeper than max_depth. It also refuses an object that names a key twice (RFC 8259 leaves the meaning of
// that to each reader; refusing it means no two readers of a model file can disagree about its header).
//
// Nothing here throws except std::bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/status.h"

namespace vitrine {

struct JsonMember;

// One JSON value. Objects keep their members in document (or insertion) order.
class JsonValue {
 public:
  enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;  // null
  static JsonValue boolean(bool value);
  // A number that is not an integer literal (written with a fraction or exponent, "2.0"). Non-finite values are
  // written as null, since JSON has no spelling for them.
  static JsonValue number(double value);
  static JsonValue integer(int64_t value);
  static JsonValue unsigned_integer(uint64_t value);
  static JsonValue string(std::string value);
  static JsonValue array();
  static JsonValue object();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  // "null", "boolean", "number", "string", "array" or "object", for error messages.
  const char* type_name() const;

  // false unless a boolean.
  bool as_bool() const { return type_ == Type::kBool && bool_; }
  // A number's value as a double (the nearest one to the literal); 0 for other types.
  double as_double() const { return number_; }
  // A number written as an integer literal (no fraction, no exponent) whose value fits int64 or uint64. Such
  // numbers also keep their exact value, read by as_int64() / as_uint64(). A longer integer literal is a plain
  // number (only its double is kept).
  bool is_integer() const { return integer_ != Integer::kNo; }
  // The exact value of an integer that fits the type; nullopt for anything else (a non-integer, an integer out of
  // range, another type).
  std::optional<int64_t> as_int64() const;
  std::optional<uint64_t> as_uint64() const;
  // A string's UTF-8 text; empty for other types.
  const std::string& as_string() const { return string_; }

  // Number of array elements or object members; 0 for other types.
  size_t size() const;
  // An array's elements (empty for other types).
  const std::vector<JsonValue>& items() const { return items_; }
  // Appends to an array; a value that is not an array becomes an empty one first.
  void push_back(JsonValue value);

  // An object's members (empty for other types).
  const std::vector<JsonMember>& members() const;
  // The member named `key`, nullptr when there is none or this is not an object.
  const JsonValue* find(std::string_view key) const;
  JsonValue* find(std::string_view key);
  // Sets the member `key` of an object: replaces the value of an existing member in place, or appends a new one.
  // A value that is not an object becomes an empty one first. Returns the stored value.
  JsonValue& set(std::string key, JsonValue value);
  // Removes the member `key`; false when there was none.
  bool erase(std::string_view key);

  // Deep equality. Objects are equal when they have the same keys with equal values, in any order. Numbers
  // compare exactly when both are integers, else as doubles.
  bool operator==(const JsonValue& other) const;
  bool operator!=(const JsonValue& other) const { return !(*this == other); }

 private:
  enum class Integer : uint8_t { kNo, kSigned, kUnsigned };  // kSigned: negative, held as int64 in bits_

  Type type_ = Type::kNull;
  bool bool_ = false;
  Integer integer_ = Integer::kNo;
  double number_ = 0.0;
  uint64_t bits_ = 0;  // the exact integer (two's complement for kSigned)
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<JsonMember> members_;

  friend class JsonParser;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

inline const std::vector<JsonMember>& JsonValue::members() const {
  return members_;
}

// Parses JSON text (see the top of this file). On error: BAD_INPUT with a message "byte N: what is wrong", or
// LIMIT_EXCEEDED when arrays and objects nest deeper than max_depth (the outermost one is depth 1; a scalar is
// depth 0). `error_offset`, when given, receives the byte offset of the error (text.size() for a text that ends
// too early). The parser recurses once per level, so max_depth bounds its stack use.
Result<JsonValue> parse_json(std::string_view text, size_t max_depth, size_t* error_offset = nullptr);

// Compact JSON text (no whitespace) of a value, members in their order. Strings are escaped as JSON needs ('"',
// '\\' and control characters); invalid UTF-8 in a string is written as U+FFFD. Integers are written exactly;
// other numbers with the fewest digits that read back to the same double, and with a fraction or exponent so
// that they read back as non-integers ("2.0"); non-finite numbers as null.
std::string write_json(const JsonValue& value);
void write_json(const JsonValue& value, std::string* out);  // appends

// The double nearest to a decimal literal of JSON's number grammar (-?digits[.digits][(e|E)[+-]digits], as
// parse_json checks it; text outside it is read as far as it goes), ties to even: what strtod gives, without the C
// library's long-double code. A magnitude that rounds past the largest double gives nullopt; one below the smallest
// subnormal gives a signed zero, as strtod does.
std::optional<double> decimal_to_double(std::string_view text);

// The fewest significant digits (1 to 17) whose nearest decimal reads back to `d` with decimal_to_double, written
// as printf's "%.*g" writes that many ("0.1", "1e+300", "-0"); "nan", "inf" or "-inf" for non-finite values.
std::string shortest_decimal(double d);

}  // namespace vitrine
