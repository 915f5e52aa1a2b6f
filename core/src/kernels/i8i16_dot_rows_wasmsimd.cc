// SIMD128 variant of i8i16_dot_rows: 16 int8 inputs widened to two i16x8 per step and multiplied pairwise with
// i32x4.dot_i16x8_s, four rows sharing each query load. Integer sums are exact, so the result equals the scalar
// reference whatever the order.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "vitrine/kernels.h"

namespace vitrine {
namespace {

// Adds a row's 16 int8 inputs at `row` times the query's 16 int16 values (q_lo, q_hi) into acc.
inline v128_t dot16(v128_t acc, const int8_t* row, v128_t q_lo, v128_t q_hi) {
  const v128_t x = wasm_v128_load(row);
  acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(x), q_lo));
  return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(x), q_hi));
}

// (sum of a's lanes, sum of b's, sum of c's, sum of d's).
inline v128_t lane_sums(v128_t a, v128_t b, v128_t c, v128_t d) {
  const v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 1, 4, 5), wasm_i32x4_shuffle(a, b, 2, 3, 6, 7));
  const v128_t cd = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 1, 4, 5), wasm_i32x4_shuffle(c, d, 2, 3, 6, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 2, 4, 6), wasm_i32x4_shuffle(ab, cd, 1, 3, 5, 7));
}

}  // namespace

void i8i16_dot_rows_wasmsimd(const int16_t* query, const int8_t* rows, size_t n_rows, size_t dim, int32_t* out) {
  const size_t dim16 = dim & ~size_t{15};
  size_t r = 0;
  for (; r + 4 <= n_rows; r += 4) {
    const int8_t* r0 = rows + r * dim;
    const int8_t* r1 = r0 + dim;
    const int8_t* r2 = r1 + dim;
    const int8_t* r3 = r2 + dim;
    v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (size_t k = 0; k < dim16; k += 16) {
      const v128_t q_lo = wasm_v128_load(query + k), q_hi = wasm_v128_load(query + k + 8);
      a0 = dot16(a0, r0 + k, q_lo, q_hi);
      a1 = dot16(a1, r1 + k, q_lo, q_hi);
      a2 = dot16(a2, r2 + k, q_lo, q_hi);
      a3 = dot16(a3, r3 + k, q_lo, q_hi);
    }
    v128_t sums = lane_sums(a0, a1, a2, a3);
    if (dim16 < dim) {
      int32_t tail[4];
      i8i16_dot_rows_scalar(query + dim16, r0 + dim16, 1, dim - dim16, &tail[0]);
      i8i16_dot_rows_scalar(query + dim16, r1 + dim16, 1, dim - dim16, &tail[1]);
      i8i16_dot_rows_scalar(query + dim16, r2 + dim16, 1, dim - dim16, &tail[2]);
      i8i16_dot_rows_scalar(query + dim16, r3 + dim16, 1, dim - dim16, &tail[3]);
      sums = wasm_i32x4_add(sums, wasm_v128_load(tail));
    }
    wasm_v128_store(out + r, sums);
  }
  if (r < n_rows) i8i16_dot_rows_scalar(query, rows + r * dim, n_rows - r, dim, out + r);
}

}  // namespace vitrine
#endif  // __wasm_simd128__
