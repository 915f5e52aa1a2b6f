// A fused multilayer-perceptron scorer: a stack of prepared fully connected layers run over tiles of candidate
// rows, so each tile's intermediate activations stay in cache between layers.
//
// The benchmark reference model is features [N,128] -> Dense 64 ReLU -> Dense 32 ReLU -> Dense 1 sigmoid.
// Layers are given as weights held in memory (DenseLayerSpec); building them from a model file is the model
// loader's job. The result is defined by mlp_score_reference(): the unfused, layer-by-layer scalar computation.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "vitrine/kernels.h"
#include "vitrine/status.h"

namespace vitrine {

// One dense layer: y = act(x · W + b) with W row-major [in][out] and `out` bias floats (null bias = zeros).
// The pointers are only read while a scorer is being created.
struct DenseLayerSpec {
  size_t in = 0;
  size_t out = 0;
  const float* weights = nullptr;
  const float* bias = nullptr;
  Activation activation = Activation::kNone;
};

// Default rows per tile: 64 rows of the reference model's widest layer (128 floats) are 32 KB, i.e. input tile
// and both scratch tiles together stay within L1/L2.
inline constexpr size_t kDefaultMlpTileRows = 64;
inline constexpr size_t kMaxMlpTileRows = 4096;

class MlpScorer {
 public:
  // An empty scorer: score() fails with NO_MODEL until one is assigned from create().
  MlpScorer() = default;
  MlpScorer(MlpScorer&&) = default;
  MlpScorer& operator=(MlpScorer&&) = default;

  // Prepares every layer with `kernels.f32_fc_create`. Errors: INVALID_ARGUMENT (no layers, a layer whose `in`
  // differs from the previous `out`, tile_rows 0 or past kMaxMlpTileRows, and every layer error of
  // F32FcCreateFn, prefixed with the layer number), LIMIT_EXCEEDED, OUT_OF_MEMORY, INTERNAL.
  static Result<MlpScorer> create(const std::vector<DenseLayerSpec>& layers, const FcKernelTable& kernels,
                                  size_t tile_rows = kDefaultMlpTileRows);

  size_t input_dim() const;
  size_t output_dim() const;
  size_t layer_count() const { return layers_.size(); }
  size_t tile_rows() const { return tile_rows_; }

  // scores[n, output_dim()] = MLP(features[n, input_dim()]), rows contiguous, no alignment needed, no overlap.
  // n == 0 does nothing. Not thread-safe: the scorer owns its scratch tiles.
  Status score(const float* features, size_t n, float* scores);

 private:
  std::vector<std::unique_ptr<F32FullyConnected>> layers_;
  size_t tile_rows_ = 0;
  std::vector<float> scratch_a_, scratch_b_;  // tile_rows x widest hidden layer each
};

// The reference: each layer over all n rows with f32_fc_scalar, one full intermediate matrix per layer.
// Same errors as MlpScorer::create and score.
Status mlp_score_reference(const std::vector<DenseLayerSpec>& layers, const float* features, size_t n, float* scores);

}  // namespace vitrine
