// The kernel tables. A model picks one when it loads; see kernels.h.
#include "vitrine/kernels.h"

#if defined(VITRINE_HAVE_NATIVE_KERNELS)
#include "vitrine/native/dense.h"
#endif

namespace vitrine {

const KernelTable& scalar_kernel_table() {
  static const KernelTable table{"scalar", f32_dot_rows_scalar, i8i16_dot_rows_scalar, f32_topk_scalar};
  return table;
}

const KernelTable& select_kernel_table() {
#if defined(__wasm_simd128__)
  static const KernelTable table{"wasmsimd", f32_dot_rows_wasmsimd, i8i16_dot_rows_wasmsimd, f32_topk_wasmsimd};
#elif defined(VITRINE_HAVE_NATIVE_KERNELS)
  // Eigen for float dot products (a sequential float sum cannot be vectorised), in the copy for the widest ISA
  // this CPU runs; g++ vectorises the integer one.
  static const KernelTable table{"native", native_dense_kernels().f32_dot_rows, i8i16_dot_rows_scalar,
                                 f32_topk_blocked};
#else
  // A wasm build without SIMD128.
  static const KernelTable table{"blocked", f32_dot_rows_scalar, i8i16_dot_rows_scalar, f32_topk_blocked};
#endif
  return table;
}

const FcKernelTable& scalar_fc_kernel_table() {
  static const FcKernelTable table{"scalar", f32_fc_scalar};
  return table;
}

const FcKernelTable& select_fc_kernel_table() {
#if defined(__wasm_simd128__)
  static const FcKernelTable table{"wasmsimd", f32_fc_wasmsimd};
#elif defined(VITRINE_HAVE_XNNPACK)
  static const FcKernelTable table =
      xnnpack_available() ? FcKernelTable{"xnnpack", f32_fc_xnnpack} : FcKernelTable{"eigen", f32_fc_eigen};
#elif defined(VITRINE_HAVE_NATIVE_KERNELS)
  static const FcKernelTable table{"eigen", f32_fc_eigen};
#else
  static const FcKernelTable table{"scalar", f32_fc_scalar};
#endif
  return table;
}

}  // namespace vitrine
