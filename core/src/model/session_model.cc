#include "vitrine/session_model.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string>

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
  if (vocab_size == 0 || vocab_size > kMaxVocab)
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "vocab_size " + std::to_string(vocab_size) + " outside 1.." + std::to_string(kMaxVocab));
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
  if (kind_inputs.empty() && num_kinds == 0)
    return Status(StatusCode::kMODEL_CORRUPT, "a model without kind_inputs needs the view row");
  return Status();
}

Result<SessionModelWeights> SessionModelWeights::zeros(const SessionModelConfig& config) {
  VITRINE_RETURN_IF_ERROR(config.validate());
  SessionModelWeights w;
  w.config = config;
  const size_t d = config.dim, v = size_t{config.vocab_size} + 1;
  w.item_emb.assign(v * d, 0.0f);
  if (config.num_categories > 0) {
    w.category_emb.assign((config.num_categories + size_t{1}) * d, 0.0f);
    w.item_category.assign(v, 0);
  }
  if (config.num_brands > 0) {
    w.brand_emb.assign((config.num_brands + size_t{1}) * d, 0.0f);
    w.item_brand.assign(v, 0);
  }
  if (config.num_price_bands > 0) {
    w.price_band_emb.assign((config.num_price_bands + size_t{1}) * d, 0.0f);
    w.item_price_band.assign(v, 0);
  }
  if (config.image_dim > 0) {
    w.image_proj.assign(size_t{config.image_dim} * d, 0.0f);
    w.item_image.assign(v * config.image_dim, 0.0f);
  }
  w.pos_emb.assign(config.max_length * d, 0.0f);
  w.kind_emb.assign(config.num_kinds * d, 0.0f);
  w.att_w1.assign(d * d, 0.0f);
  w.att_w2.assign(d * d, 0.0f);
  w.att_b.assign(d, 0.0f);
  w.att_q.assign(d, 0.0f);
  w.out_w.assign(2 * d * d, 0.0f);
  w.out_b.assign(d, 0.0f);
  w.repeat_bonus.assign(config.max_length, 0.0f);
  w.repeat_count.assign(config.repeat_counts, 0.0f);
  if (config.repeat_kinds) w.repeat_kind.assign(config.num_kinds, 0.0f);
  if (config.item_bias) w.item_bias.assign(v, 0.0f);
  if (config.visit_inputs) w.visit_emb.assign(d, 0.0f);
  if (config.has_conversion_head()) {
    w.conversion_w.assign(size_t{kConversionOutputs} * conversion_feature_count(config), 0.0f);
    w.conversion_b.assign(kConversionOutputs, 0.0f);
    w.item_conversion.assign(v * kConversionOutputs, 0.0f);
  }
  return w;
}

Status SessionModelWeights::validate() const {
  VITRINE_RETURN_IF_ERROR(config.validate());
  const size_t d = config.dim, v = size_t{config.vocab_size} + 1;
  const auto content = [&](uint32_t n) { return n > 0 ? (n + size_t{1}) * d : size_t{0}; };
  VITRINE_RETURN_IF_ERROR(check_size("item_emb", item_emb.size(), v * d));
  VITRINE_RETURN_IF_ERROR(check_size("category_emb", category_emb.size(), content(config.num_categories)));
  VITRINE_RETURN_IF_ERROR(check_size("brand_emb", brand_emb.size(), content(config.num_brands)));
  VITRINE_RETURN_IF_ERROR(check_size("price_band_emb", price_band_emb.size(), content(config.num_price_bands)));
  VITRINE_RETURN_IF_ERROR(check_size("item_category", item_category.size(), config.num_categories ? v : 0));
  VITRINE_RETURN_IF_ERROR(check_size("item_brand", item_brand.size(), config.num_brands ? v : 0));
  VITRINE_RETURN_IF_ERROR(check_size("item_price_band", item_price_band.size(), config.num_price_bands ? v : 0));
  VITRINE_RETURN_IF_ERROR(check_size("image_proj", image_proj.size(), size_t{config.image_dim} * d));
  VITRINE_RETURN_IF_ERROR(check_size("item_image", item_image.size(), config.image_dim ? v * config.image_dim : 0));
  for (size_t i = 0; i < item_image.size(); ++i) {
    if (!std::isfinite(item_image[i]))
      return Status(StatusCode::kMODEL_CORRUPT, "tensor 'item_image' row " + std::to_string(i / config.image_dim) +
                                                    " holds a value that is not finite");
  }
  VITRINE_RETURN_IF_ERROR(check_size("pos_emb", pos_emb.size(), config.max_length * d));
  VITRINE_RETURN_IF_ERROR(check_size("kind_emb", kind_emb.size(), config.num_kinds * d));
  VITRINE_RETURN_IF_ERROR(check_size("att_w1", att_w1.size(), d * d));
  VITRINE_RETURN_IF_ERROR(check_size("att_w2", att_w2.size(), d * d));
  VITRINE_RETURN_IF_ERROR(check_size("att_b", att_b.size(), d));
  VITRINE_RETURN_IF_ERROR(check_size("att_q", att_q.size(), d));
  VITRINE_RETURN_IF_ERROR(check_size("out_w", out_w.size(), 2 * d * d));
  VITRINE_RETURN_IF_ERROR(check_size("out_b", out_b.size(), d));
  VITRINE_RETURN_IF_ERROR(check_size("repeat_bonus", repeat_bonus.size(), config.max_length));
  VITRINE_RETURN_IF_ERROR(check_size("visit_emb", visit_emb.size(), config.visit_inputs ? d : 0));
  VITRINE_RETURN_IF_ERROR(check_size("repeat_count", repeat_count.size(), config.repeat_counts));
  VITRINE_RETURN_IF_ERROR(check_size("repeat_kind", repeat_kind.size(), config.repeat_kinds ? config.num_kinds : 0));
  VITRINE_RETURN_IF_ERROR(check_size("item_bias", item_bias.size(), config.item_bias ? v : 0));
  const bool head = config.has_conversion_head();
  VITRINE_RETURN_IF_ERROR(check_size("conversion_w", conversion_w.size(),
                                     head ? size_t{kConversionOutputs} * conversion_feature_count(config) : 0));
  VITRINE_RETURN_IF_ERROR(check_size("conversion_b", conversion_b.size(), head ? size_t{kConversionOutputs} : 0));
  VITRINE_RETURN_IF_ERROR(
      check_size("item_conversion", item_conversion.size(), head ? v * size_t{kConversionOutputs} : 0));
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

void add_item_terms(const SessionModelWeights& weights, const SessionEvent* events, size_t n_events,
                    float* scores_by_item) {
  if (weights.config.item_bias) {
    for (size_t j = 0; j < weights.item_bias.size(); ++j) scores_by_item[j] += weights.item_bias[j];
  }
  std::vector<std::pair<uint32_t, float>> bonuses;
  session_repeat_bonuses(weights, events, n_events, bonuses);
  for (const auto& [item, bonus] : bonuses) scores_by_item[item] += bonus;
}

void score_catalog(const SessionModelWeights& weights, const float* item_vectors, const float* session_vec,
                   const SessionEvent* events, size_t n_events, float* scores) {
  const SessionModelConfig& c = weights.config;
  const size_t d = c.dim, v = size_t{c.vocab_size} + 1;
  f32_dot_rows_scalar(session_vec, item_vectors, v, d, d, scores);
  for (size_t j = 0; j < v; ++j) scores[j] *= c.temperature;
  add_item_terms(weights, events, n_events, scores);
  scores[0] = -std::numeric_limits<float>::infinity();
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
