// Compute kernels of the ranking engine.
//
// Naming follows <dtype>_<op>_<isa>: f32_dot_rows_scalar, f32_dot_rows_wasmsimd, ...
// Every op has a scalar reference (`_scalar`) that defines its result; each faster variant is tested against the
// reference at tile-1, tile and tile+1, at odd sizes and on unaligned pointers (tests/core/kernels_test.cc).
//
// The variant is chosen once: KernelTable holds one function pointer per op, and the model picks a table when it
// loads (select_kernel_table(); fully connected layers: FcKernelTable). Nothing on the hot path branches on the ISA.
//
// Variants by build:
//   scalar    everywhere; the reference.
//   wasmsimd  only when compiled with -msimd128 (__wasm_simd128__): hand-written <wasm_simd128.h> code.
//   blocked   everywhere; portable C++ written so that the compiler can vectorise it.
//   xnnpack   native only, when VITRINE_HAVE_XNNPACK is defined (Debian's libxnnpack-dev).
//   eigen     native only (VITRINE_HAVE_NATIVE_KERNELS): fully connected when XNNPACK is absent; the dot products
//             come from native_dense_kernels() (vitrine/native/dense.h), one Eigen copy per x86-64 ISA level,
//             the widest this CPU runs.
// Native-only code lives in core/src/native/, which the wasm build leaves out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "vitrine/status.h"

#if !defined(__EMSCRIPTEN__)
#define VITRINE_HAVE_NATIVE_KERNELS 1
#endif

namespace vitrine {

// ------------------------------------------------------------------------------------------------ dot products

// out[r] = dot(query, rows + r*row_stride) over `dim` floats, for r in [0, n_rows).
// `rows` need not be aligned; `row_stride` >= dim, in floats. A row's result depends only on the query and that
// row, never on n_rows or the row's place in the call: a row rescored alone gets the same bits (ItemIndex relies
// on this).
using F32DotRowsFn = void (*)(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                              float* out);

void f32_dot_rows_scalar(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                         float* out);
#if defined(__wasm_simd128__)
void f32_dot_rows_wasmsimd(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                           float* out);
#endif

// out[r] = sum over k < dim of query[k] * rows[r*dim + k], exactly, in 32-bit integers: int8 rows (a quantized item
// table, values in [-127, 127]) against an int16 query (values in [-32767, 32767]). Exact while
// dim * 127 * 32767 < 2^31, hence dim <= kMaxI8I16DotDim. `rows` and `query` need not be aligned.
inline constexpr size_t kMaxI8I16DotDim = 512;
using I8I16DotRowsFn = void (*)(const int16_t* query, const int8_t* rows, size_t n_rows, size_t dim, int32_t* out);

void i8i16_dot_rows_scalar(const int16_t* query, const int8_t* rows, size_t n_rows, size_t dim, int32_t* out);
#if defined(__wasm_simd128__)
void i8i16_dot_rows_wasmsimd(const int16_t* query, const int8_t* rows, size_t n_rows, size_t dim, int32_t* out);
#endif

// ------------------------------------------------------------------------------------------------ fully connected

enum class Activation : uint8_t {
  kNone = 0,
  kRelu = 1,     // max(z, 0)
  kSigmoid = 2,  // 1 / (1 + exp(-z))
};
// "none", "relu", "sigmoid"; "invalid" for a value outside the enum (e.g. read from a corrupt file).
const char* activation_name(Activation activation);

// Largest accepted layer: each dimension and the weight count. Bigger shapes fail with LIMIT_EXCEEDED.
inline constexpr size_t kMaxFcDim = size_t{1} << 20;
inline constexpr size_t kMaxFcWeights = size_t{1} << 26;

// A fully connected layer prepared for one weight matrix: y[n, out] = act(x[n, in] · W + b).
//
// Created by an F32FcCreateFn, which validates the shape and copies (and, per variant, re-packs) the weights, so
// the caller's weight and bias arrays may be freed afterwards. run() is the hot path. It is not thread-safe (the
// XNNPACK operator is re-set-up on every call); give each thread its own layer.
class F32FullyConnected {
 public:
  virtual ~F32FullyConnected() = default;
  F32FullyConnected(const F32FullyConnected&) = delete;
  F32FullyConnected& operator=(const F32FullyConnected&) = delete;

  size_t input_dim() const { return in_; }
  size_t output_dim() const { return out_; }
  Activation activation() const { return activation_; }
  // Which implementation runs: "scalar", "wasmsimd", "xnnpack", "eigen".
  virtual const char* backend() const = 0;

  // x: n rows of input_dim() floats, contiguous; y: n rows of output_dim() floats, contiguous. Neither needs any
  // alignment or padding; they must not overlap. n == 0 does nothing. Null x or y with n > 0: INVALID_ARGUMENT.
  Status run(const float* x, size_t n, float* y);

 protected:
  F32FullyConnected(size_t in, size_t out, Activation activation) : in_(in), out_(out), activation_(activation) {}

 private:
  // Called with n > 0 and non-null pointers.
  virtual Status run_rows(const float* x, size_t n, float* y) = 0;

