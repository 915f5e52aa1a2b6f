#include "internal.h"

namespace vitrine::model_file_internal {

size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (n - i < len) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string hex_digits(uint64_t value, int width, bool upper_case) {
  const char* const digits = upper_case ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (; value != 0 || static_cast<int>(out.size()) < width; value >>= 4) out.insert(out.begin(), digits[value & 15]);
  return out;
}

std::string quote_for_message(std::string_view s) {
  std::string out = "'";
  const size_t shown = s.size() < 64 ? s.size() : 64;
  for (size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x" + hex_digits(c, 2, true);
    }
  }
  if (shown < s.size()) out += "...";
  out += "'";
  return out;
}

}  // namespace vitrine::model_file_internal
