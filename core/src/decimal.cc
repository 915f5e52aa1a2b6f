// Decimal text and doubles, both ways, correctly rounded, without the C library's strtod and printf (their
// long-double and formatting code was 8.6 KB gzip of the shipped module).
//
// decimal_to_double: most literals take Clinger's fast path: at most 2^53 as an integer times an exact power of ten
// up to 10^22 is one IEEE operation on two exact doubles, so one rounding. The others are done exactly with big
// integers: the value is N / D (N = digits x 10^max(e, 0), D = 10^max(-e, 0)); q = floor(N 2^s / D) for an s that
// gives q 55 or 56 bits; q, the remainder and any digits left out then decide the rounding (to nearest, ties to
// even), at the precision of a normal or a subnormal double.
//
// shortest_decimal: for p = 1, 2, ... the p-digit decimal nearest to the double (exactly, ties to even, as printf
// rounds), until one reads back to it; written as printf's %.*g writes it.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/json_value.h"

namespace vitrine {

namespace {

// Digits past this many significant ones only matter as "something nonzero follows": a double is decided by at
// most 767 significant digits (the longest exact decimal of a halfway point between two doubles).
constexpr int kMaxSignificantDigits = 800;
// A decimal exponent past this is out of range for any literal of kMaxSignificantDigits digits either way.
constexpr int kExponentClamp = 100000;

constexpr uint32_t kPow10u32[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
constexpr double kPow10Exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// A non-negative integer in 32-bit limbs, least significant first, no leading zero limbs.
class BigUint {
 public:
  explicit BigUint(uint64_t value = 0) {
    for (; value != 0; value >>= 32) limbs_.push_back(static_cast<uint32_t>(value));
  }
  void mul_add(uint32_t factor, uint32_t addend) {
    uint64_t carry = addend;
    for (uint32_t& limb : limbs_) {
      const uint64_t t = uint64_t{limb} * factor + carry;
      limb = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<uint32_t>(carry));
  }
  void mul_pow10(int e) {
    for (; e >= 9; e -= 9) mul_add(kPow10u32[9], 0);
    if (e > 0) mul_add(kPow10u32[e], 0);
  }
  void shift_left(size_t bits) {
    if (limbs_.empty()) return;
    const size_t words = bits / 32, rest = bits % 32;
    if (rest != 0) {
      uint32_t carry = 0;
      for (uint32_t& limb : limbs_) {
        const uint32_t next = limb >> (32 - rest);
        limb = limb << rest | carry;
        carry = next;
      }
      if (carry != 0) limbs_.push_back(carry);
    }
    limbs_.insert(limbs_.begin(), words, 0u);
  }
  size_t bit_length() const {
    if (limbs_.empty()) return 0;
    size_t bits = 32 * (limbs_.size() - 1);
    for (uint32_t top = limbs_.back(); top != 0; top >>= 1) ++bits;
    return bits;
  }
  bool is_zero() const { return limbs_.empty(); }
  // -1, 0 or 1 as *this is below, equal to or above other.
  int compare(const BigUint& other) const {
    if (limbs_.size() != other.limbs_.size()) return limbs_.size() < other.limbs_.size() ? -1 : 1;
    for (size_t i = limbs_.size(); i-- > 0;) {
      if (limbs_[i] != other.limbs_[i]) return limbs_[i] < other.limbs_[i] ? -1 : 1;
    }
    return 0;
  }
  // *this -= other; requires *this >= other.
  void subtract(const BigUint& other) {
    int64_t borrow = 0;
    for (size_t i = 0; i < limbs_.size(); ++i) {
      int64_t t = int64_t{limbs_[i]} - borrow - (i < other.limbs_.size() ? int64_t{other.limbs_[i]} : 0);
      borrow = t < 0 ? 1 : 0;
      limbs_[i] = static_cast<uint32_t>(t + (borrow << 32));
    }
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  }

 private:
  std::vector<uint32_t> limbs_;
};

// floor(num / den) for a quotient below 2^63; num becomes the remainder.
uint64_t divide_small_quotient(BigUint& num, const BigUint& den, size_t quotient_bits) {
  uint64_t q = 0;
  for (size_t k = quotient_bits; k-- > 0;) {
    BigUint shifted = den;
    shifted.shift_left(k);
    if (num.compare(shifted) >= 0) {
      num.subtract(shifted);
      q |= uint64_t{1} << k;
    }
  }
  return q;
}

size_t bit_length64(uint64_t v) {
  size_t bits = 0;
  for (; v != 0; v >>= 1) ++bits;
  return bits;
}

}  // namespace

std::optional<double> decimal_to_double(std::string_view text) {
  size_t i = 0;
  const bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  const auto is_digit = [&](size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };

  // The significant digits as one stream (integer part, then fraction), value = digits x 10^exponent.
  BigUint digits;
  uint64_t small = 0;  // the first 19 digits, for the fast path
  int significant = 0, exponent = 0;
  bool dropped_nonzero = false;
  uint32_t chunk = 0;
  int chunk_digits = 0;
  const auto take = [&](int d, bool fraction) {
    if (significant == 0 && d == 0) {
      if (fraction) --exponent;  // a leading zero of the fraction
      return;
    }
    if (significant >= kMaxSignificantDigits) {
      dropped_nonzero |= d != 0;
      if (!fraction) ++exponent;
      return;
    }
    ++significant;
    if (fraction) --exponent;
    if (significant <= 19) small = small * 10 + static_cast<uint64_t>(d);
    chunk = chunk * 10 + static_cast<uint32_t>(d);
    if (++chunk_digits == 9) {
      digits.mul_add(kPow10u32[9], chunk);
      chunk = 0;
      chunk_digits = 0;
    }
  };
  for (; is_digit(i); ++i) take(text[i] - '0', false);
  if (i < text.size() && text[i] == '.') {
    for (++i; is_digit(i); ++i) take(text[i] - '0', true);
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const bool exponent_negative = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    int written = 0;
    for (; is_digit(i); ++i) {
      if (written < kExponentClamp) written = written * 10 + (text[i] - '0');
    }
    if (written > kExponentClamp) written = kExponentClamp;
    exponent += exponent_negative ? -written : written;
  }
  const double sign = negative ? -1.0 : 1.0;
  if (significant == 0) return sign * 0.0;

  // Fast path: both operands exact, one rounding.
  if (significant <= 19 && small <= uint64_t{1} << 53 && exponent >= -22 && exponent <= 22) {
    const double mantissa = static_cast<double>(small);  // exact
    return sign * (exponent >= 0 ? mantissa * kPow10Exact[exponent] : mantissa / kPow10Exact[-exponent]);
  }
  // The value lies in [10^(m-1), 10^m).
  const int magnitude = significant + exponent;
  if (magnitude > 310) return std::nullopt;
  if (magnitude < -330) return sign * 0.0;

  if (chunk_digits > 0) digits.mul_add(kPow10u32[chunk_digits], chunk);
  BigUint num = digits, den(1);
  if (exponent >= 0) {
    num.mul_pow10(exponent);
  } else {
    den.mul_pow10(-exponent);
  }
  // q = floor(num 2^s / den) in [2^54, 2^56).
  const long shift = 55 - (static_cast<long>(num.bit_length()) - static_cast<long>(den.bit_length()));
  if (shift >= 0) {
    num.shift_left(static_cast<size_t>(shift));
  } else {
    den.shift_left(static_cast<size_t>(-shift));
  }
  const uint64_t q = divide_small_quotient(num, den, 57);
  const bool sticky = !num.is_zero() || dropped_nonzero;

  // value = (q + fraction) 2^-shift, in [2^top, 2^(top + 1)).
  const long q_bits = static_cast<long>(bit_length64(q));
  const long top = q_bits - 1 - shift;
  if (top > 1023) return std::nullopt;
  const long lowest = top - 52 > -1074 ? top - 52 : -1074;  // weight of the result's last bit
  const long drop = lowest + shift;                         // bits of q below it (2 or 3 for a normal double)
  if (drop > q_bits) return sign * 0.0;                     // below half the smallest subnormal
  uint64_t mantissa = q >> drop;
  const uint64_t rest = q & ((uint64_t{1} << drop) - 1), half = uint64_t{1} << (drop - 1);
  if (rest > half || (rest == half && (sticky || (mantissa & 1) != 0))) ++mantissa;
  const double value = std::ldexp(static_cast<double>(mantissa), static_cast<int>(lowest));
  if (std::isinf(value)) return std::nullopt;
  return sign * value;
}

namespace {

constexpr uint64_t kPow10u64[19] = {1ull,
                                    10ull,
                                    100ull,
                                    1000ull,
                                    10000ull,
                                    100000ull,
                                    1000000ull,
                                    10000000ull,
                                    100000000ull,
                                    1000000000ull,
                                    10000000000ull,
                                    100000000000ull,
                                    1000000000000ull,
                                    10000000000000ull,
                                    100000000000000ull,
                                    1000000000000000ull,
                                    10000000000000000ull,
                                    100000000000000000ull,
                                    1000000000000000000ull};

// The p (1..17) significant digits of m 2^e (m > 0) nearest to it, ties to even, as an integer of p digits, and the
// decimal exponent of its first digit.
void nearest_digits(uint64_t m, int e, int p, uint64_t* digits, int* exponent10) {
  // m 2^e lies in [2^top, 2^(top + 1)): its decimal exponent is floor(top log10 2) or one more.
  const int top = static_cast<int>(bit_length64(m)) - 1 + e;
  int x = static_cast<int>(std::floor(top * 0.30102999566398120));
  for (;;) {
    // q = m 2^e 10^(p - 1 - x), which has p digits when x is right.
    BigUint num(m), den(1);
    if (e >= 0) {
      num.shift_left(static_cast<size_t>(e));
    } else {
      den.shift_left(static_cast<size_t>(-e));
    }
    const int scale = p - 1 - x;
    if (scale >= 0) {
      num.mul_pow10(scale);
    } else {
      den.mul_pow10(-scale);
    }
    uint64_t q = divide_small_quotient(num, den, 62);
    if (q >= kPow10u64[p]) {
      ++x;
      continue;
    }
    if (q < kPow10u64[p - 1]) {
      --x;
      continue;
    }
    num.shift_left(1);  // twice the remainder, against the divisor
    const int half = num.compare(den);
    if (half > 0 || (half == 0 && (q & 1) != 0)) ++q;
    if (q == kPow10u64[p]) {
      q = kPow10u64[p - 1];
      ++x;
    }
    *digits = q;
    *exponent10 = x;
    return;
  }
}

// `digits` (p of them) and the exponent of the first, as printf's %.*g with precision p writes them: plain
// notation for exponents from -4 to p - 1, else d.ddde+XX; trailing zeros of a fraction left out.
std::string format_like_printf_g(uint64_t digits, int p, int x) {
  char text[24];
  for (int k = p; k-- > 0; digits /= 10) text[k] = static_cast<char>('0' + digits % 10);
  int kept = p;
  while (kept > 1 && text[kept - 1] == '0') --kept;
  std::string out;
  if (x >= -4 && x < p) {
    if (x < 0) {
      out = "0.";
      out.append(static_cast<size_t>(-x - 1), '0');
      out.append(text, static_cast<size_t>(kept));
    } else {
      // Digits up to the point are all of text[0..x] (p > x, so none is missing); a fraction only if any is kept.
      out.append(text, static_cast<size_t>(x + 1));
      if (kept > x + 1) {
        out += '.';
        out.append(text + x + 1, static_cast<size_t>(kept - x - 1));
      }
    }
    return out;
  }
  out += text[0];
  if (kept > 1) {
    out += '.';
    out.append(text + 1, static_cast<size_t>(kept - 1));
  }
  out += x < 0 ? "e-" : "e+";
  const int magnitude = x < 0 ? -x : x;
  if (magnitude < 10) out += '0';
  out += std::to_string(magnitude);
  return out;
}

}  // namespace

std::string shortest_decimal(double d) {
  if (!std::isfinite(d)) return d != d ? "nan" : d > 0 ? "inf" : "-inf";
  const std::string sign = std::signbit(d) ? "-" : "";
  if (d == 0) return sign + "0";
  int binary_exponent = 0;
  const double fraction = std::frexp(std::fabs(d), &binary_exponent);  // |d| = fraction 2^exponent, [0.5, 1)
  const auto m = static_cast<uint64_t>(std::ldexp(fraction, 53));      // exact: |d| = m 2^(exponent - 53)
  const int e = binary_exponent - 53;
  for (int p = 1;; ++p) {
    uint64_t digits = 0;
    int x = 0;
    nearest_digits(m, e, p, &digits, &x);
    std::string text = sign + format_like_printf_g(digits, p, x);
    if (p == 17 || decimal_to_double(text) == d) return text;  // 17 digits always read back
  }
}

}  // namespace vitrine
