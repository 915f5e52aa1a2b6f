#include "vitrine/mlp.h"

#include <algorithm>
#include <new>
#include <string>

namespace vitrine {
namespace {

Status check_chain(const std::vector<DenseLayerSpec>& layers) {
  if (layers.empty()) return Status(StatusCode::kINVALID_ARGUMENT, "MLP has no layers");
  for (size_t i = 1; i < layers.size(); ++i) {
    if (layers[i].in != layers[i - 1].out) {
      return Status(StatusCode::kINVALID_ARGUMENT,
                    "MLP layer " + std::to_string(i) + " takes " + std::to_string(layers[i].in) + " inputs, layer " +
                        std::to_string(i - 1) + " gives " + std::to_string(layers[i - 1].out));
    }
  }
  return Status();
}

Result<std::unique_ptr<F32FullyConnected>> prepare(F32FcCreateFn create, const DenseLayerSpec& spec, size_t i) {
  auto layer = create(spec.in, spec.out, spec.weights, spec.bias, spec.activation);
  if (!layer.ok()) {
    return Status(layer.status().code(), "MLP layer " + std::to_string(i) + ": " + layer.status().message());
  }
  return layer;
}

Status run_all(const std::vector<std::unique_ptr<F32FullyConnected>>& layers, const float* x, size_t n,
               float* scratch_a, float* scratch_b, float* y) {
  const float* in = x;
  float* bufs[2] = {scratch_a, scratch_b};
  for (size_t i = 0; i < layers.size(); ++i) {
    float* out = i + 1 == layers.size() ? y : bufs[i % 2];
    VITRINE_RETURN_IF_ERROR(layers[i]->run(in, n, out));
    in = out;
  }
  return Status();
}

}  // namespace

Result<MlpScorer> MlpScorer::create(const std::vector<DenseLayerSpec>& layers, const FcKernelTable& kernels,
                                    size_t tile_rows) {
  VITRINE_RETURN_IF_ERROR(check_chain(layers));
  if (tile_rows == 0 || tile_rows > kMaxMlpTileRows) {
    return Status(StatusCode::kINVALID_ARGUMENT,
                  "MLP tile of " + std::to_string(tile_rows) + " rows, expected 1.." + std::to_string(kMaxMlpTileRows));
  }
  MlpScorer scorer;
  scorer.tile_rows_ = tile_rows;
  size_t widest_hidden = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto layer = prepare(kernels.f32_fc_create, layers[i], i);
    if (!layer.ok()) return layer.status();
    if (i + 1 < layers.size()) widest_hidden = std::max(widest_hidden, layers[i].out);
    try {
      scorer.layers_.push_back(std::move(layer).value());
    } catch (const std::bad_alloc&) {
      return Status(StatusCode::kOUT_OF_MEMORY, "out of memory preparing the MLP");
    }
  }
  if (widest_hidden > kMaxFcWeights / tile_rows) {  // divide: the product can wrap in a 32-bit size_t
    return Status(StatusCode::kLIMIT_EXCEEDED, "MLP scratch tile of " + std::to_string(tile_rows) + " x " +
                                                   std::to_string(widest_hidden) + " floats is past the limit");
  }
  try {
    scorer.scratch_a_.resize(tile_rows * widest_hidden);
    scorer.scratch_b_.resize(tile_rows * widest_hidden);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kOUT_OF_MEMORY, "out of memory for the MLP scratch tiles");
  }
  return Result<MlpScorer>(std::move(scorer));
}

size_t MlpScorer::input_dim() const {
  return layers_.empty() ? 0 : layers_.front()->input_dim();
}
size_t MlpScorer::output_dim() const {
  return layers_.empty() ? 0 : layers_.back()->output_dim();
}

Status MlpScorer::score(const float* features, size_t n, float* scores) {
  if (layers_.empty()) return Status(StatusCode::kNO_MODEL, "MLP scorer has no layers");
  if (n == 0) return Status();
  if (features == nullptr || scores == nullptr) {
    return Status(StatusCode::kINVALID_ARGUMENT, "MLP score: features or scores are null");
  }
  const size_t in = input_dim(), out = output_dim();
  for (size_t r = 0; r < n; r += tile_rows_) {
    const size_t rows = std::min(tile_rows_, n - r);
    VITRINE_RETURN_IF_ERROR(
        run_all(layers_, features + r * in, rows, scratch_a_.data(), scratch_b_.data(), scores + r * out));
  }
  return Status();
}

Status mlp_score_reference(const std::vector<DenseLayerSpec>& layers, const float* features, size_t n, float* scores) {
  VITRINE_RETURN_IF_ERROR(check_chain(layers));
  std::vector<std::unique_ptr<F32FullyConnected>> prepared;
  size_t widest_hidden = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto layer = prepare(f32_fc_scalar, layers[i], i);
    if (!layer.ok()) return layer.status();
    try {
      prepared.push_back(std::move(layer).value());
    } catch (const std::bad_alloc&) {
      return Status(StatusCode::kOUT_OF_MEMORY, "out of memory preparing the MLP reference");
    }
    if (i + 1 < layers.size()) widest_hidden = std::max(widest_hidden, layers[i].out);
  }
  if (n == 0) return Status();
  if (features == nullptr || scores == nullptr) {
    return Status(StatusCode::kINVALID_ARGUMENT, "MLP score: features or scores are null");
  }
  if (widest_hidden > 0 && n > kMaxFcWeights / widest_hidden) {
    return Status(StatusCode::kLIMIT_EXCEEDED, "MLP reference: " + std::to_string(n) + " rows are past the limit");
  }
  try {
    std::vector<float> a(n * widest_hidden), b(n * widest_hidden);
    return run_all(prepared, features, n, a.data(), b.data(), scores);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kOUT_OF_MEMORY, "out of memory for the MLP reference intermediates");
  }
}

}  // namespace vitrine
