// Session model <-> model file (model_file.h). Kind "session_attn".
//
// Vocabulary: the file's "vocab" tensor holds the merchant's product ids; vocab[k] is model item k+1 (item 0 is
// padding). Tensors carry the names of SessionModelWeights' members. Content features, when present, add
// "category_names" / "brand_names" (str) so the browser can map a product's category or brand to its row, and
// config.price_band_edges (ascending prices; band b covers [edge[b-2], edge[b-1]), band 0 is "unknown").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vitrine/json_value.h"
#include "vitrine/model_file.h"
#include "vitrine/session_model.h"

namespace vitrine {

inline constexpr char kSessionModelKind[] = "session_attn";

// Names of content values, for mapping a product's attributes to the model's rows (index 0 = unknown).
struct SessionModelContent {
  std::vector<std::string> category_names;  // [num_categories]: name of category row 1..C
  std::vector<std::string> brand_names;     // [num_brands]
  std::vector<float> price_band_edges;      // [num_price_bands - 1] ascending
};

// Reads and checks a session model from a validated model file: kind, config, every tensor's shape and dtype,
// and content ids in range. Errors name the field or tensor.
Result<SessionModelWeights> read_session_model(const ModelFile& file, SessionModelContent* content = nullptr);

// The model's config from a file header's "config" object (read_session_model() uses it): every field checked,
// absent optional fields at their defaults (the meaning of files written before the field existed).
Status session_model_config_from_json(const JsonValue& config, uint64_t vocab_size, SessionModelConfig* out);

// Price band of a price (0 when the price is not a finite non-negative number or there are no bands).
uint32_t price_band_of(const std::vector<float>& edges, float price);

}  // namespace vitrine
