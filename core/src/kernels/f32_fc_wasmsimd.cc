// SIMD128 fully connected layer: a 4-row x 8-output register tile (8 f32x4 accumulators) over weights packed at
// prepare time into panels of 8 outputs, so the inner loop reads each panel front to back. Each accumulator lane
// sums its products in increasing k and the bias is added afterwards, exactly like the scalar reference.
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
  v128_t lo[kRows], hi[kRows];
  for (size_t r = 0; r < kRows; ++r) lo[r] = hi[r] = wasm_f32x4_splat(0.0f);
  for (size_t k = 0; k < in; ++k) {
    const v128_t w_lo = wasm_v128_load(panel + k * kPanel);
    const v128_t w_hi = wasm_v128_load(panel + k * kPanel + 4);
    for (size_t r = 0; r < kRows; ++r) {
      const v128_t xv = wasm_v128_load32_splat(x + r * in + k);
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
    // A block of kBlockRows input rows (8 KB at in = 128) stays in L1 while the panels stream past it, and each
    // panel (4 KB at in = 128) is reused by the block's 4-row tiles before the next one is read.
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
  return fc_detail::make_layer<WasmSimdFc>(in, out, weights, bias, activation);
}

}  // namespace vitrine
#endif  // __wasm_simd128__
