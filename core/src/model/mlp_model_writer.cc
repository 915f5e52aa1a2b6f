// write_mlp_model (mlp_model_writer.h): natively, for the tools and tests. Apart from the reader (mlp_model_io.cc)
// because it builds the header with nlohmann/json, which the engine does not link.
#include "vitrine/mlp_model_writer.h"

#include <string>
#include <utility>

#include "mlp_model_internal.h"

namespace vitrine {
namespace {

using namespace mlp_model_internal;  // NOLINT: file-local helpers

Status invalid(const std::string& what) {
  return Status(StatusCode::kINVALID_ARGUMENT, what);
}

}  // namespace

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

}  // namespace vitrine
