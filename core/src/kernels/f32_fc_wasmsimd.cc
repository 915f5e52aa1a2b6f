// SIMD128 fully connected layer: a 4-row x 8-output register tile (8 f32x4 accumulators) over weights packed
// at prepare time into panels of 8 outputs, so the inner loop reads each panel front to back. Each
// accumulator lane sums its products in increasing k and the bias is added afterwards, exactly like the
// scalar reference. A layer with a single output (a scorer) has its own tile, WasmSimdFcOneOutput: an 8-wide
// panel would spend 7/8 of its arithmetic on padding there.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>

#include "fc_common.h"

namespace vitrine {
namespace {

constexpr size_t kTileRows = 4;
constexpr size_t kPanel = 8;
constexpr size_t kBlockRows = 16;  // a multiple of kTileRows

// y[0..rows)[0..nr) for one panel. `panel` is [in][8]; `bias8` is 8 floats (zero past nr).
template <size_t kRows>
inline void fc_tile(const float* x, size_t in, const float* panel, const float* bias8, size_t nr, Activation act,
                    float* y, size_t y_stride) {
  // One pointer per row, bumped every step: a wasm load takes a base plus a constant, so row r's address
  // would otherwise be recomputed from k every step (measured 5% slower on the benchmark's first layer).
  const float* row[kRows];
  v128_t lo[kRows], hi[kRows];
  for (size_t r = 0; r < kRows; ++r) {
    row[r] = x + r * in;
    lo[r] = hi[r] = wasm_f32x4_splat(0.0f);
  }
  for (const float *w = panel, *const end = panel + in * kPanel; w != end; w += kPanel) {
    const v128_t w_lo = wasm_v128_load(w);
    const v128_t w_hi = wasm_v128_load(w + 4);
    for (size_t r = 0; r < kRows; ++r) {
      const v128_t xv = wasm_v128_load32_splat(row[r]++);
      lo[r] = wasm_f32x4_add(lo[r], wasm_f32x4_mul(xv, w_lo));
      hi[r] = wasm_f32x4_add(hi[r], wasm_f32x4_mul(xv, w_hi));
    }
  }
  const v128_t b_lo = wasm_v128_load(bias8), b_hi = wasm_v128_load(bias8 + 4);
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (size_t r = 0; r < kRows; ++r) {
    v128_t v_lo = wasm_f32x4_add(lo[r], b_lo), v_hi = wasm_f32x4_add(hi[r], b_hi);
    if (act == Activation::kRelu) {
      v_lo = wasm_f32x4_max(v_lo, zero);  // max, not pmax: NaN propagates as in the reference
      v_hi = wasm_f32x4_max(v_hi, zero);
    }
    float* yr = y + r * y_stride;
    if (nr == kPanel) {
      wasm_v128_store(yr, v_lo);
      wasm_v128_store(yr + 4, v_hi);
    } else {
      float tmp[kPanel];
      wasm_v128_store(tmp, v_lo);
      wasm_v128_store(tmp + 4, v_hi);
      std::copy(tmp, tmp + nr, yr);
    }
    // Sigmoid only ends a scorer (a handful of outputs), so the exact scalar exp costs little.
    if (act == Activation::kSigmoid) {
      for (size_t j = 0; j < nr; ++j) yr[j] = fc_detail::sigmoid(yr[j]);
    }
  }
}

// Four rows' sums for one output, row r in lane r: each 4x4 block of inputs (four rows, four steps of k) is
// transposed in registers, so every lane still adds its products in increasing k.
inline v128_t dot4_rows(const float* x, size_t in, const float* w) {
  const float* r0 = x;
  const float* r1 = x + in;
  const float* r2 = x + 2 * in;
  const float* r3 = x + 3 * in;
  v128_t acc = wasm_f32x4_splat(0.0f);
  size_t k = 0;
  for (; k + 4 <= in; k += 4) {
    const v128_t a = wasm_v128_load(r0 + k), b = wasm_v128_load(r1 + k);
    const v128_t c = wasm_v128_load(r2 + k), d = wasm_v128_load(r3 + k);
    const v128_t ab_lo = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab_hi = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
    const v128_t cd_lo = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd_hi = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
    const v128_t k0 = wasm_i64x2_shuffle(ab_lo, cd_lo, 0, 2), k1 = wasm_i64x2_shuffle(ab_lo, cd_lo, 1, 3);
    const v128_t k2 = wasm_i64x2_shuffle(ab_hi, cd_hi, 0, 2), k3 = wasm_i64x2_shuffle(ab_hi, cd_hi, 1, 3);
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(k0, wasm_v128_load32_splat(w + k)));
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(k1, wasm_v128_load32_splat(w + k + 1)));
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(k2, wasm_v128_load32_splat(w + k + 2)));
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(k3, wasm_v128_load32_splat(w + k + 3)));
  }
  for (; k < in; ++k) {
    const v128_t column = wasm_f32x4_make(r0[k], r1[k], r2[k], r3[k]);
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(column, wasm_v128_load32_splat(w + k)));
  }
  return acc;
}

