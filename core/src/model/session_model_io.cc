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

Result<uint32_t> config_u32(const nlohmann::json& config, const char* key, uint32_t fallback, bool required) {
  const auto it = config.find(key);
  if (it == config.end()) {
    if (required) return corrupt(std::string("config.") + key + " is missing");
    return fallback;
  }
  if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX)
    return corrupt(std::string("config.") + key + " must be a non-negative integer");
  return static_cast<uint32_t>(it->get<uint64_t>());
}

}  // namespace

uint32_t price_band_of(const std::vector<float>& edges, float price) {
  if (edges.empty() || !std::isfinite(price) || price < 0.0f) return 0;
  const auto above = std::upper_bound(edges.begin(), edges.end(), price);
  return static_cast<uint32_t>(above - edges.begin()) + 1;
}

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
  if (c.cart_head) config["cart_head"] = true;
  if (c.purchase_head) config["purchase_head"] = true;
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
    // and the order of popularity is exactly what S-POP's fallback (calibrate.h) ranks by.
    status = writer.add_f32(n, shape, p.data(), p.size(), n == "item_emb" ? options.item_storage : DType::kF32);
  });
  VITRINE_RETURN_IF_ERROR(status);
  if (c.num_categories > 0) {
    VITRINE_RETURN_IF_ERROR(writer.add_i32("item_category", {v}, weights.item_category.data(), v));
    VITRINE_RETURN_IF_ERROR(writer.add_strings("category_names", content.category_names));
  }
  if (c.num_brands > 0) {
    VITRINE_RETURN_IF_ERROR(writer.add_i32("item_brand", {v}, weights.item_brand.data(), v));
    VITRINE_RETURN_IF_ERROR(writer.add_strings("brand_names", content.brand_names));
  }
  if (c.num_price_bands > 0)
    VITRINE_RETURN_IF_ERROR(writer.add_i32("item_price_band", {v}, weights.item_price_band.data(), v));
  if (c.image_dim > 0)  // unit-length embeddings: half precision loses nothing that matters
    VITRINE_RETURN_IF_ERROR(writer.add_f32("item_image", dims_of("item_image"), weights.item_image.data(),
                                           weights.item_image.size(), DType::kF16));
  if (c.has_conversion_head()) {
    for (auto& [name, tensor] :
         {std::pair<const char*, const std::vector<float>*>{"conversion_w", &weights.conversion_w},
          {"conversion_b", &weights.conversion_b},
          {"item_conversion", &weights.item_conversion}})
      VITRINE_RETURN_IF_ERROR(writer.add_f32(name, dims_of(name), tensor->data(), tensor->size(), DType::kF32));
  }
  return writer.serialize();
}

Status session_model_config_from_json(const nlohmann::json& cfg, uint64_t vocab_size, SessionModelConfig* out) {
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
  for (const auto* r : {&dim, &max_length, &num_kinds, &num_categories, &num_brands, &num_price_bands, &image_dim,
                        &repeat_counts, &visit_gap})
    if (!r->ok()) return r->status();
  c.repeat_counts = repeat_counts.value();
  c.visit_gap_minutes = visit_gap.value();
  for (const auto& [key, flag] : {std::pair<const char*, bool*>{"repeat_kinds", &c.repeat_kinds},
                                  std::pair<const char*, bool*>{"item_bias", &c.item_bias},
                                  std::pair<const char*, bool*>{"visit_inputs", &c.visit_inputs},
                                  std::pair<const char*, bool*>{"cart_head", &c.cart_head},
                                  std::pair<const char*, bool*>{"purchase_head", &c.purchase_head}}) {
    const auto it = cfg.find(key);
    if (it == cfg.end()) continue;
    if (!it->is_boolean()) return corrupt(std::string("config.") + key + " must be true or false");
    *flag = it->get<bool>();
  }
  if (const auto it = cfg.find("kind_inputs"); it != cfg.end()) {
    if (!it->is_array() || it->size() > 256) return corrupt("config.kind_inputs must be an array of at most 256 rows");
    for (const auto& row : *it) {
      if (!row.is_number_integer() || row.get<int64_t>() < -1 || row.get<int64_t>() > 255)
        return corrupt("config.kind_inputs holds a value that is not -1 or a row number");
      c.kind_inputs.push_back(static_cast<int32_t>(row.get<int64_t>()));
    }
  }
  c.dim = dim.value();
  c.max_length = max_length.value();
  c.num_kinds = num_kinds.value();
  c.num_categories = num_categories.value();
  c.num_brands = num_brands.value();
  c.num_price_bands = num_price_bands.value();
  c.image_dim = image_dim.value();
  const auto tau = cfg.find("temperature");
  if (tau == cfg.end() || !tau->is_number()) return corrupt("config.temperature must be a number");
  // Range-checked as a double first: narrowing a double past FLT_MAX to float is undefined behaviour.
  const double temperature = tau->get<double>();
  if (!(temperature > 0.0 && temperature <= 1e6)) return corrupt("config.temperature must be in (0, 1e6]");
  c.temperature = static_cast<float>(temperature);
  VITRINE_RETURN_IF_ERROR(c.validate());
  *out = std::move(c);
  return Status();
}

Result<SessionModelWeights> read_session_model(const ModelFile& file, SessionModelContent* content) {
  if (file.kind() != kSessionModelKind)
    return corrupt("model kind is '" + file.kind() + "', expected '" + kSessionModelKind + "'");
  const nlohmann::json& cfg = file.config();
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
      const auto edges = cfg.find("price_band_edges");
      if (edges == cfg.end() || !edges->is_array() || edges->size() != c.num_price_bands - 1)
        return corrupt("config.price_band_edges must list num_price_bands - 1 prices");
      for (const auto& e : *edges) {
        // Range-checked as a double: narrowing one past FLT_MAX to float is undefined behaviour.
        if (!e.is_number() || !(std::fabs(e.get<double>()) <= std::numeric_limits<float>::max()))
          return corrupt("config.price_band_edges holds a value that is not a number a float can hold");
        content->price_band_edges.push_back(static_cast<float>(e.get<double>()));
      }
      if (!std::is_sorted(content->price_band_edges.begin(), content->price_band_edges.end()))
        return corrupt("config.price_band_edges must be ascending");
    }
  }
  return w;
}

}  // namespace vitrine
