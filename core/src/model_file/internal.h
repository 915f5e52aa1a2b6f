// Helpers shared by the model file reader and writer. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vitrine::model_file_internal {

// 89 'V' 'T' 'M' CR LF 1A LF, see model_file.h.
inline constexpr uint8_t kMagic[8] = {0x89, 'V', 'T', 'M', 0x0D, 0x0A, 0x1A, 0x0A};

// Preamble field offsets.
inline constexpr size_t kVersionAt = 8;
inline constexpr size_t kHeaderBytesAt = 12;
inline constexpr size_t kFileBytesAt = 16;
inline constexpr size_t kChecksumAt = 24;
inline constexpr size_t kReservedAt = 28;

inline uint32_t load_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline uint64_t load_u64(const uint8_t* p) {
  return uint64_t{load_u32(p)} | uint64_t{load_u32(p + 4)} << 32;
}
inline uint16_t load_u16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}
inline float load_f32(const uint8_t* p) {
  const uint32_t u = load_u32(p);
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
inline int32_t load_i32(const uint8_t* p) {
  const uint32_t u = load_u32(p);
  int32_t i;
  std::memcpy(&i, &u, sizeof i);
  return i;
}

inline void store_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void store_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_f32(uint8_t* p, float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  store_u32(p, u);
}

inline uint64_t align_up(uint64_t x, uint64_t alignment) {
  return (x + alignment - 1) / alignment * alignment;
}

// Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. Returns the byte index of the first
// invalid sequence, or npos when the whole string is valid.
size_t find_invalid_utf8(std::string_view s);

// `value` in hex digits, at least `width` of them (leading zeros), upper or lower case: printf's %0*llX / %0*llx.
std::string hex_digits(uint64_t value, int width, bool upper_case);

// Printable form of a user-supplied string for error messages: at most 64 bytes, non-printable bytes as \xNN.
std::string quote_for_message(std::string_view s);

}  // namespace vitrine::model_file_internal
