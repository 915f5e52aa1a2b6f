#include "vitrine/session_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>

#include "vitrine/item_codes.h"
#include "vitrine/kernels.h"

namespace vitrine {
namespace {

// Past these the model could not fit a browser's memory anyway; model files are checked against them too.
constexpr uint32_t kMaxVocab = 5'000'000;
constexpr uint32_t kMaxDim = 1024;
constexpr uint32_t kMaxLength = 512;
constexpr uint32_t kMaxContentIds = 1'000'000;

Status check_size(const char* name, size_t actual, size_t expected) {
  if (actual == expected) return Status();
  return Status(StatusCode::kMODEL_CORRUPT, std::string("tensor '") + name + "' has " + std::to_string(actual) +
                                                " values, the config needs " + std::to_string(expected));
}

Status check_ids(const char* name, const std::vector<int32_t>& ids, uint32_t table_rows) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || static_cast<uint32_t>(ids[i]) > table_rows) {
      return Status(StatusCode::kMODEL_CORRUPT, std::string("tensor '") + name + "' row " + std::to_string(i) +
                                                    " holds id " + std::to_string(ids[i]) + ", outside 0.." +
                                                    std::to_string(table_rows));
    }
  }
  return Status();
}

// y[0..d) += x[0..k) * W[k][d]
inline void add_vec_mat(const float* x, const float* w, size_t k, size_t d, float* y) {
  for (size_t i = 0; i < k; ++i) {
    const float xi = x[i];
    if (xi == 0.0f) continue;
    const float* row = w + i * d;
    for (size_t j = 0; j < d; ++j) y[j] += xi * row[j];
  }
}

// The window of events the model looks at: the last max_length events with a usable item and a kind the model
// reads. In the window, `kind` is the encoder's kind row.
void collect_window(const SessionModelConfig& config, const SessionEvent* events, size_t n_events,
                    std::vector<SessionEvent>& window) {
  window.clear();
  for (size_t i = n_events; i-- > 0 && window.size() < config.max_length;) {
    const SessionEvent& e = events[i];
    if (e.item == 0 || e.item > config.vocab_size) continue;
    const int32_t row = config.kind_row(e.kind);
    if (row < 0) continue;
    window.push_back({e.item, static_cast<uint8_t>(row), e.earlier_visit != 0 ? uint8_t{1} : uint8_t{0}});
  }
  std::reverse(window.begin(), window.end());
}

// Rows of the kinds files without kind_inputs were trained on (see SessionModelConfig::kind_inputs).
constexpr int32_t kLegacyKindRows[] = {0, 0, 0, 0, -1, -1, -1};

}  // namespace

int32_t SessionModelConfig::kind_row(uint32_t kind) const {
  if (kind_inputs.empty()) return kind < std::size(kLegacyKindRows) ? kLegacyKindRows[kind] : -1;
  return kind < kind_inputs.size() ? kind_inputs[kind] : -1;
}

