// SIMD128 variant of f32_dot_rows. Wasm SIMD has no FMA, so each lane does mul then add; four rows share one
// pass over the query to amortise its loads. Rows past the last group of four are summed in exactly the same
// order (one_row), so a row's score does not depend on where it sits in the call.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "vitrine/kernels.h"

namespace vitrine {
namespace {

inline float horizontal_sum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
         wasm_f32x4_extract_lane(v, 3);
}

// dot(query, row) summed like each row of the four-row loop below: lane l adds k = l, l + 4, ... in increasing
// order, then the lanes are added left to right, then the last dim % 4 products.
inline float one_row(const float* query, const float* row, size_t dim, size_t dim4) {
  v128_t acc = wasm_f32x4_splat(0.0f);
  for (size_t k = 0; k < dim4; k += 4) {
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(query + k), wasm_v128_load(row + k)));
  }
  float sum = horizontal_sum(acc);
  for (size_t k = dim4; k < dim; ++k) sum += query[k] * row[k];
  return sum;
}

}  // namespace

void f32_dot_rows_wasmsimd(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                           float* out) {
  const size_t dim4 = dim & ~size_t{3};
  size_t r = 0;
  for (; r + 4 <= n_rows; r += 4) {
    const float* r0 = rows + r * row_stride;
    const float* r1 = r0 + row_stride;
    const float* r2 = r1 + row_stride;
    const float* r3 = r2 + row_stride;
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (size_t k = 0; k < dim4; k += 4) {
      const v128_t q = wasm_v128_load(query + k);  // v128 loads have no alignment requirement
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(q, wasm_v128_load(r0 + k)));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(q, wasm_v128_load(r1 + k)));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(q, wasm_v128_load(r2 + k)));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(q, wasm_v128_load(r3 + k)));
    }
    float s0 = horizontal_sum(a0), s1 = horizontal_sum(a1), s2 = horizontal_sum(a2), s3 = horizontal_sum(a3);
    for (size_t k = dim4; k < dim; ++k) {
      s0 += query[k] * r0[k];
      s1 += query[k] * r1[k];
      s2 += query[k] * r2[k];
      s3 += query[k] * r3[k];
    }
    out[r] = s0;
    out[r + 1] = s1;
    out[r + 2] = s2;
    out[r + 3] = s3;
  }
  for (; r < n_rows; ++r) out[r] = one_row(query, rows + r * row_stride, dim, dim4);
}

}  // namespace vitrine
#endif  // __wasm_simd128__
