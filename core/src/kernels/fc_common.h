// Helpers shared by the fully connected variants (internal to core/src).
#pragma once

#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "vitrine/kernels.h"

namespace vitrine::fc_detail {

// Shape and argument checks every factory runs first, so all variants fail alike.
inline Status validate(size_t in, size_t out, const float* weights, Activation activation) {
  if (in == 0 || out == 0) {
    return Status(StatusCode::kINVALID_ARGUMENT, "fully connected layer needs non-zero dimensions, got in " +
                                                     std::to_string(in) + " out " + std::to_string(out));
  }
  if (weights == nullptr) return Status(StatusCode::kINVALID_ARGUMENT, "fully connected layer: weights are null");
  if (static_cast<uint8_t>(activation) > static_cast<uint8_t>(Activation::kSigmoid)) {
    return Status(StatusCode::kINVALID_ARGUMENT,
                  "fully connected layer: unknown activation " + std::to_string(static_cast<int>(activation)));
  }
  // Divide rather than multiply: in * out can wrap in a 32-bit size_t (wasm32).
  if (in > kMaxFcDim || out > kMaxFcDim || in > kMaxFcWeights / out) {
    return Status(StatusCode::kLIMIT_EXCEEDED, "fully connected layer " + std::to_string(in) + "x" +
                                                   std::to_string(out) + " is past the limit of " +
                                                   std::to_string(kMaxFcWeights) + " weights");
  }
  return Status();
}

inline float sigmoid(float z) {
  return 1.0f / (1.0f + std::exp(-z));
}

// NaN stays NaN, like f32x4.max.
inline float relu(float z) {
  return z < 0.0f ? 0.0f : z;
}

inline float activate(Activation activation, float z) {
  switch (activation) {
    case Activation::kRelu:
      return relu(z);
    case Activation::kSigmoid:
      return sigmoid(z);
    case Activation::kNone:
      break;
  }
  return z;
}

// The bias as `out` floats, zeros when absent.
inline std::vector<float> bias_or_zero(const float* bias, size_t out) {
  if (bias == nullptr) return std::vector<float>(out, 0.0f);
  return std::vector<float>(bias, bias + out);
}

// Wraps a freshly built layer; a std::bad_alloc while preparing becomes OUT_OF_MEMORY rather than an exception
// crossing the core's boundary.
template <class Layer, class... Args>
Result<std::unique_ptr<F32FullyConnected>> make_layer(Args&&... args) {
  try {
    std::unique_ptr<F32FullyConnected> layer = std::make_unique<Layer>(std::forward<Args>(args)...);
    return Result<std::unique_ptr<F32FullyConnected>>(std::move(layer));
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kOUT_OF_MEMORY, "out of memory preparing a fully connected layer");
  }
}

}  // namespace vitrine::fc_detail
