// The roofline tile of core/include/vitrine/kernels.h behind one exported C function, for bench/run.mjs.
#include <cstddef>

#include "vitrine/kernels.h"

extern "C" {

// c[4][8] += the 4x8 tile over a[kc][4], b[kc][8], `repeats` times (f32_gemm_roofline_wasmsimd). Returns its
// FLOP count, so JS need not duplicate the formula.
double vt_bench_roofline(const float* a, const float* b, size_t kc, size_t repeats, float* c) {
  vitrine::f32_gemm_roofline_wasmsimd(a, b, kc, repeats, c);
  return vitrine::f32_gemm_roofline_flops(kc, repeats);
}

}  // extern "C"
