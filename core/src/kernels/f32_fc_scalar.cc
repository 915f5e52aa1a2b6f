// Reference fully connected layer and the non-virtual entry point shared by all variants.
#include <algorithm>

#include "fc_common.h"

namespace vitrine {

const char* activation_name(Activation activation) {
  switch (activation) {
    case Activation::kNone:
      return "none";
    case Activation::kRelu:
      return "relu";
    case Activation::kSigmoid:
      return "sigmoid";
  }
  return "invalid";
}

Status F32FullyConnected::run(const float* x, size_t n, float* y) {
  if (n == 0) return Status();
  if (x == nullptr || y == nullptr) {
    return Status(StatusCode::kINVALID_ARGUMENT, "fully connected run: input or output is null");
  }
  return run_rows(x, n, y);
}

namespace {

class ScalarFc final : public F32FullyConnected {
 public:
  ScalarFc(size_t in, size_t out, const float* weights, const float* bias, Activation activation)
      : F32FullyConnected(in, out, activation),
        weights_(weights, weights + in * out),
        bias_(fc_detail::bias_or_zero(bias, out)) {}

  const char* backend() const override { return "scalar"; }

 private:
  Status run_rows(const float* x, size_t n, float* y) override {
    const size_t in = input_dim(), out = output_dim();
    for (size_t r = 0; r < n; ++r) {
      const float* xr = x + r * in;
      float* yr = y + r * out;
      // k outer, o inner: every output still sums its products in increasing k, and W is read row by row.
      std::fill(yr, yr + out, 0.0f);
      for (size_t k = 0; k < in; ++k) {
        const float xk = xr[k];
        const float* wk = weights_.data() + k * out;
        for (size_t o = 0; o < out; ++o) yr[o] += xk * wk[o];
      }
      for (size_t o = 0; o < out; ++o) yr[o] = fc_detail::activate(activation(), yr[o] + bias_[o]);
    }
    return Status();
  }

  std::vector<float> weights_;  // W[in][out]
  std::vector<float> bias_;
};

}  // namespace

Result<std::unique_ptr<F32FullyConnected>> f32_fc_scalar(size_t in, size_t out, const float* weights, const float* bias,
                                                         Activation activation) {
  VITRINE_RETURN_IF_ERROR(fc_detail::validate(in, out, weights, activation));
  return fc_detail::make_layer<ScalarFc>(in, out, weights, bias, activation);
}

}  // namespace vitrine
