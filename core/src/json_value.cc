// JsonValue, parse_json and write_json (vitrine/json_value.h).
#include "vitrine/json_value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_set>
#include <utility>

#include "model_file/internal.h"  // find_invalid_utf8, quote_for_message

namespace vitrine {

using model_file_internal::find_invalid_utf8;

JsonValue JsonValue::boolean(bool value) {
  JsonValue v;
  v.type_ = Type::kBool;
  v.bool_ = value;
  return v;
}

JsonValue JsonValue::number(double value) {
  JsonValue v;
  v.type_ = Type::kNumber;
  v.number_ = value;
  return v;
}

JsonValue JsonValue::integer(int64_t value) {
  if (value >= 0) return unsigned_integer(static_cast<uint64_t>(value));
  JsonValue v = number(static_cast<double>(value));
  v.integer_ = Integer::kSigned;
  v.bits_ = static_cast<uint64_t>(value);
  return v;
}

JsonValue JsonValue::unsigned_integer(uint64_t value) {
  JsonValue v = number(static_cast<double>(value));
  v.integer_ = Integer::kUnsigned;
  v.bits_ = value;
  return v;
}

JsonValue JsonValue::string(std::string value) {
  JsonValue v;
  v.type_ = Type::kString;
  v.string_ = std::move(value);
  return v;
}

JsonValue JsonValue::array() {
  JsonValue v;
  v.type_ = Type::kArray;
  return v;
}

JsonValue JsonValue::object() {
  JsonValue v;
  v.type_ = Type::kObject;
  return v;
}

const char* JsonValue::type_name() const {
  static const char* const kNames[] = {"null", "boolean", "number", "string", "array", "object"};
  return kNames[static_cast<int>(type_)];
}

std::optional<int64_t> JsonValue::as_int64() const {
  if (integer_ == Integer::kSigned) return static_cast<int64_t>(bits_);
  if (integer_ == Integer::kUnsigned && bits_ <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(bits_);
  return std::nullopt;
}

std::optional<uint64_t> JsonValue::as_uint64() const {
  if (integer_ == Integer::kUnsigned) return bits_;
  return std::nullopt;
}

size_t JsonValue::size() const {
  return type_ == Type::kArray ? items_.size() : members_.size();
}

void JsonValue::push_back(JsonValue value) {
  if (type_ != Type::kArray) *this = array();
  items_.push_back(std::move(value));
}

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const JsonMember& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

JsonValue* JsonValue::find(std::string_view key) {
  return const_cast<JsonValue*>(static_cast<const JsonValue*>(this)->find(key));
}

JsonValue& JsonValue::set(std::string key, JsonValue value) {
  if (type_ != Type::kObject) *this = object();
  if (JsonValue* existing = find(key)) return *existing = std::move(value);
  members_.push_back({std::move(key), std::move(value)});
  return members_.back().value;
}

bool JsonValue::erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->key == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

bool JsonValue::operator==(const JsonValue& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return bool_ == other.bool_;
    case Type::kNumber:
      if (is_integer() && other.is_integer()) return integer_ == other.integer_ && bits_ == other.bits_;
      return number_ == other.number_;
    case Type::kString:
      return string_ == other.string_;
    case Type::kArray:
      return items_ == other.items_;
    case Type::kObject:
      if (members_.size() != other.members_.size()) return false;
      for (const JsonMember& m : members_) {
        const JsonValue* theirs = other.find(m.key);
        if (theirs == nullptr || !(m.value == *theirs)) return false;
      }
      return true;
  }
  return false;
}

// ---- parsing

class JsonParser {
 public:
  JsonParser(std::string_view text, size_t max_depth) : p_(text.data()), n_(text.size()), max_depth_(max_depth) {}

  Result<JsonValue> run(size_t* error_offset) {
    JsonValue root;
    skip_space();
    if (value(root, 0)) {
      skip_space();
      if (i_ < n_) fail(i_, "unexpected text after the JSON value");
    }
    if (error_ == nullptr) return root;
    if (error_offset != nullptr) *error_offset = error_at_;
    return Status(too_deep_ ? StatusCode::kLIMIT_EXCEEDED : StatusCode::kBAD_INPUT,
                  "byte " + std::to_string(error_at_) + ": " + error_ + detail_);
  }

