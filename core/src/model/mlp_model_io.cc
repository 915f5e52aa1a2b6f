#include "vitrine/mlp_model_io.h"

#include <string>
#include <utility>

namespace vitrine {
namespace {

Status corrupt(const std::string& what) {
  return Status(StatusCode::kMODEL_CORRUPT, what);
}
Status invalid(const std::string& what) {
  return Status(StatusCode::kINVALID_ARGUMENT, what);
}

std::string weight_name(size_t i) {
  return "fc" + std::to_string(i) + "_w";
}
std::string bias_name(size_t i) {
  return "fc" + std::to_string(i) + "_b";
}

// Shape limits shared by the writer and the reader, so a file the writer accepts always reads back.
Status check_dims(size_t i, size_t in, size_t out, StatusCode code) {
  const std::string where = "MLP layer " + std::to_string(i);
  if (in == 0 || out == 0) return Status(code, where + " has a zero dimension");
  if (in > kMaxFcDim || out > kMaxFcDim || in > kMaxFcWeights / out)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  where + " is " + std::to_string(in) + "x" + std::to_string(out) + ", past the layer limit");
  return Status();
}

Result<size_t> layer_dim(const nlohmann::json& layer, const char* key, size_t i) {
  const auto it = layer.find(key);
  if (it == layer.end() || !it->is_number_unsigned())
    return corrupt("config.layers[" + std::to_string(i) + "]." + key + " must be a non-negative integer");
  const uint64_t v = it->get<uint64_t>();
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

Result<std::vector<uint8_t>> write_mlp_model(const MlpModelWeights& model, const nlohmann::json& training) {
  if (model.layers.empty()) return invalid("MLP has no layers");
  if (model.layers.size() > kMaxMlpLayers)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "MLP has " + std::to_string(model.layers.size()) + " layers, max " + std::to_string(kMaxMlpLayers));
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const MlpLayerWeights& l = model.layers[i];
    VITRINE_RETURN_IF_ERROR(check_dims(i, l.in, l.out, StatusCode::kINVALID_ARGUMENT));
    if (i > 0 && l.in != model.layers[i - 1].out)
      return invalid("MLP layer " + std::to_string(i) + " takes " + std::to_string(l.in) + " inputs, layer " +
                     std::to_string(i - 1) + " gives " + std::to_string(model.layers[i - 1].out));
    if (l.weights.size() != l.in * l.out || l.bias.size() != l.out)
      return invalid("MLP layer " + std::to_string(i) + " has " + std::to_string(l.weights.size()) + " weights and " +
                     std::to_string(l.bias.size()) + " biases, expected " + std::to_string(l.in * l.out) + " and " +
                     std::to_string(l.out));
    if (static_cast<uint8_t>(l.activation) > static_cast<uint8_t>(Activation::kSigmoid))
      return invalid("MLP layer " + std::to_string(i) + " has an unknown activation");
    layers.push_back({{"in", l.in}, {"out", l.out}, {"activation", activation_name(l.activation)}});
  }
  if (model.output_names.size() != model.layers.back().out)
    return invalid("MLP has " + std::to_string(model.layers.back().out) + " outputs but " +
                   std::to_string(model.output_names.size()) + " output names");

  ModelFileWriter writer;
  writer.set_kind(kMlpModelKind);
  writer.set_config({{"layers", std::move(layers)}});
  writer.set_training(training);
  VITRINE_RETURN_IF_ERROR(writer.set_vocabulary(model.output_names));
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const MlpLayerWeights& l = model.layers[i];
    VITRINE_RETURN_IF_ERROR(writer.add_f32(weight_name(i), {l.in, l.out}, l.weights.data(), l.weights.size()));
    VITRINE_RETURN_IF_ERROR(writer.add_f32(bias_name(i), {l.out}, l.bias.data(), l.bias.size()));
  }
  return writer.serialize();
}

Result<MlpModelWeights> read_mlp_model(const ModelFile& file) {
  if (file.kind() != kMlpModelKind)
    return corrupt("model kind is '" + file.kind() + "', expected '" + kMlpModelKind + "'");
  const nlohmann::json& cfg = file.config();
  if (cfg.size() != 1 || !cfg.contains("layers")) return corrupt("config must hold exactly one field, 'layers'");
  const nlohmann::json& layers = cfg["layers"];
  if (!layers.is_array() || layers.empty()) return corrupt("config.layers must be a non-empty array");
  if (layers.size() > kMaxMlpLayers)
    return Status(StatusCode::kLIMIT_EXCEEDED, "config.layers lists " + std::to_string(layers.size()) +
                                                   " layers, max " + std::to_string(kMaxMlpLayers));

  MlpModelWeights model;
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < layers.size(); ++i) {
    const nlohmann::json& layer = layers[i];
    const std::string where = "config.layers[" + std::to_string(i) + "]";
    if (!layer.is_object() || layer.size() != 3)
      return corrupt(where + " must be an object with exactly 'in', 'out' and 'activation'");
    auto in = layer_dim(layer, "in", i);
    if (!in.ok()) return in.status();
    auto out = layer_dim(layer, "out", i);
    if (!out.ok()) return out.status();
    VITRINE_RETURN_IF_ERROR(check_dims(i, in.value(), out.value(), StatusCode::kMODEL_CORRUPT));
    const auto act = layer.find("activation");
    if (act == layer.end() || !act->is_string()) return corrupt(where + ".activation must be a string");
    auto activation = activation_from_name(act->get<std::string>());
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
