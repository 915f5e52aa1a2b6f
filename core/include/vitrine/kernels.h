// Compute kernels of the ranking engine.
//
// Naming follows <dtype>_<op>_<isa>: f32_dot_rows_scalar, f32_dot_rows_wasmsimd, ...
// Every op has a scalar reference (`_scalar`) that defines its result; each faster variant is tested against the
// reference at tile-1, tile and tile+1, at odd sizes and on unaligned pointers (tests/core/kernels_test.cc).
//
// The variant is chosen once: KernelTable holds one function pointer per op, and the model picks a table when it
// loads (select_kernel_table()). Nothing on the hot path branches on the ISA.
#pragma once

#include <cstddef>

namespace vitrine {

// out[r] = dot(query, rows + r*row_stride) over `dim` floats, for r in [0, n_rows).
// `rows` need not be aligned; `row_stride` >= dim, in floats.
using F32DotRowsFn = void (*)(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                              float* out);

void f32_dot_rows_scalar(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                         float* out);
#if defined(__wasm_simd128__)
void f32_dot_rows_wasmsimd(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                           float* out);
#endif

// One implementation per op. Tables are static and never freed.
struct KernelTable {
  const char* name;  // "scalar", "wasmsimd", "native"
  F32DotRowsFn f32_dot_rows;
};

// The reference table: scalar code only. Used by tests as ground truth and as the last-resort fallback.
const KernelTable& scalar_kernel_table();
// The fastest table this build supports (wasmsimd under -msimd128, native otherwise).
const KernelTable& select_kernel_table();

}  // namespace vitrine