Status SessionModelConfig::validate() const {
  // A model with coded items starts knowing none: they come with the pages (item_codes.h).
  if ((vocab_size == 0 && !coded_items()) || vocab_size > kMaxVocab)
    return Status(StatusCode::kLIMIT_EXCEEDED, "vocab_size " + std::to_string(vocab_size) + " outside " +
                                                   (coded_items() ? "0.." : "1..") + std::to_string(kMaxVocab));
  if (dim == 0 || dim > kMaxDim)
    return Status(StatusCode::kLIMIT_EXCEEDED, "dim " + std::to_string(dim) + " outside 1.." + std::to_string(kMaxDim));
  if (max_length == 0 || max_length > kMaxLength)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "max_length " + std::to_string(max_length) + " outside 1.." + std::to_string(kMaxLength));
  if (num_kinds == 0 || num_kinds > 256)
    return Status(StatusCode::kLIMIT_EXCEEDED, "num_kinds " + std::to_string(num_kinds) + " outside 1..256");
  if (image_dim > kMaxDim)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "image_dim " + std::to_string(image_dim) + " outside 0.." + std::to_string(kMaxDim));
  for (uint32_t n : {num_categories, num_brands, num_price_bands}) {
    if (n > kMaxContentIds)
      return Status(StatusCode::kLIMIT_EXCEEDED, "content table of " + std::to_string(n) + " rows is too large");
  }
  if (!(temperature > 0.0f) || !std::isfinite(temperature))
    return Status(StatusCode::kMODEL_CORRUPT, "temperature must be a positive finite number");
  if (repeat_counts > kMaxLength)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "repeat_counts " + std::to_string(repeat_counts) + " outside 0.." + std::to_string(kMaxLength));
  if (repeat_kinds && num_kinds > 32) return Status(StatusCode::kLIMIT_EXCEEDED, "repeat_kinds needs num_kinds <= 32");
  if (visit_gap_minutes == 0 || visit_gap_minutes > 7 * 24 * 60)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "visit_gap_minutes " + std::to_string(visit_gap_minutes) + " outside 1..10080 (a week)");
  if (kind_inputs.size() > 256) return Status(StatusCode::kLIMIT_EXCEEDED, "kind_inputs lists more than 256 kinds");
  for (size_t k = 0; k < kind_inputs.size(); ++k) {
    if (kind_inputs[k] < -1 || kind_inputs[k] >= static_cast<int32_t>(num_kinds))
      return Status(StatusCode::kMODEL_CORRUPT, "kind_inputs[" + std::to_string(k) +
                                                    "] = " + std::to_string(kind_inputs[k]) +
                                                    " is not -1 or a row 0.." + std::to_string(num_kinds - 1));
  }
  if (coded_items() && (item_subspaces > dim || dim % item_subspaces != 0))
    return Status(StatusCode::kMODEL_CORRUPT,
                  "item_subspaces " + std::to_string(item_subspaces) + " does not divide dim " + std::to_string(dim));
  if (kind_inputs.empty() && num_kinds == 0)
    return Status(StatusCode::kMODEL_CORRUPT, "a model without kind_inputs needs the view row");
  return Status();
}

std::vector<SessionTensorShape> session_tensor_shapes(const SessionModelConfig& c) {
  const size_t d = c.dim, v = size_t{c.vocab_size} + 1, m = c.image_dim;
  // What an item's code replaces is absent from a model with coded items (item_codes.h).
  const size_t table = c.coded_items() ? 0 : v;
  const auto content = [&](uint32_t n) { return n > 0 ? n + size_t{1} : size_t{0}; };
  const auto ids = [&](const char* name, uint32_t n) { return SessionTensorShape{name, n > 0 ? table : 0, 0, true}; };
  const bool head = c.has_conversion_head();
  const size_t subspaces = c.item_subspaces;
  return {
      // Trainable, in for_each_param()'s order.
      {"item_emb", table, d},
      {"category_emb", content(c.num_categories), d},
      {"brand_emb", content(c.num_brands), d},
      {"price_band_emb", content(c.num_price_bands), d},
      {"image_proj", m, m > 0 ? d : 0},
      {"pos_emb", c.max_length, d},
      {"kind_emb", c.num_kinds, d},
      {"att_w1", d, d},
      {"att_w2", d, d},
      {"att_b", d, 0},
      {"att_q", d, 0},
      {"out_w", 2 * d, d},
      {"out_b", d, 0},
      {"repeat_bonus", c.max_length, 0},
      {"repeat_count", c.repeat_counts, 0},
      {"repeat_kind", c.repeat_kinds ? c.num_kinds : 0, 0},
      {"item_bias", c.item_bias ? v : 0, 0},
      {"visit_emb", c.visit_inputs ? d : 0, 0},
      // Fixed inputs and the conversion head.
      {"item_image", m > 0 ? table : 0, m},
      {"conversion_w", head ? size_t{kConversionOutputs} : 0, conversion_feature_count(c)},
      {"conversion_b", head ? size_t{kConversionOutputs} : 0, 0},
      {"item_conversion", head ? v : 0, kConversionOutputs},
      {"item_codebook", subspaces * ItemQuantizer::kCentroids, subspaces > 0 ? d / subspaces : 0},
      ids("item_category", c.num_categories),
      ids("item_brand", c.num_brands),
      ids("item_price_band", c.num_price_bands),
  };
}

std::vector<int32_t>* SessionModelWeights::id_tensor(const char* name) {
  return const_cast<std::vector<int32_t>*>(static_cast<const SessionModelWeights&>(*this).id_tensor(name));
}

