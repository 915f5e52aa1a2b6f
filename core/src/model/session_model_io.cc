// Reading session models (session_model_io.h); the writer is in session_model_writer.cc.
#include "vitrine/session_model_io.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace vitrine {
namespace {

Status corrupt(const std::string& what) {
  return Status(StatusCode::kMODEL_CORRUPT, what);
}

Result<uint32_t> config_u32(const JsonValue& config, const char* key, uint32_t fallback, bool required) {
  const JsonValue* value = config.find(key);
  if (value == nullptr) {
    if (required) return corrupt(std::string("config.") + key + " is missing");
    return fallback;
  }
  const auto u = value->as_uint64();
  if (!u || *u > UINT32_MAX) return corrupt(std::string("config.") + key + " must be a non-negative integer");
  return static_cast<uint32_t>(*u);
}

}  // namespace

uint32_t price_band_of(const std::vector<float>& edges, float price) {
  if (edges.empty() || !std::isfinite(price) || price < 0.0f) return 0;
  const auto above = std::upper_bound(edges.begin(), edges.end(), price);
  return static_cast<uint32_t>(above - edges.begin()) + 1;
}

Status session_model_config_from_json(const JsonValue& cfg, uint64_t vocab_size, SessionModelConfig* out) {
  SessionModelConfig c;
  if (vocab_size > UINT32_MAX) return Status(StatusCode::kLIMIT_EXCEEDED, "vocab_size is too large");
  c.vocab_size = static_cast<uint32_t>(vocab_size);
  auto dim = config_u32(cfg, "dim", 0, true);
  auto max_length = config_u32(cfg, "max_length", 0, true);
  auto num_kinds = config_u32(cfg, "num_kinds", 0, true);
  auto num_categories = config_u32(cfg, "num_categories", 0, false);
  auto num_brands = config_u32(cfg, "num_brands", 0, false);
  auto num_price_bands = config_u32(cfg, "num_price_bands", 0, false);
  auto image_dim = config_u32(cfg, "image_dim", 0, false);
  auto repeat_counts = config_u32(cfg, "repeat_counts", 0, false);
  auto visit_gap = config_u32(cfg, "visit_gap_minutes", c.visit_gap_minutes, false);
  auto item_subspaces = config_u32(cfg, "item_subspaces", 0, false);
  for (const auto* r : {&dim, &max_length, &num_kinds, &num_categories, &num_brands, &num_price_bands, &image_dim,
                        &repeat_counts, &visit_gap, &item_subspaces})
    if (!r->ok()) return r->status();
  c.item_subspaces = item_subspaces.value();
  c.repeat_counts = repeat_counts.value();
  c.visit_gap_minutes = visit_gap.value();
  for (const auto& [key, flag] : {std::pair<const char*, bool*>{"repeat_kinds", &c.repeat_kinds},
                                  std::pair<const char*, bool*>{"item_bias", &c.item_bias},
                                  std::pair<const char*, bool*>{"visit_inputs", &c.visit_inputs},
                                  std::pair<const char*, bool*>{"cart_head", &c.cart_head},
                                  std::pair<const char*, bool*>{"purchase_head", &c.purchase_head}}) {
    const JsonValue* value = cfg.find(key);
    if (value == nullptr) continue;
    if (!value->is_bool()) return corrupt(std::string("config.") + key + " must be true or false");
    *flag = value->as_bool();
  }
  if (const JsonValue* rows = cfg.find("kind_inputs"); rows != nullptr) {
    if (!rows->is_array() || rows->size() > 256)
      return corrupt("config.kind_inputs must be an array of at most 256 rows");
    for (const JsonValue& row : rows->items()) {
      const auto v = row.as_int64();
      if (!v || *v < -1 || *v > 255) return corrupt("config.kind_inputs holds a value that is not -1 or a row number");
      c.kind_inputs.push_back(static_cast<int32_t>(*v));
    }
  }
  c.dim = dim.value();
  c.max_length = max_length.value();
  c.num_kinds = num_kinds.value();
  c.num_categories = num_categories.value();
  c.num_brands = num_brands.value();
  c.num_price_bands = num_price_bands.value();
  c.image_dim = image_dim.value();
  const JsonValue* tau = cfg.find("temperature");
  if (tau == nullptr || !tau->is_number()) return corrupt("config.temperature must be a number");
  // Range-checked as a double first: narrowing a double past FLT_MAX to float is undefined behaviour.
  const double temperature = tau->as_double();
  if (!(temperature > 0.0 && temperature <= 1e6)) return corrupt("config.temperature must be in (0, 1e6]");
  c.temperature = static_cast<float>(temperature);
  VITRINE_RETURN_IF_ERROR(c.validate());
  *out = std::move(c);
  return Status();
}

