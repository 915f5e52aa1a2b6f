// Multilayer perceptron <-> model file (model_file.h). Kind "mlp".
//
// Header config: {"layers": [{"in": 128, "out": 64, "activation": "relu"}, ...]}; each layer's `in` equals the
// previous layer's `out`; activation is "none", "relu" or "sigmoid".
// Tensors: "fc<i>_w" f32/f16/i8 [in][out] (row-major, y = x . W + b) and "fc<i>_b" [out], for each layer i; no
// other tensors besides "vocab".
// Vocabulary: an MLP has no catalog, so "vocab" names the output columns (the reference model has one, "score");
// vocab_size therefore equals the last layer's `out`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/kernels.h"
#include "vitrine/mlp.h"
#include "vitrine/model_file.h"
#include "vitrine/status.h"

namespace vitrine {

inline constexpr char kMlpModelKind[] = "mlp";
// More layers than any on-device scorer needs; bounds the work a hostile header can ask for.
inline constexpr size_t kMaxMlpLayers = 64;

struct MlpLayerWeights {
  size_t in = 0;
  size_t out = 0;
  Activation activation = Activation::kNone;
  std::vector<float> weights;  // [in][out]
  std::vector<float> bias;     // [out]
};

struct MlpModelWeights {
  std::vector<MlpLayerWeights> layers;
  std::vector<std::string> output_names;  // one per output of the last layer; stored as the vocabulary

  // Views for MlpScorer::create; valid while this object lives and is not modified.
  std::vector<DenseLayerSpec> layer_specs() const;
};

// "none" / "relu" / "sigmoid" -> Activation; INVALID_ARGUMENT otherwise.
Result<Activation> activation_from_name(std::string_view name);

// Reads an MLP from a validated model file. MODEL_CORRUPT, naming the field or tensor, on a wrong kind, a
// malformed config, a broken chain of shapes, missing, extra or mis-shaped tensors, or a vocabulary that does
// not match the outputs; LIMIT_EXCEEDED past kMaxMlpLayers or the fully connected limits of kernels.h.
Result<MlpModelWeights> read_mlp_model(const ModelFile& file);

}  // namespace vitrine
