// The kernel tables. A model picks one when it loads; see kernels.h.
#include "vitrine/kernels.h"

namespace vitrine {

const KernelTable& scalar_kernel_table() {
  static const KernelTable table{"scalar", f32_dot_rows_scalar};
  return table;
}

const KernelTable& select_kernel_table() {
#if defined(__wasm_simd128__)
  static const KernelTable table{"wasmsimd", f32_dot_rows_wasmsimd};
  return table;
#else
  // Native: g++ -O3 -march=native vectorises the scalar loops well enough for now.
  return scalar_kernel_table();
#endif
}

}  // namespace vitrine
