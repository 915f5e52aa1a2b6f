// In-cache GEMM tile for the one-core ceiling measurement (see kernels.h). The scalar version defines the result;
// the SIMD128 version is the 4x8 register tile of f32_fc_wasmsimd without any memory traffic but the operands.
#include "vitrine/kernels.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace vitrine {

void f32_gemm_roofline_scalar(const float* a, const float* b, size_t kc, size_t repeats, float* c) {
  float acc[kRooflineRows][kRooflineCols] = {};
  for (size_t rep = 0; rep < repeats; ++rep) {
    for (size_t k = 0; k < kc; ++k) {
      for (size_t r = 0; r < kRooflineRows; ++r) {
        for (size_t j = 0; j < kRooflineCols; ++j) acc[r][j] += a[k * kRooflineRows + r] * b[k * kRooflineCols + j];
      }
    }
  }
  for (size_t r = 0; r < kRooflineRows; ++r) {
    for (size_t j = 0; j < kRooflineCols; ++j) c[r * kRooflineCols + j] = acc[r][j];
  }
}

#if defined(__wasm_simd128__)
void f32_gemm_roofline_wasmsimd(const float* a, const float* b, size_t kc, size_t repeats, float* c) {
  v128_t c0l = wasm_f32x4_splat(0.0f), c0h = c0l, c1l = c0l, c1h = c0l, c2l = c0l, c2h = c0l, c3l = c0l, c3h = c0l;
  for (size_t rep = 0; rep < repeats; ++rep) {
    const float* ak = a;
    const float* bk = b;
    for (size_t k = 0; k < kc; ++k, ak += kRooflineRows, bk += kRooflineCols) {
      const v128_t bl = wasm_v128_load(bk), bh = wasm_v128_load(bk + 4);
      // load32_splat measured faster than one v128 load plus four lane shuffles (V8, Node 20).
      const v128_t a0 = wasm_v128_load32_splat(ak), a1 = wasm_v128_load32_splat(ak + 1);
      const v128_t a2 = wasm_v128_load32_splat(ak + 2), a3 = wasm_v128_load32_splat(ak + 3);
      c0l = wasm_f32x4_add(c0l, wasm_f32x4_mul(a0, bl));
      c0h = wasm_f32x4_add(c0h, wasm_f32x4_mul(a0, bh));
      c1l = wasm_f32x4_add(c1l, wasm_f32x4_mul(a1, bl));
      c1h = wasm_f32x4_add(c1h, wasm_f32x4_mul(a1, bh));
      c2l = wasm_f32x4_add(c2l, wasm_f32x4_mul(a2, bl));
      c2h = wasm_f32x4_add(c2h, wasm_f32x4_mul(a2, bh));
      c3l = wasm_f32x4_add(c3l, wasm_f32x4_mul(a3, bl));
      c3h = wasm_f32x4_add(c3h, wasm_f32x4_mul(a3, bh));
    }
  }
  wasm_v128_store(c + 0, c0l);
  wasm_v128_store(c + 4, c0h);
  wasm_v128_store(c + 8, c1l);
  wasm_v128_store(c + 12, c1h);
  wasm_v128_store(c + 16, c2l);
  wasm_v128_store(c + 20, c2h);
  wasm_v128_store(c + 24, c3l);
  wasm_v128_store(c + 28, c3h);
}
#endif

}  // namespace vitrine
