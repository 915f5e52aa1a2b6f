// IEEE binary16 conversions by bit manipulation, so results are identical on every compiler and target
// (no reliance on _Float16 or F16C).
#include <cstdint>
#include <cstring>

#include "vitrine/model_file.h"

namespace vitrine {

namespace {
uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
// x >> shift, rounded to nearest, ties to even.
uint32_t shift_round_even(uint32_t x, uint32_t shift) {
  const uint32_t q = x >> shift;
  const uint32_t rem = x & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1u);
  return (rem > half || (rem == half && (q & 1u))) ? q + 1u : q;
}
}  // namespace

uint16_t f32_to_f16(float value) {
  const uint32_t x = float_bits(value);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {
    if (abs == 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u);
    // NaN: keep the top payload bits and set the quiet bit so the payload cannot become zero (= infinity).
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  }
  // 65520 is halfway between the largest half (65504) and 2^16; ties-to-even rounds it up, to infinity.
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  const uint32_t exponent = abs >> 23;  // biased binary32 exponent
  if (exponent >= 113) {                // |value| >= 2^-14: a normal half
    // Rebias 127 -> 15 and round the 23-bit mantissa to 10 bits; a carry correctly bumps the exponent.
    const uint32_t rebased = abs - (112u << 23);
    return static_cast<uint16_t>(sign | shift_round_even(rebased, 13));
  }
  // Subnormal half: value / 2^-24 rounded. Below 2^-25 everything rounds to zero.
  if (exponent < 102) return static_cast<uint16_t>(sign);
  const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
  return static_cast<uint16_t>(sign | shift_round_even(mantissa, 126 - exponent));
}

float f16_to_f32(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0x1fu) return bits_float(sign | 0x7f800000u | (mantissa << 13));  // inf / NaN
  if (exponent == 0) {
    if (mantissa == 0) return bits_float(sign);
    // Subnormal m * 2^-24: normalise so the leading 1 becomes the implicit bit (every half subnormal is a
    // normal binary32).
    uint32_t shift = 0;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      ++shift;
    }
    mantissa &= 0x3ffu;
    return bits_float(sign | ((113u - shift) << 23) | (mantissa << 13));
  }
  return bits_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

}  // namespace vitrine
