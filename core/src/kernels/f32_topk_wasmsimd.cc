// SIMD128 top-K: the shared heap driver with a 16-score f32x4 compare as the block filter.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "topk_heap.h"
#include "vitrine/kernels.h"

namespace vitrine {

size_t f32_topk_wasmsimd(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score) {
  return topk_detail::topk_filtered<16>(scores, n, k, out_index, out_score, [](const float* block, float t) {
    const v128_t tv = wasm_f32x4_splat(t);
    const v128_t m0 = wasm_f32x4_gt(wasm_v128_load(block), tv);  // NaN lanes compare false
    const v128_t m1 = wasm_f32x4_gt(wasm_v128_load(block + 4), tv);
    const v128_t m2 = wasm_f32x4_gt(wasm_v128_load(block + 8), tv);
    const v128_t m3 = wasm_f32x4_gt(wasm_v128_load(block + 12), tv);
    return wasm_v128_any_true(wasm_v128_or(wasm_v128_or(m0, m1), wasm_v128_or(m2, m3)));
  });
}

}  // namespace vitrine
#endif  // __wasm_simd128__
