// Session model -> model file bytes (the format: session_model_io.h). Natively, for the trainer and the tools: the
// header is built with nlohmann/json (model_file_writer.h), which the engine does not link.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vitrine/model_file_writer.h"
#include "vitrine/session_model.h"
#include "vitrine/session_model_io.h"

namespace vitrine {

struct SessionModelExport {
  DType item_storage = DType::kI8;  // storage of the item embedding table (f32, f16 or i8)
  // With i8 storage: effective precision of the item table, 2..8 bits. Below 8, each row is first rounded to
  // 2^(bits-1)-1 levels of its largest magnitude and then stored as int8 as usual: readers see a plain i8 tensor,
  // but its values have fewer distinct levels, so the file compresses much better (gzip) for a small loss.
  uint32_t item_bits = 8;
  // The ranker's default weight of the shop's order (config.blend, ranker.h); negative: not written (kDefaultBlend).
  float blend = -1.0f;
  nlohmann::json training = nlohmann::json::object();
};

// Serializes weights, vocabulary (vocab_size product ids) and content names to model file bytes.
Result<std::vector<uint8_t>> write_session_model(const SessionModelWeights& weights,
                                                 const std::vector<std::string>& vocabulary,
                                                 const SessionModelContent& content, const SessionModelExport& options);

// A model's catalog moved out of it (item_codes.h): the encoder with a codebook of `subspaces` subspaces learned
// from the item vectors (seeded), and every item's code. vocab_size of `encoder` is 0; codes[k] is item k + 1's.
struct CodedSessionModel {
  SessionModelWeights encoder;
  std::vector<std::string> codes;
};
Result<CodedSessionModel> code_session_items(const SessionModelWeights& weights, uint32_t subspaces, uint64_t seed);

}  // namespace vitrine
