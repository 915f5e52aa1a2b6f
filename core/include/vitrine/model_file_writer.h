// Builds model files (the format is described in model_file.h). Used natively by the trainer and the tools; it
// keeps nlohmann/json for the header it writes, which is why it is apart from model_file.h: the engine, which only
// reads model files, links no JSON library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vitrine/json_value_nlohmann.h"
#include "vitrine/model_file.h"
#include "vitrine/status.h"

namespace vitrine {

// Builds a model file. Natively the trainer uses it; it has no I/O (serialize() returns the bytes).
// Every add_* checks its arguments at once and leaves the writer unchanged on error.
class ModelFileWriter {
 public:
  void set_kind(std::string kind) { kind_ = std::move(kind); }
  // Must be JSON objects; they are stored as given.
  void set_config(nlohmann::json config) { config_ = std::move(config); }
  void set_training(nlohmann::json training) { training_ = std::move(training); }
  // Product ids in item index order: unique, valid UTF-8, each at most ModelLimits().max_string_bytes bytes. Empty
  // for a model whose items come as codes (item_codes.h); it must still be set.
  Status set_vocabulary(std::vector<std::string> ids);

  // `count` floats at `data` (row-major, count = product of shape), stored as `storage` (kF32, kF16 or kI8).
  // The values must be finite. INVALID_ARGUMENT on a bad name, shape, count, dtype or value.
  Status add_f32(const std::string& name, const std::vector<size_t>& shape, const float* data, size_t count,
                 DType storage = DType::kF32);
  Status add_i32(const std::string& name, const std::vector<size_t>& shape, const int32_t* data, size_t count);
  // A rank-1 "str" tensor (valid UTF-8 strings; duplicates allowed, unlike the vocabulary).
  Status add_strings(const std::string& name, const std::vector<std::string>& strings);

  // The finished file. INVALID_ARGUMENT if the kind or vocabulary is missing or config/training are not
  // objects.
  Result<std::vector<uint8_t>> serialize() const;

 private:
  struct PendingTensor {
    std::string name;
    DType dtype;
    std::vector<size_t> shape;
    std::vector<uint8_t> payload;  // encoded bytes, as they appear in the file
  };
  Status check_new_tensor(const std::string& name, const std::vector<size_t>& shape, size_t count) const;

  std::string kind_;
  nlohmann::json config_ = nlohmann::json::object();
  nlohmann::json training_ = nlohmann::json::object();
  std::vector<std::string> vocabulary_;
  bool vocabulary_set_ = false;  // empty is allowed: a model whose items come as codes (item_codes.h) lists none
  std::vector<PendingTensor> tensors_;
};

}  // namespace vitrine