const std::vector<int32_t>* SessionModelWeights::id_tensor(const char* name) const {
  if (std::strcmp(name, "item_category") == 0) return &item_category;
  if (std::strcmp(name, "item_brand") == 0) return &item_brand;
  if (std::strcmp(name, "item_price_band") == 0) return &item_price_band;
  return nullptr;
}

namespace {

// The shape of `name` in `shapes` (every tensor has one: session_tensor_shapes lists them all).
const SessionTensorShape& shape_of(const std::vector<SessionTensorShape>& shapes, const char* name) {
  for (const SessionTensorShape& shape : shapes)
    if (std::strcmp(shape.name, name) == 0) return shape;
  static const SessionTensorShape kAbsent{""};
  return kAbsent;
}

}  // namespace

Result<SessionModelWeights> SessionModelWeights::zeros(const SessionModelConfig& config) {
  VITRINE_RETURN_IF_ERROR(config.validate());
  SessionModelWeights w;
  w.config = config;
  const std::vector<SessionTensorShape> shapes = session_tensor_shapes(config);
  w.for_each_float_tensor(
      [&](const char* name, std::vector<float>& t) { t.assign(shape_of(shapes, name).size(), 0.0f); });
  for (const SessionTensorShape& shape : shapes)
    if (shape.ids) w.id_tensor(shape.name)->assign(shape.size(), 0);
  return w;
}

Status SessionModelWeights::validate() const {
  VITRINE_RETURN_IF_ERROR(config.validate());
  const std::vector<SessionTensorShape> shapes = session_tensor_shapes(config);
  Status status;
  for_each_float_tensor([&](const char* name, const std::vector<float>& t) {
    if (status.ok()) status = check_size(name, t.size(), shape_of(shapes, name).size());
  });
  VITRINE_RETURN_IF_ERROR(status);
  for (const SessionTensorShape& shape : shapes)
    if (shape.ids) VITRINE_RETURN_IF_ERROR(check_size(shape.name, id_tensor(shape.name)->size(), shape.size()));
  for (size_t i = 0; i < item_image.size(); ++i) {
    if (!std::isfinite(item_image[i]))
      return Status(StatusCode::kMODEL_CORRUPT, "tensor 'item_image' row " + std::to_string(i / config.image_dim) +
                                                    " holds a value that is not finite");
  }
  // A probability from a non-finite weight would be NaN or 0/1 for every shopper: refuse the file instead.
  for (const auto* t : {&conversion_w, &conversion_b, &item_conversion}) {
    for (float x : *t)
      if (!std::isfinite(x))
        return Status(StatusCode::kMODEL_CORRUPT, "the conversion head holds a value that is not finite");
  }
  VITRINE_RETURN_IF_ERROR(check_ids("item_category", item_category, config.num_categories));
  VITRINE_RETURN_IF_ERROR(check_ids("item_brand", item_brand, config.num_brands));
  VITRINE_RETURN_IF_ERROR(check_ids("item_price_band", item_price_band, config.num_price_bands));
  return Status();
}

void compute_item_vectors(const SessionModelWeights& weights, std::vector<float>& vectors,
                          std::vector<float>* norms_out) {
  const SessionModelConfig& c = weights.config;
  const size_t d = c.dim, v = size_t{c.vocab_size} + 1;
  if (c.coded_items()) {  // the vectors come with the items' codes (Ranker::add_items)
    vectors.assign(v * d, 0.0f);
    if (norms_out != nullptr) norms_out->assign(v, 0.0f);
    return;
  }
  vectors.assign(weights.item_emb.begin(), weights.item_emb.end());
  const auto add_content = [&](const std::vector<float>& table, const std::vector<int32_t>& ids) {
    if (table.empty()) return;
    for (size_t i = 1; i < v; ++i) {
      const float* row = table.data() + static_cast<size_t>(ids[i]) * d;
      float* out = vectors.data() + i * d;
      for (size_t k = 0; k < d; ++k) out[k] += row[k];
    }
  };
  add_content(weights.category_emb, weights.item_category);
  add_content(weights.brand_emb, weights.item_brand);
  add_content(weights.price_band_emb, weights.item_price_band);
  if (c.image_dim > 0) {
    for (size_t i = 1; i < v; ++i)
      add_vec_mat(weights.item_image.data() + i * c.image_dim, weights.image_proj.data(), c.image_dim, d,
                  vectors.data() + i * d);
  }
  if (norms_out != nullptr) norms_out->assign(v, 0.0f);
  std::fill(vectors.begin(), vectors.begin() + static_cast<std::ptrdiff_t>(d), 0.0f);
  for (size_t i = 1; i < v; ++i) {
    float* row = vectors.data() + i * d;
    double sq = 0.0;
    for (size_t k = 0; k < d; ++k) sq += double{row[k]} * row[k];
    const float norm = static_cast<float>(std::sqrt(sq));
    // A vector of zeros stays zero: an item the model knows nothing about scores 0.
    const float inv = norm > 1e-12f ? 1.0f / norm : 0.0f;
    for (size_t k = 0; k < d; ++k) row[k] *= inv;
    if (norms_out != nullptr) (*norms_out)[i] = norm;
  }
}