Result<SessionModelWeights> read_session_model(const ModelFile& file, SessionModelContent* content) {
  if (file.kind() != kSessionModelKind)
    return corrupt("model kind is '" + file.kind() + "', expected '" + kSessionModelKind + "'");
  const JsonValue& cfg = file.config();
  SessionModelConfig c;
  VITRINE_RETURN_IF_ERROR(session_model_config_from_json(cfg, file.vocab_size(), &c));

  std::vector<TensorSpec> specs;
  for (const SessionTensorShape& shape : session_tensor_shapes(c)) {
    if (!shape.present()) continue;
    std::vector<int64_t> dims = {static_cast<int64_t>(shape.rows)};
    if (shape.cols > 0) dims.push_back(static_cast<int64_t>(shape.cols));
    if (!shape.ids) {
      specs.push_back({shape.name, kFloatDTypes, std::move(dims)});
      continue;
    }
    // Ids index their content table: 0 (none) to the table's last row.
    const uint32_t table = std::strcmp(shape.name, "item_category") == 0 ? c.num_categories
                           : std::strcmp(shape.name, "item_brand") == 0  ? c.num_brands
                                                                         : c.num_price_bands;
    specs.push_back({shape.name, dtype_bit(DType::kI32), std::move(dims), true, 0, static_cast<int32_t>(table)});
  }
  if (c.num_categories > 0)
    specs.push_back({"category_names", dtype_bit(DType::kStr), {static_cast<int64_t>(c.num_categories)}});
  if (c.num_brands > 0) specs.push_back({"brand_names", dtype_bit(DType::kStr), {static_cast<int64_t>(c.num_brands)}});
  VITRINE_RETURN_IF_ERROR(file.check_tensors(specs));

  auto zeros = SessionModelWeights::zeros(c);
  if (!zeros.ok()) return zeros.status();
  SessionModelWeights w = std::move(zeros).value();
  Status status;
  w.for_each_float_tensor([&](const char* name, std::vector<float>& p) {
    if (status.ok() && !p.empty()) status = file.read_f32(name, p.data(), p.size());
  });
  VITRINE_RETURN_IF_ERROR(status);
  for (const char* name : {"item_category", "item_brand", "item_price_band"}) {
    std::vector<int32_t>& out = *w.id_tensor(name);
    if (out.empty()) continue;
    auto ids = file.read_i32(name);
    if (!ids.ok()) return ids.status();
    out = std::move(ids).value();
  }
  VITRINE_RETURN_IF_ERROR(w.validate());

  if (content != nullptr) {
    *content = SessionModelContent();
    const auto read_names = [&](uint32_t n, const char* name, std::vector<std::string>& out) -> Status {
      if (n == 0) return Status();
      auto names = file.read_strings(name);
      if (!names.ok()) return names.status();
      for (std::string_view s : names.value()) out.emplace_back(s);
      return Status();
    };
    VITRINE_RETURN_IF_ERROR(read_names(c.num_categories, "category_names", content->category_names));
    VITRINE_RETURN_IF_ERROR(read_names(c.num_brands, "brand_names", content->brand_names));
    if (c.num_price_bands > 0) {
      const JsonValue* edges = cfg.find("price_band_edges");
      if (edges == nullptr || !edges->is_array() || edges->size() != c.num_price_bands - 1)
        return corrupt("config.price_band_edges must list num_price_bands - 1 prices");
      for (const JsonValue& e : edges->items()) {
        // Range-checked as a double: narrowing one past FLT_MAX to float is undefined behaviour.
        if (!e.is_number() || !(std::fabs(e.as_double()) <= std::numeric_limits<float>::max()))
          return corrupt("config.price_band_edges holds a value that is not a number a float can hold");
        content->price_band_edges.push_back(static_cast<float>(e.as_double()));
      }
      if (!std::is_sorted(content->price_band_edges.begin(), content->price_band_edges.end()))
        return corrupt("config.price_band_edges must be ascending");
    }
  }
  return w;
}

}  // namespace vitrine