class WasmSimdFcOneOutput final : public F32FullyConnected {
 public:
  WasmSimdFcOneOutput(size_t in, const float* weights, const float* bias, Activation activation)
      : F32FullyConnected(in, 1, activation), weights_(weights, weights + in), bias_(bias ? *bias : 0.0f) {}

  const char* backend() const override { return "wasmsimd"; }

 private:
  Status run_rows(const float* x, size_t n, float* y) override {
    const size_t in = input_dim();
    const Activation act = activation();
    const v128_t bias = wasm_f32x4_splat(bias_), zero = wasm_f32x4_splat(0.0f);
    size_t r = 0;
    for (; r + kTileRows <= n; r += kTileRows) {
      v128_t v = wasm_f32x4_add(dot4_rows(x + r * in, in, weights_.data()), bias);
      if (act == Activation::kRelu) v = wasm_f32x4_max(v, zero);
      wasm_v128_store(y + r, v);
      if (act == Activation::kSigmoid) {
        for (size_t i = r; i < r + kTileRows; ++i) y[i] = fc_detail::sigmoid(y[i]);
      }
    }
    for (; r < n; ++r) {  // the last n % 4 rows, summed as the reference sums them
      const float* xr = x + r * in;
      float sum = 0.0f;
      for (size_t k = 0; k < in; ++k) sum += xr[k] * weights_[k];
      y[r] = fc_detail::activate(act, sum + bias_);
    }
    return Status();
  }

  std::vector<float> weights_;
  float bias_;
};

class WasmSimdFc final : public F32FullyConnected {
 public:
  WasmSimdFc(size_t in, size_t out, const float* weights, const float* bias, Activation activation)
      : F32FullyConnected(in, out, activation),
        n_panels_((out + kPanel - 1) / kPanel),
        packed_(n_panels_ * in * kPanel, 0.0f),
        bias_(n_panels_ * kPanel, 0.0f) {
    for (size_t p = 0; p < n_panels_; ++p) {
      const size_t nr = std::min(kPanel, out - p * kPanel);
      float* panel = packed_.data() + p * in * kPanel;
      for (size_t k = 0; k < in; ++k) {
        std::copy(weights + k * out + p * kPanel, weights + k * out + p * kPanel + nr, panel + k * kPanel);
      }
    }
    if (bias != nullptr) std::copy(bias, bias + out, bias_.begin());
  }

  const char* backend() const override { return "wasmsimd"; }

 private:
  Status run_rows(const float* x, size_t n, float* y) override {
    const size_t in = input_dim(), out = output_dim();
    const Activation act = activation();
    // A block of kBlockRows input rows (8 KB at in = 128) stays in L1 while the panels stream past it, and
    // each panel (4 KB at in = 128) is reused by the block's 4-row tiles before the next one is read.
    size_t r = 0;
    const size_t full_rows = n - n % kTileRows;
    for (; r < full_rows; r += kBlockRows) {
      const size_t block_end = std::min(r + kBlockRows, full_rows);
      for (size_t p = 0; p < n_panels_; ++p) {
        for (size_t t = r; t < block_end; t += kTileRows) {
          fc_tile<kTileRows>(x + t * in, in, packed_.data() + p * in * kPanel, bias_.data() + p * kPanel,
                             std::min(kPanel, out - p * kPanel), act, y + t * out + p * kPanel, out);
        }
      }
    }
    r = full_rows;
    const size_t rest = n - r;
    for (size_t p = 0; p < n_panels_ && rest > 0; ++p) {
      const float* panel = packed_.data() + p * in * kPanel;
      const float* bias8 = bias_.data() + p * kPanel;
      const size_t nr = std::min(kPanel, out - p * kPanel);
      float* yp = y + r * out + p * kPanel;
      if (rest == 3) fc_tile<3>(x + r * in, in, panel, bias8, nr, act, yp, out);
      if (rest == 2) fc_tile<2>(x + r * in, in, panel, bias8, nr, act, yp, out);
      if (rest == 1) fc_tile<1>(x + r * in, in, panel, bias8, nr, act, yp, out);
    }
    return Status();
  }

  size_t n_panels_;
  std::vector<float> packed_;  // [n_panels][in][8]
  std::vector<float> bias_;    // [n_panels * 8]
};

}  // namespace

Result<std::unique_ptr<F32FullyConnected>> f32_fc_wasmsimd(size_t in, size_t out, const float* weights,
                                                           const float* bias, Activation activation) {
  VITRINE_RETURN_IF_ERROR(fc_detail::validate(in, out, weights, activation));
  if (out == 1) return fc_detail::make_layer<WasmSimdFcOneOutput>(in, weights, bias, activation);
  return fc_detail::make_layer<WasmSimdFc>(in, out, weights, bias, activation);
}

}  // namespace vitrine
#endif  // __wasm_simd128__
