// Native fully connected layer on Eigen: the fallback when XNNPACK is not installed.
#include "../kernels/fc_common.h"
#include "vitrine/native/eigen_core.h"

namespace vitrine {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class EigenFc final : public F32FullyConnected {
 public:
  EigenFc(size_t in, size_t out, const float* weights, const float* bias, Activation activation)
      : F32FullyConnected(in, out, activation),
        weights_(Eigen::Map<const RowMajor>(weights, Eigen::Index(in), Eigen::Index(out))),
        bias_(Eigen::Map<const Eigen::RowVectorXf>(fc_detail::bias_or_zero(bias, out).data(), Eigen::Index(out))) {}

  const char* backend() const override { return "eigen"; }

 private:
  Status run_rows(const float* x, size_t n, float* y) override {
    const auto rows = Eigen::Index(n);
    Eigen::Map<const RowMajor> xm(x, rows, Eigen::Index(input_dim()));
    Eigen::Map<RowMajor> ym(y, rows, Eigen::Index(output_dim()));
    ym.noalias() = xm * weights_;
    ym.rowwise() += bias_;
    switch (activation()) {
      case Activation::kRelu:
        ym = ym.unaryExpr([](float z) { return fc_detail::relu(z); });
        break;
      case Activation::kSigmoid:
        ym = ym.unaryExpr([](float z) { return fc_detail::sigmoid(z); });
        break;
      case Activation::kNone:
        break;
    }
    return Status();
  }

  RowMajor weights_;  // W[in][out]
  Eigen::RowVectorXf bias_;
};

}  // namespace

Result<std::unique_ptr<F32FullyConnected>> f32_fc_eigen(size_t in, size_t out, const float* weights, const float* bias,
                                                        Activation activation) {
  VITRINE_RETURN_IF_ERROR(fc_detail::validate(in, out, weights, activation));
  return fc_detail::make_layer<EigenFc>(in, out, weights, bias, activation);
}

}  // namespace vitrine