size_t item_code_extras(const SessionModelConfig& config) {
  return (config.item_bias ? 1 : 0) + (config.has_conversion_head() ? size_t{kConversionOutputs} : 0);
}

void item_code_extra_values(const SessionModelWeights& weights, uint32_t item, float* out) {
  if (weights.config.item_bias) *out++ = weights.item_bias[item];
  if (weights.config.has_conversion_head())
    for (uint32_t h = 0; h < kConversionOutputs; ++h)
      *out++ = weights.item_conversion[size_t{item} * kConversionOutputs + h];
}

size_t encoder_inputs(const SessionModelWeights& weights, const float* item_vectors, const SessionEvent* events,
                      size_t n_events, SessionTape& t) {
  const SessionModelConfig& c = weights.config;
  const size_t d = c.dim;
  std::vector<SessionEvent> window;
  collect_window(c, events, n_events, window);
  const size_t n = window.size();
  t.length = static_cast<uint32_t>(n);
  t.items.resize(n);
  t.positions.resize(n);
  t.kinds.resize(n);
  t.earlier.resize(n);
  t.x.assign(n * d, 0.0f);
  t.gate.assign(n * d, 0.0f);
  t.alpha.assign(n, 0.0f);
  t.concat.assign(2 * d, 0.0f);
  t.raw.assign(d, 0.0f);
  t.raw_norm = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t pos = static_cast<uint32_t>(n - 1 - i);
    t.items[i] = window[i].item;
    t.positions[i] = pos;
    t.kinds[i] = window[i].kind;
    t.earlier[i] = window[i].earlier_visit;
    float* x = t.x.data() + i * d;
    const float* item = item_vectors + size_t{window[i].item} * d;
    const float* p = weights.pos_emb.data() + size_t{pos} * d;
    const float* k = weights.kind_emb.data() + size_t{window[i].kind} * d;
    for (size_t j = 0; j < d; ++j) x[j] = item[j] + p[j] + k[j];
    if (c.visit_inputs && window[i].earlier_visit != 0) {
      for (size_t j = 0; j < d; ++j) x[j] += weights.visit_emb[j];
    }
  }
  return n;
}

void encoder_output(const SessionModelWeights& weights, SessionTape& t, float* out) {
  const size_t d = weights.config.dim, n = t.length;
  std::fill(out, out + d, 0.0f);
  if (n == 0) return;
  const float* x_last = t.x.data() + (n - 1) * d;

  // The query part x_last W1 + b is shared by every position; tape.gate holds x_t W2.
  std::vector<float> query(weights.att_b);
  add_vec_mat(x_last, weights.att_w1.data(), d, d, query.data());
  float* g = t.concat.data();
  for (size_t i = 0; i < n; ++i) {
    float* gate = t.gate.data() + i * d;
    for (size_t j = 0; j < d; ++j) gate[j] = gate_sigmoid(query[j] + gate[j]);  // apart, so that it vectorizes
    const float alpha = dot_lanes(gate, weights.att_q.data(), d);
    t.alpha[i] = alpha;
    const float* x = t.x.data() + i * d;
    for (size_t j = 0; j < d; ++j) g[j] += alpha * x[j];
  }
  std::copy(x_last, x_last + d, t.concat.data() + d);

  std::copy(weights.out_b.begin(), weights.out_b.end(), t.raw.begin());
  add_vec_mat(t.concat.data(), weights.out_w.data(), 2 * d, d, t.raw.data());
  double sq = 0.0;
  for (size_t j = 0; j < d; ++j) sq += double{t.raw[j]} * t.raw[j];
  t.raw_norm = static_cast<float>(std::sqrt(sq));
  const float inv = t.raw_norm > 1e-12f ? 1.0f / t.raw_norm : 0.0f;
  for (size_t j = 0; j < d; ++j) out[j] = t.raw[j] * inv;
}

