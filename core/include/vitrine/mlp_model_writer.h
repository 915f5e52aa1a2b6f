// MLP -> model file bytes (the format: mlp_model_io.h). Natively, for the tools and tests: the header is built
// with nlohmann/json (model_file_writer.h), which the engine does not link.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "vitrine/mlp_model_io.h"
#include "vitrine/model_file_writer.h"
#include "vitrine/status.h"

namespace vitrine {

// Serializes the layers (stored as f32) and their config. INVALID_ARGUMENT if the chain of shapes, the weight
// or bias counts, or the output names do not fit together.
Result<std::vector<uint8_t>> write_mlp_model(const MlpModelWeights& model,
                                             const nlohmann::json& training = nlohmann::json::object());

}  // namespace vitrine
