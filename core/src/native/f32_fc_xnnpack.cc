// Native fully connected layer on XNNPACK (Debian's libxnnpack-dev snapshot): one operator per weight matrix,
// created once, set up and run on every call, single-threaded (threadpool null).
#if defined(VITRINE_HAVE_XNNPACK)
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "../kernels/fc_common.h"

namespace vitrine {
namespace {

Status xnn_error(const char* what, xnn_status status) {
  return Status(StatusCode::kINTERNAL,
                std::string("XNNPACK ") + what + " failed with status " + std::to_string(static_cast<int>(status)));
}

Status initialize_xnnpack_once() {
  static xnn_status status = xnn_status_uninitialized;
  static std::once_flag once;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  return status == xnn_status_success ? Status() : xnn_error("initialize", status);
}

}  // namespace

bool xnnpack_available() {
  return initialize_xnnpack_once().ok();
}

namespace {

class XnnpackFc final : public F32FullyConnected {
 public:
  XnnpackFc(size_t in, size_t out, Activation activation, xnn_operator_t op)
      : F32FullyConnected(in, out, activation), op_(op) {}
  ~XnnpackFc() override { xnn_delete_operator(op_); }

  const char* backend() const override { return "xnnpack"; }

 private:
  Status run_rows(const float* x, size_t n, float* y) override {
    const size_t in = input_dim(), out = output_dim();
    // XNNPACK may read XNN_EXTRA_BYTES past the end of its input. Rows whose over-read would leave the caller's
    // buffer go through a padded copy; for in >= 4 that is only the last row.
    const size_t tail_rows = std::min(n, (XNN_EXTRA_BYTES / sizeof(float) + in - 1) / in);
    const size_t head_rows = n - tail_rows;
    if (head_rows > 0) VITRINE_RETURN_IF_ERROR(run_op(x, head_rows, y));
    const size_t tail_floats = tail_rows * in;
    if (padded_.size() < tail_floats + XNN_EXTRA_BYTES / sizeof(float)) {
      padded_.assign(tail_floats + XNN_EXTRA_BYTES / sizeof(float), 0.0f);
    }
    std::copy(x + head_rows * in, x + n * in, padded_.begin());
    VITRINE_RETURN_IF_ERROR(run_op(padded_.data(), tail_rows, y + head_rows * out));
    if (activation() == Activation::kSigmoid) {
      for (size_t i = 0; i < n * out; ++i) y[i] = fc_detail::sigmoid(y[i]);
    }
    return Status();
  }

  Status run_op(const float* x, size_t n, float* y) {
    xnn_status status = xnn_setup_fully_connected_nc_f32(op_, n, x, y, nullptr);
    if (status != xnn_status_success) return xnn_error("setup_fully_connected", status);
    status = xnn_run_operator(op_, nullptr);
    if (status != xnn_status_success) return xnn_error("run_operator", status);
    return Status();
  }

  xnn_operator_t op_;
  std::vector<float> padded_;
};

}  // namespace

Result<std::unique_ptr<F32FullyConnected>> f32_fc_xnnpack(size_t in, size_t out, const float* weights,
                                                          const float* bias, Activation activation) {
  VITRINE_RETURN_IF_ERROR(fc_detail::validate(in, out, weights, activation));
  VITRINE_RETURN_IF_ERROR(initialize_xnnpack_once());
  // ReLU is XNNPACK's output clamp; sigmoid is applied afterwards (XNNPACK's own sigmoid would over-read y).
  const float lo = activation == Activation::kRelu ? 0.0f : -std::numeric_limits<float>::infinity();
  const float hi = std::numeric_limits<float>::infinity();
  xnn_operator_t op = nullptr;
  // Our W is [in][out]; XNNPACK's default is [out][in], hence TRANSPOSE_WEIGHTS. It packs its own copy.
  const xnn_status status =
      xnn_create_fully_connected_nc_f32(in, out, in, out, weights, bias, lo, hi, XNN_FLAG_TRANSPOSE_WEIGHTS, &op);
  if (status == xnn_status_out_of_memory) {
    return Status(StatusCode::kOUT_OF_MEMORY, "out of memory preparing an XNNPACK fully connected layer");
  }
  if (status != xnn_status_success) return xnn_error("create_fully_connected", status);
  try {
    std::unique_ptr<F32FullyConnected> layer = std::make_unique<XnnpackFc>(in, out, activation, op);
    return Result<std::unique_ptr<F32FullyConnected>>(std::move(layer));
  } catch (const std::bad_alloc&) {
    xnn_delete_operator(op);
    return Status(StatusCode::kOUT_OF_MEMORY, "out of memory preparing an XNNPACK fully connected layer");
  }
}

}  // namespace vitrine
#endif  // VITRINE_HAVE_XNNPACK