void encode_session(const SessionModelWeights& weights, const float* item_vectors, const SessionEvent* events,
                    size_t n_events, float* out, SessionTape* tape) {
  SessionTape local;
  SessionTape& t = tape != nullptr ? *tape : local;
  const size_t d = weights.config.dim;
  const size_t n = encoder_inputs(weights, item_vectors, events, n_events, t);
  for (size_t i = 0; i < n; ++i) add_vec_mat(t.x.data() + i * d, weights.att_w2.data(), d, d, t.gate.data() + i * d);
  encoder_output(weights, t, out);
}

void session_repeat_features(const SessionModelConfig& config, const SessionEvent* events, size_t n_events,
                             std::vector<RepeatFeature>& out) {
  out.clear();
  std::vector<SessionEvent> window;
  collect_window(config, events, n_events, window);
  const size_t n = window.size();
  // Walk from the most recent event back; the first time an item is met is its most recent occurrence.
  for (size_t i = n; i-- > 0;) {
    const uint32_t item = window[i].item;
    const uint32_t kind_bit = window[i].kind < 32 ? 1u << window[i].kind : 0u;
    auto it = std::find_if(out.begin(), out.end(), [&](const RepeatFeature& f) { return f.item == item; });
    if (it == out.end()) {
      out.push_back({item, static_cast<uint32_t>(n - 1 - i), 1, kind_bit});
    } else {
      ++it->count;
      it->kind_rows |= kind_bit;
    }
  }
}

float repeat_score(const SessionModelWeights& weights, const RepeatFeature& f) {
  const SessionModelConfig& c = weights.config;
  float score = weights.repeat_bonus[f.last_position];
  if (c.repeat_counts > 0) score += weights.repeat_count[std::min(f.count, c.repeat_counts) - 1];
  if (c.repeat_kinds) {
    for (uint32_t r = 0; r < c.num_kinds; ++r)
      if ((f.kind_rows >> r) & 1u) score += weights.repeat_kind[r];
  }
  return score;
}

void session_repeat_bonuses(const SessionModelWeights& weights, const SessionEvent* events, size_t n_events,
                            std::vector<std::pair<uint32_t, float>>& out) {
  std::vector<RepeatFeature> features;
  session_repeat_features(weights.config, events, n_events, features);
  out.clear();
  for (const RepeatFeature& f : features) out.emplace_back(f.item, repeat_score(weights, f));
}

void finish_catalog_scores(const SessionModelWeights& weights, const SessionEvent* events, size_t n_events,
                           float* scores_by_item) {
  if (weights.config.item_bias) {
    for (size_t j = 0; j < weights.item_bias.size(); ++j) scores_by_item[j] += weights.item_bias[j];
  }
  std::vector<std::pair<uint32_t, float>> bonuses;
  session_repeat_bonuses(weights, events, n_events, bonuses);
  for (const auto& [item, bonus] : bonuses) scores_by_item[item] += bonus;
  scores_by_item[0] = -std::numeric_limits<float>::infinity();
}

void score_catalog(const SessionModelWeights& weights, const float* item_vectors, const float* session_vec,
                   const SessionEvent* events, size_t n_events, float* scores, F32DotRowsFn dot_rows) {
  const SessionModelConfig& c = weights.config;
  const size_t d = c.dim, v = size_t{c.vocab_size} + 1;
  dot_rows(session_vec, item_vectors, v, d, d, scores);
  for (size_t j = 0; j < v; ++j) scores[j] *= c.temperature;
  finish_catalog_scores(weights, events, n_events, scores);
}

