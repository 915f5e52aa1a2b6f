// write_session_model (session_model_writer.h): natively, for the trainer and the tools. Apart from the reader
// (session_model_io.cc) because it builds the header with nlohmann/json, which the engine does not link.
#include "vitrine/session_model_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "vitrine/item_codes.h"
#include "vitrine/shopper.h"

namespace vitrine {
namespace {

// Rounds each row of a [rows][d] table to `levels` steps of its largest magnitude (see SessionModelExport).
std::vector<float> round_rows(const std::vector<float>& table, size_t d, uint32_t levels) {
  std::vector<float> out(table);
  for (size_t r = 0; r * d < out.size(); ++r) {
    float* row = out.data() + r * d;
    float max_abs = 0.0f;
    for (size_t k = 0; k < d; ++k) max_abs = std::max(max_abs, std::fabs(row[k]));
    if (max_abs == 0.0f) continue;
    const float step = max_abs / static_cast<float>(levels);
    for (size_t k = 0; k < d; ++k) row[k] = step * std::round(row[k] / step);
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> write_session_model(const SessionModelWeights& weights,
                                                 const std::vector<std::string>& vocabulary,
                                                 const SessionModelContent& content,
                                                 const SessionModelExport& options) {
  VITRINE_RETURN_IF_ERROR(weights.validate());
  const SessionModelConfig& c = weights.config;
  if (vocabulary.size() != c.vocab_size)
    return Status(StatusCode::kINVALID_ARGUMENT, "vocabulary has " + std::to_string(vocabulary.size()) +
                                                     " ids, the model has " + std::to_string(c.vocab_size) + " items");
  if (content.category_names.size() != c.num_categories || content.brand_names.size() != c.num_brands ||
      content.price_band_edges.size() != (c.num_price_bands > 0 ? c.num_price_bands - 1 : 0))
    return Status(StatusCode::kINVALID_ARGUMENT, "content names do not match the configured content tables");

  ModelFileWriter writer;
  writer.set_kind(kSessionModelKind);
  nlohmann::json config = {{"dim", c.dim},
                           {"max_length", c.max_length},
                           {"num_kinds", c.num_kinds},
                           {"num_categories", c.num_categories},
                           {"num_brands", c.num_brands},
                           {"num_price_bands", c.num_price_bands},
                           {"temperature", c.temperature},
                           {"price_band_edges", content.price_band_edges}};
  if (c.image_dim > 0) config["image_dim"] = c.image_dim;  // absent = 0: files without images stay as they were
  // Absent = the scorer and kind mapping of files written before these existed.
  if (c.repeat_counts > 0) config["repeat_counts"] = c.repeat_counts;
  if (c.repeat_kinds) config["repeat_kinds"] = true;
  if (c.item_bias) config["item_bias"] = true;
  if (!c.kind_inputs.empty()) config["kind_inputs"] = c.kind_inputs;
  if (c.visit_inputs) {
    config["visit_inputs"] = true;
    config["visit_gap_minutes"] = c.visit_gap_minutes;
  }
  if (c.coded_items()) config["item_subspaces"] = c.item_subspaces;
  if (c.cart_head) config["cart_head"] = true;
  if (c.purchase_head) config["purchase_head"] = true;
  if (options.blend >= 0.0f) {
    if (!(options.blend <= kMaxBlend)) return Status(StatusCode::kINVALID_ARGUMENT, "blend must be 0..100");
    config["blend"] = options.blend;
  }
  writer.set_config(config);
  writer.set_training(options.training);
  VITRINE_RETURN_IF_ERROR(writer.set_vocabulary(vocabulary));

  const size_t d = c.dim, v = size_t{c.vocab_size} + 1;
  if (options.item_bits < 2 || options.item_bits > 8)
    return Status(StatusCode::kINVALID_ARGUMENT, "item_bits must be 2..8");
  Status status;
  const std::vector<SessionTensorShape> shapes = session_tensor_shapes(c);
  const auto dims_of = [&](const char* name) {
    for (const SessionTensorShape& s : shapes)
      if (std::strcmp(s.name, name) == 0)
        return s.cols > 0 ? std::vector<size_t>{s.rows, s.cols} : std::vector<size_t>{s.rows};
    return std::vector<size_t>{};
  };
  weights.for_each_param([&](const char* name, const std::vector<float>& p) {
    if (!status.ok() || p.empty()) return;
    const std::string n(name);
    const std::vector<size_t> shape = dims_of(name);
    if (n == "item_emb" && options.item_storage == DType::kI8 && options.item_bits < 8) {
      const std::vector<float> rounded = round_rows(p, d, (1u << (options.item_bits - 1)) - 1);
      status = writer.add_f32(n, shape, rounded.data(), rounded.size(), DType::kI8);
      return;
    }
    // Item biases stay f32: half precision merges the priors of items whose popularity differs by under 0.1%,
    // and the order of popularity is exactly what S-POP's fallback (calibrate.h) ranks by. A coded model's encoder
    // is what every shopper's first page downloads, and its f32 weights were two thirds of its bytes: it keeps them
    // in half precision (vitrine eval --item-codes reads this file, so its figures include the rounding).
    const DType storage = n == "item_emb"                       ? options.item_storage
                          : c.coded_items() && n != "item_bias" ? DType::kF16
                                                                : DType::kF32;
    status = writer.add_f32(n, shape, p.data(), p.size(), storage);
  });
  VITRINE_RETURN_IF_ERROR(status);
  // A model with coded items has no per-item tables (their codes carry them), only the content names.
  const bool tables = !c.coded_items();
  if (c.num_categories > 0) {
    if (tables) VITRINE_RETURN_IF_ERROR(writer.add_i32("item_category", {v}, weights.item_category.data(), v));
    VITRINE_RETURN_IF_ERROR(writer.add_strings("category_names", content.category_names));
  }
  if (c.num_brands > 0) {
    if (tables) VITRINE_RETURN_IF_ERROR(writer.add_i32("item_brand", {v}, weights.item_brand.data(), v));
    VITRINE_RETURN_IF_ERROR(writer.add_strings("brand_names", content.brand_names));
  }
  if (c.num_price_bands > 0 && tables)
    VITRINE_RETURN_IF_ERROR(writer.add_i32("item_price_band", {v}, weights.item_price_band.data(), v));
  if (c.image_dim > 0 && tables)  // unit-length embeddings: half precision loses nothing that matters
    VITRINE_RETURN_IF_ERROR(writer.add_f32("item_image", dims_of("item_image"), weights.item_image.data(),
                                           weights.item_image.size(), DType::kF16));
  if (c.coded_items())  // item_codes.h rounds the codebook to half precision before it encodes any item
    VITRINE_RETURN_IF_ERROR(writer.add_f32("item_codebook", dims_of("item_codebook"), weights.item_codebook.data(),
                                           weights.item_codebook.size(), DType::kF16));
  if (c.has_conversion_head()) {
    for (auto& [name, tensor] :
         {std::pair<const char*, const std::vector<float>*>{"conversion_w", &weights.conversion_w},
          {"conversion_b", &weights.conversion_b},
          {"item_conversion", &weights.item_conversion}})
      VITRINE_RETURN_IF_ERROR(writer.add_f32(name, dims_of(name), tensor->data(), tensor->size(), DType::kF32));
  }
  return writer.serialize();
}

Result<CodedSessionModel> code_session_items(const SessionModelWeights& weights, uint32_t subspaces, uint64_t seed) {
  VITRINE_RETURN_IF_ERROR(weights.validate());
  const SessionModelConfig& c = weights.config;
  if (c.coded_items()) return Status(StatusCode::kINVALID_ARGUMENT, "the model's items are already coded");
  const size_t d = c.dim, v = c.vocab_size;
  std::vector<float> vectors;
  compute_item_vectors(weights, vectors);
  auto trained = ItemQuantizer::train(vectors.data() + d, v, c.dim, subspaces, seed);
  if (!trained.ok()) return trained.status();
  const ItemQuantizer& quantizer = trained.value();

  CodedSessionModel out;
  out.encoder = weights;
  SessionModelWeights& e = out.encoder;
  e.config.item_subspaces = subspaces;
  e.config.vocab_size = 0;
  // Row 0 of the per-item tables stays: it is what an item the model is not given scores with.
  for (std::vector<float>* table : {&e.item_emb, &e.item_image}) table->clear();
  for (std::vector<int32_t>* ids : {&e.item_category, &e.item_brand, &e.item_price_band}) ids->clear();
  if (c.item_bias) e.item_bias.resize(1);
  if (c.has_conversion_head()) e.item_conversion.resize(kConversionOutputs);
  e.item_codebook = quantizer.codebook();
  VITRINE_RETURN_IF_ERROR(e.validate());

  const size_t n_extras = item_code_extras(c);
  std::vector<uint8_t> code(subspaces);
  std::vector<float> extras(n_extras);
  const uint16_t tag = quantizer.tag();
  out.codes.reserve(v);
  for (size_t i = 1; i <= v; ++i) {
    quantizer.encode(vectors.data() + i * d, code.data());
    item_code_extra_values(weights, static_cast<uint32_t>(i), extras.data());
    out.codes.push_back(format_item_code(tag, code.data(), subspaces, extras.data(), n_extras));
  }
  return out;
}

}  // namespace vitrine