  size_t in_;
  size_t out_;
  Activation activation_;
};

// Prepares a layer. `weights` is row-major W[in][out] (in * out floats); `bias` holds `out` floats or is null
// for zero bias. Errors: INVALID_ARGUMENT (zero dimension, null weights, unknown activation), LIMIT_EXCEEDED
// (past kMaxFcDim / kMaxFcWeights), OUT_OF_MEMORY, INTERNAL (XNNPACK refused the operator).
using F32FcCreateFn = Result<std::unique_ptr<F32FullyConnected>> (*)(size_t in, size_t out, const float* weights,
                                                                     const float* bias, Activation activation);

// Reference: plain loops, sums in increasing input index, bias added after the sum, then the activation.
Result<std::unique_ptr<F32FullyConnected>> f32_fc_scalar(size_t in, size_t out, const float* weights, const float* bias,
                                                         Activation activation);
#if defined(__wasm_simd128__)
// Weights re-packed into panels of 8 outputs ([out/8][in][8], zero-padded) so the 4-row x 8-output register tile
// streams them with unit stride; same summation order as the reference (wasm SIMD128 has no FMA).
Result<std::unique_ptr<F32FullyConnected>> f32_fc_wasmsimd(size_t in, size_t out, const float* weights,
                                                           const float* bias, Activation activation);
#endif
#if defined(VITRINE_HAVE_NATIVE_KERNELS)
Result<std::unique_ptr<F32FullyConnected>> f32_fc_eigen(size_t in, size_t out, const float* weights, const float* bias,
                                                        Activation activation);
#if defined(VITRINE_HAVE_XNNPACK)
// One single-threaded XNNPACK operator per layer. XNNPACK may read 16 bytes past an input, so the last rows are
// run from an internal padded copy: callers need no padding.
Result<std::unique_ptr<F32FullyConnected>> f32_fc_xnnpack(size_t in, size_t out, const float* weights,
                                                          const float* bias, Activation activation);
// False when XNNPACK fails to initialise (e.g. a CPU it does not support); select_fc_kernel_table() then uses Eigen.
bool xnnpack_available();
#endif
#endif

// ------------------------------------------------------------------------------------------------ top-K

// Writes the k best of scores[0, n) to out_index/out_score, best first, and returns how many it wrote:
// min(k, number of non-NaN scores).
//   * Order: higher score first; equal scores (including +0 and -0) by lower index first.
//   * NaN scores are never selected. -inf and +inf are ordinary scores.
//   * k == 0 or n == 0 returns 0 without touching the outputs (which may then be null).
// Preconditions: n <= UINT32_MAX; out_index and out_score have room for min(k, n) entries (they are also used as
// the working heap); scores is non-null when n > 0. Every variant returns exactly the same entries.
using F32TopKFn = size_t (*)(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score);

// Reference: a bounded heap, each score compared with the heap's worst entry.
size_t f32_topk_scalar(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score);
// Skips blocks of 16 scores none of which beats the current k-th best (the common case once the heap has
// warmed up); portable code the compiler vectorises.
size_t f32_topk_blocked(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score);
#if defined(__wasm_simd128__)
// The same block filter with an explicit f32x4 compare.
size_t f32_topk_wasmsimd(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score);
#endif

// ------------------------------------------------------------------------------------------------ GEMM roofline

// An in-cache GEMM tile for measuring the one-core SIMD ceiling (bench/). It computes
//   c[r][j] = sum over `repeats` passes of sum_k a[k][r] * b[k][j],   r < 4, j < 8,
// with a packed k-major: a[kc][4], b[kc][8], c[4][8] row-major. The accumulators stay in registers for the whole
// run; only c is stored, once. Keep kc * 48 bytes within L1 (kc <= 512 is plenty).
// Timing note: V8 runs a wasm function's first calls in its baseline compiler (Liftoff) and cannot switch in the
// middle of a call, so warm up with many short calls (or run node --no-liftoff) before timing a long one.
inline constexpr size_t kRooflineRows = 4;
inline constexpr size_t kRooflineCols = 8;
// Floating-point operations of one call (a multiply and an add per term).
inline constexpr double f32_gemm_roofline_flops(size_t kc, size_t repeats) {
  return 2.0 * double(kRooflineRows * kRooflineCols) * double(kc) * double(repeats);
}
void f32_gemm_roofline_scalar(const float* a, const float* b, size_t kc, size_t repeats, float* c);
#if defined(__wasm_simd128__)
void f32_gemm_roofline_wasmsimd(const float* a, const float* b, size_t kc, size_t repeats, float* c);
#endif

// ------------------------------------------------------------------------------------------------ tables

// One implementation per op. Tables are static and never freed.
struct KernelTable {
  const char* name;  // "scalar", "wasmsimd", "native"
  F32DotRowsFn f32_dot_rows;
  I8I16DotRowsFn i8i16_dot_rows;
  F32TopKFn f32_topk;
};

// The reference table: scalar code only. Used by tests as ground truth and as the last-resort fallback.
const KernelTable& scalar_kernel_table();
// The fastest table this build supports: wasmsimd under -msimd128; natively the dense kernels' widest copy for
// float dot products and the blocked top-K.
const KernelTable& select_kernel_table();

// Fully connected layers have a table of their own: only MlpScorer (mlp.h: the benchmark's reference scorer and
// the native tools) creates them, so the shipped engine, which never asks for this table, links none of them.
struct FcKernelTable {
  const char* name;  // "scalar", "wasmsimd", "xnnpack", "eigen"
  F32FcCreateFn f32_fc_create;
};
const FcKernelTable& scalar_fc_kernel_table();
// wasmsimd under -msimd128; natively XNNPACK, or Eigen when XNNPACK is not built or fails to initialise.
const FcKernelTable& select_fc_kernel_table();

}  // namespace vitrine