void conversion_context(const SessionModelConfig& config, const SessionEvent* events, size_t n_events,
                        ConversionContext& out) {
  out.items.clear();
  out.carts_this_visit = 0;
  out.events_this_visit = 0;
  const auto kind_is = [](const SessionEvent& e, EventKind k) { return e.kind == static_cast<uint8_t>(k); };
  uint32_t position = 0;  // reverse position among the window's events
  for (size_t i = n_events; i-- > 0;) {
    const SessionEvent& e = events[i];
    if (e.item == 0 || e.item > config.vocab_size) continue;
    const bool cart = kind_is(e, EventKind::kADD_TO_CART), purchase = kind_is(e, EventKind::kPURCHASE);
    if (!(cart || purchase || kind_is(e, EventKind::kVIEW) || kind_is(e, EventKind::kCLICK))) continue;
    const bool in_window = position < config.max_length;
    // Past the window only this visit's carts and purchases still count (the cart does not forget).
    if (!in_window && (e.earlier_visit != 0 || !(cart || purchase))) continue;
    auto it = std::find_if(out.items.begin(), out.items.end(),
                           [&](const ConversionContext::Seen& s) { return s.item == e.item; });
    if (it == out.items.end()) {
      out.items.push_back({});
      it = out.items.end() - 1;
      it->item = e.item;
      it->in_window = in_window;
      it->last_position = in_window ? position : 0;
    }
    if (e.earlier_visit == 0) {
      it->carted = it->carted || cart;
      it->bought = it->bought || purchase;
      if (cart) ++out.carts_this_visit;
    }
    if (!in_window) continue;
    if (e.earlier_visit != 0) {
      ++it->events_earlier;
      it->converted_earlier = it->converted_earlier || cart || purchase;
    } else {
      ++it->events_this_visit_of_item;
      ++out.events_this_visit;
    }
    ++position;
  }
}

void conversion_features(const SessionModelWeights& weights, const ConversionContext& context, const float* session_vec,
                         const float* item_vector, uint32_t item, float* features) {
  const SessionModelConfig& c = weights.config;
  const size_t d = c.dim;
  const uint32_t row = item <= c.vocab_size ? item : 0;
  float* f = features;
  float similarity = 0.0f;
  for (size_t k = 0; k < d; ++k) similarity += session_vec[k] * item_vector[k];
  std::fill(f, f + kConversionScalarFeatures, 0.0f);
  f[0] = similarity;
  f[1] = weights.item_conversion[size_t{row} * kConversionOutputs + kCartOutput];
  f[2] = weights.item_conversion[size_t{row} * kConversionOutputs + kPurchaseOutput];
  f[3] = row != 0 ? 1.0f : 0.0f;
  if (row != 0) {
    for (const ConversionContext::Seen& s : context.items) {
      if (s.item != row) continue;
      f[4] = std::log1p(static_cast<float>(s.events_this_visit_of_item));
      f[5] = std::log1p(static_cast<float>(s.events_earlier));
      f[6] = s.in_window ? std::exp(-static_cast<float>(s.last_position) / 4.0f) : 0.0f;
      f[7] = s.carted ? 1.0f : 0.0f;
      f[8] = s.bought ? 1.0f : 0.0f;
      f[9] = s.converted_earlier ? 1.0f : 0.0f;
      break;
    }
  }
  f[10] = std::log1p(static_cast<float>(context.carts_this_visit));
  f[11] = std::log1p(static_cast<float>(context.events_this_visit));
  for (size_t k = 0; k < d; ++k) f[kConversionScalarFeatures + k] = session_vec[k] * item_vector[k];
}

void conversion_probabilities(const SessionModelWeights& weights, const float* features, float* out) {
  const SessionModelConfig& c = weights.config;
  const size_t n = conversion_feature_count(c);
  const bool fitted[kConversionOutputs] = {c.cart_head, c.purchase_head};
  for (uint32_t h = 0; h < kConversionOutputs; ++h) {
    if (!fitted[h]) {
      out[h] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    const float* w = weights.conversion_w.data() + h * n;
    double z = weights.conversion_b[h];
    for (size_t k = 0; k < n; ++k) z += double{w[k]} * features[k];
    out[h] = static_cast<float>(1.0 / (1.0 + std::exp(-z)));
  }
}

}  // namespace vitrine
