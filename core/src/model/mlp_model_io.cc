// Reading MLP model files (mlp_model_io.h); the writer is in mlp_model_writer.cc.
#include "vitrine/mlp_model_io.h"

#include <optional>
#include <string>
#include <utility>

#include "mlp_model_internal.h"

namespace vitrine {
namespace {

using namespace mlp_model_internal;  // NOLINT: file-local helpers

Status corrupt(const std::string& what) {
  return Status(StatusCode::kMODEL_CORRUPT, what);
}
Status invalid(const std::string& what) {
  return Status(StatusCode::kINVALID_ARGUMENT, what);
}

Result<size_t> layer_dim(const JsonValue& layer, const char* key, size_t i) {
  const JsonValue* value = layer.find(key);
  const auto u = value != nullptr ? value->as_uint64() : std::nullopt;
  if (!u) return corrupt("config.layers[" + std::to_string(i) + "]." + key + " must be a non-negative integer");
  const uint64_t v = *u;
  if (v > kMaxFcDim)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "config.layers[" + std::to_string(i) + "]." + key + " is " + std::to_string(v) + ", past the limit");
  return static_cast<size_t>(v);
}

}  // namespace

std::vector<DenseLayerSpec> MlpModelWeights::layer_specs() const {
  std::vector<DenseLayerSpec> specs;
  specs.reserve(layers.size());
  for (const MlpLayerWeights& l : layers) specs.push_back({l.in, l.out, l.weights.data(), l.bias.data(), l.activation});
  return specs;
}

Result<Activation> activation_from_name(std::string_view name) {
  for (Activation a : {Activation::kNone, Activation::kRelu, Activation::kSigmoid}) {
    if (name == activation_name(a)) return a;
  }
  return invalid("unknown activation '" + std::string(name) + "' (expected none, relu or sigmoid)");
}

Result<MlpModelWeights> read_mlp_model(const ModelFile& file) {
  if (file.kind() != kMlpModelKind)
    return corrupt("model kind is '" + file.kind() + "', expected '" + kMlpModelKind + "'");
  const JsonValue& cfg = file.config();
  const JsonValue* layers_value = cfg.find("layers");
  if (cfg.size() != 1 || layers_value == nullptr) return corrupt("config must hold exactly one field, 'layers'");
  const JsonValue& layers = *layers_value;
  if (!layers.is_array() || layers.size() == 0) return corrupt("config.layers must be a non-empty array");
  if (layers.size() > kMaxMlpLayers)
    return Status(StatusCode::kLIMIT_EXCEEDED, "config.layers lists " + std::to_string(layers.size()) +
                                                   " layers, max " + std::to_string(kMaxMlpLayers));

  MlpModelWeights model;
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < layers.size(); ++i) {
    const JsonValue& layer = layers.items()[i];
    const std::string where = "config.layers[" + std::to_string(i) + "]";
    if (!layer.is_object() || layer.size() != 3)
      return corrupt(where + " must be an object with exactly 'in', 'out' and 'activation'");
    auto in = layer_dim(layer, "in", i);
    if (!in.ok()) return in.status();
    auto out = layer_dim(layer, "out", i);
    if (!out.ok()) return out.status();
    VITRINE_RETURN_IF_ERROR(check_dims(i, in.value(), out.value(), StatusCode::kMODEL_CORRUPT));
    const JsonValue* act = layer.find("activation");
    if (act == nullptr || !act->is_string()) return corrupt(where + ".activation must be a string");
    auto activation = activation_from_name(act->as_string());
    if (!activation.ok()) return corrupt(where + ": " + activation.status().message());
    if (i > 0 && in.value() != model.layers.back().out)
      return corrupt(where + ".in is " + std::to_string(in.value()) + ", the previous layer gives " +
                     std::to_string(model.layers.back().out));
    MlpLayerWeights l;
    l.in = in.value();
    l.out = out.value();
    l.activation = activation.value();
    specs.push_back({weight_name(i), kFloatDTypes, {static_cast<int64_t>(l.in), static_cast<int64_t>(l.out)}});
    specs.push_back({bias_name(i), kFloatDTypes, {static_cast<int64_t>(l.out)}});
    model.layers.push_back(std::move(l));
  }
  if (file.vocab_size() != model.layers.back().out)
    return corrupt("vocab names " + std::to_string(file.vocab_size()) + " outputs, the last layer has " +
                   std::to_string(model.layers.back().out));
  VITRINE_RETURN_IF_ERROR(file.check_tensors(specs));
  if (file.tensors().size() != specs.size() + 1) {  // + the vocab
    for (const TensorView& t : file.tensors()) {
      bool expected = t.name == kVocabTensorName;
      for (const TensorSpec& s : specs) expected = expected || s.name == t.name;
      if (!expected) return corrupt("unexpected tensor '" + t.name + "' in an MLP model");
    }
  }
  for (size_t i = 0; i < model.layers.size(); ++i) {
    MlpLayerWeights& l = model.layers[i];
    l.weights.resize(l.in * l.out);
    l.bias.resize(l.out);
    VITRINE_RETURN_IF_ERROR(file.read_f32(weight_name(i), l.weights.data(), l.weights.size()));
    VITRINE_RETURN_IF_ERROR(file.read_f32(bias_name(i), l.bias.data(), l.bias.size()));
  }
  for (std::string_view name : file.vocabulary()) model.output_names.emplace_back(name);
  return model;
}

}  // namespace vitrine