 private:
  bool fail(size_t at, const char* what) {
    error_at_ = at;
    error_ = what;
    return false;
  }

  void skip_space() {
    while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r')) ++i_;
  }

  bool literal(const char* word, size_t length) {
    if (n_ - i_ < length || std::string_view(p_ + i_, length) != std::string_view(word, length)) {
      return fail(i_, "expected a value");
    }
    i_ += length;
    return true;
  }

  bool value(JsonValue& out, size_t depth) {
    if (i_ >= n_) return fail(i_, "the text ends where a value should be");
    switch (p_[i_]) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"':
        out.type_ = JsonValue::Type::kString;
        return string(out.string_);
      case 't':
        out = JsonValue::boolean(true);
        return literal("true", 4);
      case 'f':
        out = JsonValue::boolean(false);
        return literal("false", 5);
      case 'n':
        return literal("null", 4);
      case '\0':
        return fail(i_, "NUL byte");
      default:
        if (p_[i_] == '-' || (p_[i_] >= '0' && p_[i_] <= '9')) return number(out);
        return fail(i_, "expected a value");
    }
  }

  bool enter(size_t depth) {
    if (depth <= max_depth_) return true;
    too_deep_ = true;
    detail_ = " (max_depth is " + std::to_string(max_depth_) + ")";
    return fail(i_, "arrays and objects nest too deep");
  }

  bool array(JsonValue& out, size_t depth) {
    if (!enter(depth)) return false;
    out.type_ = JsonValue::Type::kArray;
    ++i_;  // [
    skip_space();
    if (i_ < n_ && p_[i_] == ']') {
      ++i_;
      return true;
    }
    for (;;) {
      out.items_.emplace_back();
      if (!value(out.items_.back(), depth)) return false;
      skip_space();
      if (i_ < n_ && p_[i_] == ']') {
        ++i_;
        return true;
      }
      if (i_ >= n_ || p_[i_] != ',') return fail(i_, "expected ',' or ']' in an array");
      ++i_;
      skip_space();
      if (i_ < n_ && p_[i_] == ']') return fail(i_, "trailing comma in an array");
    }
  }

  bool object(JsonValue& out, size_t depth) {
    if (!enter(depth)) return false;
    out.type_ = JsonValue::Type::kObject;
    ++i_;  // {
    skip_space();
    if (i_ < n_ && p_[i_] == '}') {
      ++i_;
      return true;
    }
    std::unordered_set<std::string> keys;  // filled once the object has more members than a scan should check
    for (;;) {
      if (i_ >= n_ || p_[i_] != '"') {
        return fail(i_, i_ < n_ && p_[i_] == '}' ? "trailing comma in an object" : "expected a string key");
      }
      const size_t key_at = i_;
      out.members_.emplace_back();
      JsonMember& m = out.members_.back();
      if (!string(m.key)) return false;
      skip_space();
      if (i_ >= n_ || p_[i_] != ':') return fail(i_, "expected ':' after an object key");
      ++i_;
      skip_space();
      if (!value(m.value, depth)) return false;
      if (!unique_key(out.members_, keys, key_at)) return false;
      skip_space();
      if (i_ < n_ && p_[i_] == '}') {
        ++i_;
        return true;
      }
      if (i_ >= n_ || p_[i_] != ',') return fail(i_, "expected ',' or '}' in an object");
      ++i_;
      skip_space();
    }
  }

