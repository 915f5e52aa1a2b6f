// Dense float kernels of the native build (the trainer's catalog-wide products and softmax, the evaluator's dot
// products), compiled once per x86-64 ISA level and chosen at run time.
//
// Why: a portable build targets x86-64-v2 (SSE4.2) so that the CLI runs on any merchant's machine, but these loops
// are 1.5-2x faster with AVX2/FMA or AVX-512. core/src/native/dense_isa.cc is therefore compiled into the library
// several times: once with the build's own flags ("baseline") and, when GCC makes an optimised build for x86-64 with
// VITRINE_ARCH other than "native", again with -march=x86-64-v3 and -march=x86-64-v4. Each copy puts Eigen in a
// namespace of its own, so the linker can never let an AVX-512 instantiation of an Eigen template stand in for the
// baseline's. tests/core/dense_native_test.cc checks every copy against plain loops, and
// tests/core/dense_symbols_check.cmake checks that no copy's object exports a symbol outside its own namespaces.
//
// native_dense_kernels() picks the widest copy this CPU runs, once per process. The environment variable
// VITRINE_DENSE_ISA=<name> (a DenseKernels::isa value) picks a narrower one, for measuring what the wider vectors
// buy; a name that is not compiled in, or that this CPU cannot run, is ignored.
//
// All matrices are row-major; a leading dimension (lda, ldb, ldc) is the distance between rows, in floats. Outputs
// are overwritten, never accumulated into, and must not overlap the inputs. Copies may round differently (wider
// vectors sum in another order), so results agree with the baseline to rounding, not bit for bit.
#pragma once

#include <cstddef>
#include <vector>

#include "vitrine/kernels.h"

namespace vitrine {

struct DenseKernels {
  const char* isa;  // "baseline" (the build's own -march), "x86-64-v3" or "x86-64-v4"

  // As F32DotRowsFn in kernels.h: a row's result depends only on the query and that row.
  F32DotRowsFn f32_dot_rows;
  // C[m][n] = alpha * sum_k A[m][k] * B[n][k]      (A times B transposed)
  void (*f32_gemm_nt)(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
                      float* c, size_t ldc);
  // C[m][n] = alpha * sum_k A[m][k] * B[k][n]
  void (*f32_gemm_nn)(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
                      float* c, size_t ldc);
  // C[m][n] = alpha * sum_k A[k][m] * B[k][n]      (A transposed times B)
  void (*f32_gemm_tn)(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
                      float* c, size_t ldc);
  // z[i] = exp(z[i] - max_j z[j]) in place, for n >= 1; returns the sum of the new values (a softmax's
  // denominator). A -inf entry becomes 0 or a denormal below 1e-37 (Eigen's exp clamps its argument near -88).
  float (*f32_exp_shifted)(float* z, size_t n);
};

struct DenseVariant {
  const DenseKernels* kernels;
  bool runs_here;  // this CPU (and OS) supports the copy's instructions
};

// Every copy compiled into this binary, baseline first, widest last.
std::vector<DenseVariant> dense_kernel_variants();

// The copy this process uses: the widest that runs here, or the one VITRINE_DENSE_ISA names. Chosen on the first
// call; never null.
const DenseKernels& native_dense_kernels();

}  // namespace vitrine
