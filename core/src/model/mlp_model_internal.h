// Shared by the MLP model reader (mlp_model_io.cc) and writer (mlp_model_writer.cc). Not part of the public API.
#pragma once

#include <cstddef>
#include <string>

#include "vitrine/mlp_model_io.h"

namespace vitrine::mlp_model_internal {

inline std::string weight_name(size_t i) {
  return "fc" + std::to_string(i) + "_w";
}
inline std::string bias_name(size_t i) {
  return "fc" + std::to_string(i) + "_b";
}

// Shape limits shared by the writer and the reader, so a file the writer accepts always reads back.
inline Status check_dims(size_t i, size_t in, size_t out, StatusCode code) {
  const std::string where = "MLP layer " + std::to_string(i);
  if (in == 0 || out == 0) return Status(code, where + " has a zero dimension");
  if (in > kMaxFcDim || out > kMaxFcDim || in > kMaxFcWeights / out)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  where + " is " + std::to_string(in) + "x" + std::to_string(out) + ", past the layer limit");
  return Status();
}

}  // namespace vitrine::mlp_model_internal