  // The newest member's key against the others: a scan while the object is small, then a hash set, so that an
  // object of many members does not cost n^2.
  bool unique_key(const std::vector<JsonMember>& members, std::unordered_set<std::string>& keys, size_t key_at) {
    constexpr size_t kScan = 8;
    const std::string& key = members.back().key;
    bool repeated = false;
    if (members.size() <= kScan) {
      for (size_t k = 0; k + 1 < members.size(); ++k) repeated = repeated || members[k].key == key;
    } else {
      if (keys.empty()) {
        for (size_t k = 0; k + 1 < members.size(); ++k) keys.insert(members[k].key);
      }
      repeated = !keys.insert(key).second;
    }
    if (!repeated) return true;
    detail_ = " " + model_file_internal::quote_for_message(key);
    return fail(key_at, "an object names a key twice:");
  }

  // A string at p_[i_] == '"' into out (UTF-8).
  bool string(std::string& out) {
    ++i_;
    for (;;) {
      const size_t start = i_;
      while (i_ < n_) {
        const auto c = static_cast<unsigned char>(p_[i_]);
        if (c == '"' || c == '\\' || c < 0x20) break;
        ++i_;
      }
      const std::string_view run(p_ + start, i_ - start);
      const size_t bad = find_invalid_utf8(run);
      if (bad != std::string_view::npos) return fail(start + bad, "invalid UTF-8 in a string");
      out.append(run);
      if (i_ >= n_) return fail(i_, "the text ends inside a string");
      const auto c = static_cast<unsigned char>(p_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return fail(i_, c == 0 ? "NUL byte" : "unescaped control character in a string");
      if (!escape(out)) return false;
    }
  }

  // An escape at p_[i_] == '\\'.
  bool escape(std::string& out) {
    const size_t at = i_;
    if (++i_ >= n_) return fail(i_, "the text ends inside a string");
    const char c = p_[i_++];
    const char* const kFrom = "\"\\/bfnrt";
    const char* const kTo = "\"\\/\b\f\n\r\t";
    for (int k = 0; k < 8; ++k) {
      if (c == kFrom[k]) {
        out += kTo[k];
        return true;
      }
    }
    if (c != 'u') return fail(at, "invalid escape in a string");
    uint32_t code = 0;
    if (!hex4(&code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return fail(at, "\\u escape holds a lone low surrogate");
    if (code >= 0xD800 && code <= 0xDBFF) {
      uint32_t low = 0;
      if (n_ - i_ < 2 || p_[i_] != '\\' || p_[i_ + 1] != 'u') return fail(at, "\\u escape holds a lone high surrogate");
      i_ += 2;
      if (!hex4(&low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail(at, "\\u escape holds a lone high surrogate");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    // UTF-8 of the code point.
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | code >> 6);
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | code >> 12);
      out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | code >> 18);
      out += static_cast<char>(0x80 | (code >> 12 & 0x3F));
      out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
    return true;
  }

  bool hex4(uint32_t* code) {
    for (int k = 0; k < 4; ++k, ++i_) {
      if (i_ >= n_) return fail(i_, "the text ends inside a string");
      const char c = p_[i_];
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) return fail(i_, "expected four hex digits after \\u");
      *code = *code << 4 | static_cast<uint32_t>(digit);
    }
    return true;
  }

  bool digit_at(size_t k) const { return k < n_ && p_[k] >= '0' && p_[k] <= '9'; }

  bool number(JsonValue& out) {
    const size_t start = i_;
    const bool negative = p_[i_] == '-';
    if (negative) ++i_;
    if (!digit_at(i_)) return fail(i_, "expected a digit");
    uint64_t magnitude = 0;
    bool fits = true;
    if (p_[i_] == '0') {
      ++i_;
      if (digit_at(i_)) return fail(i_ - 1, "leading zero in a number");
    } else {
      while (digit_at(i_)) {
        const auto d = static_cast<uint64_t>(p_[i_++] - '0');
        if (magnitude > (UINT64_MAX - d) / 10) fits = false;
        magnitude = magnitude * 10 + d;
      }
    }
    bool integer = true;
    if (i_ < n_ && p_[i_] == '.') {
      integer = false;
      if (!digit_at(++i_)) return fail(i_, "expected a digit after the decimal point");
      while (digit_at(i_)) ++i_;
    }
    if (i_ < n_ && (p_[i_] == 'e' || p_[i_] == 'E')) {
      integer = false;
      ++i_;
      if (i_ < n_ && (p_[i_] == '+' || p_[i_] == '-')) ++i_;
      if (!digit_at(i_)) return fail(i_, "expected a digit in the exponent");
      while (digit_at(i_)) ++i_;
    }
    const std::optional<double> value = decimal_to_double(std::string_view(p_ + start, i_ - start));
    if (!value) return fail(start, "number out of the range of a double");
    out.type_ = JsonValue::Type::kNumber;
    out.number_ = *value;
    if (integer && fits) {
      if (!negative || magnitude == 0) {
        out.integer_ = JsonValue::Integer::kUnsigned;
        out.bits_ = magnitude;
      } else if (magnitude <= uint64_t{1} << 63) {
        out.integer_ = JsonValue::Integer::kSigned;
        out.bits_ = 0 - magnitude;  // two's complement of -magnitude
      }
    }
    return true;
  }

  const char* p_;
  size_t n_;
  size_t max_depth_;
  size_t i_ = 0;
  const char* error_ = nullptr;
  size_t error_at_ = 0;
  std::string detail_;
  bool too_deep_ = false;
};

Result<JsonValue> parse_json(std::string_view text, size_t max_depth, size_t* error_offset) {
  return JsonParser(text, max_depth).run(error_offset);
}

// ---- writing

namespace {

void write_string(std::string_view s, std::string* out) {
  *out += '"';
  size_t i = 0;
  while (i < s.size()) {
    // A run of valid UTF-8 up to the next invalid byte.
    const size_t bad = find_invalid_utf8(s.substr(i));
    const size_t end = bad == std::string_view::npos ? s.size() : i + bad;
    for (; i < end; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        *out += '\\';
        *out += static_cast<char>(c);
      } else if (c < 0x20) {
        const char* const kShort = "\b\f\n\r\t";
        const char* const kLetter = "bfnrt";
        const char* hit = c != 0 ? std::strchr(kShort, c) : nullptr;
        if (hit != nullptr) {
          *out += '\\';
          *out += kLetter[hit - kShort];
        } else {
          *out += "\\u" + model_file_internal::hex_digits(c, 4, false);
        }
      } else {
        *out += static_cast<char>(c);
      }
    }
    if (i < s.size()) {  // one invalid byte
      *out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  *out += '"';
}

void write_number(const JsonValue& v, std::string* out) {
  if (const auto u = v.as_uint64()) {
    *out += std::to_string(*u);
    return;
  }
  if (const auto i = v.as_int64()) {
    *out += std::to_string(*i);
    return;
  }
  const double d = v.as_double();
  if (!std::isfinite(d)) {
    *out += "null";
    return;
  }
  const std::string text = shortest_decimal(d);
  *out += text;
  // "2" would read back as an integer.
  if (text.find_first_of(".e") == std::string::npos) *out += ".0";
}

}  // namespace

void write_json(const JsonValue& value, std::string* out) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      *out += "null";
      return;
    case JsonValue::Type::kBool:
      *out += value.as_bool() ? "true" : "false";
      return;
    case JsonValue::Type::kNumber:
      write_number(value, out);
      return;
    case JsonValue::Type::kString:
      write_string(value.as_string(), out);
      return;
    case JsonValue::Type::kArray: {
      *out += '[';
      bool first = true;
      for (const JsonValue& item : value.items()) {
        if (!first) *out += ',';
        first = false;
        write_json(item, out);
      }
      *out += ']';
      return;
    }
    case JsonValue::Type::kObject: {
      *out += '{';
      bool first = true;
      for (const JsonMember& m : value.members()) {
        if (!first) *out += ',';
        first = false;
        write_string(m.key, out);
        *out += ':';
        write_json(m.value, out);
      }
      *out += '}';
      return;
    }
  }
}

std::string write_json(const JsonValue& value) {
  std::string out;
  write_json(value, &out);
  return out;
}

}  // namespace vitrine
