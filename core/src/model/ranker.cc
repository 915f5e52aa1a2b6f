#include "vitrine/ranker.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "vitrine/json_value.h"

namespace vitrine {
namespace {

// Rows scored per kernel call when ranking a candidate list: the gathered tile stays in L1.
constexpr size_t kCandidateTile = 64;

Status read_profile_weights(const JsonValue& config, ProfileWeights& out) {
  const JsonValue* weights = config.find("profile_weights");
  if (weights == nullptr) return Status();
  if (!weights->is_object()) return Status(StatusCode::kMODEL_CORRUPT, "config.profile_weights must be an object");
  for (const auto& [key, field] :
       {std::pair<const char*, float*>{"category", &out.category}, {"brand", &out.brand}, {"price", &out.price}}) {
    const JsonValue* w = weights->find(key);
    if (w == nullptr) continue;
    // Range-checked as a double: narrowing one past FLT_MAX to float is undefined behaviour.
    if (!w->is_number() || !(std::fabs(w->as_double()) <= std::numeric_limits<float>::max()))
      return Status(StatusCode::kMODEL_CORRUPT,
                    std::string("config.profile_weights.") + key + " must be a number a float can hold");
    *field = static_cast<float>(w->as_double());
  }
  return Status();
}

// config.blend: the weight of the shop's order the trainer learned for this shop (blend_fit.h); absent: the default.
Status read_default_blend(const JsonValue& config, float& out) {
  const JsonValue* blend = config.find("blend");
  if (blend == nullptr) return Status();
  if (!blend->is_number() || !(blend->as_double() >= 0.0 && blend->as_double() <= double{kMaxBlend}))
    return Status(StatusCode::kMODEL_CORRUPT, "config.blend must be a number from 0 to 100");
  out = static_cast<float>(blend->as_double());
  return Status();
}

float dot(const float* a, const float* b, size_t n) {
  float s = 0.0f;
  for (size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

Result<Ranker> Ranker::load(const uint8_t* bytes, size_t size, const ModelLimits& limits, const KernelTable& kernels) {
  auto file = ModelFile::parse(bytes, size, limits);
  if (!file.ok()) return file.status();
  return from_file(std::move(file).value(), kernels);
}

Result<Ranker> Ranker::from_file(ModelFile file, const KernelTable& kernels) {
  Ranker r;
  r.file_ = std::move(file);
  auto weights = read_session_model(r.file_, &r.content_);
  if (!weights.ok()) return weights.status();
  r.weights_ = std::move(weights).value();
  VITRINE_RETURN_IF_ERROR(read_profile_weights(r.file_.config(), r.profile_weights_));
  VITRINE_RETURN_IF_ERROR(read_default_blend(r.file_.config(), r.default_blend_));
  r.kernels_ = &kernels;
  compute_item_vectors(r.weights_, r.item_vectors_);
  if (r.weights_.config.coded_items()) {
    auto quantizer =
        ItemQuantizer::from_codebook(r.weights_.config.dim, r.weights_.config.item_subspaces, r.weights_.item_codebook);
    if (!quantizer.ok()) return Status(StatusCode::kMODEL_CORRUPT, quantizer.status().message());
    r.quantizer_ = std::move(quantizer).value();
    r.code_tag_ = r.quantizer_.tag();
  }
  for (size_t k = 0; k < r.content_.category_names.size(); ++k)
    r.category_index_.emplace(r.content_.category_names[k], static_cast<uint32_t>(k + 1));
  for (size_t k = 0; k < r.content_.brand_names.size(); ++k)
    r.brand_index_.emplace(r.content_.brand_names[k], static_cast<uint32_t>(k + 1));
  return r;
}

uint32_t Ranker::item_of(std::string_view product_id) const {
  if (!weights_.config.coded_items()) return file_.item_of(product_id);
  const auto it = coded_index_.find(std::string(product_id));  // C++17 hash maps take no string_view key
  return it == coded_index_.end() ? 0 : it->second;
}

Status Ranker::add_items(const std::vector<std::string>& ids, const std::vector<std::string>& codes) {
  SessionModelConfig& c = weights_.config;
  if (!c.coded_items())
    return Status(StatusCode::kINVALID_ARGUMENT, "this model holds its own item table; it takes no item codes");
  if (ids.size() != codes.size())
    return Status(StatusCode::kINVALID_ARGUMENT,
                  "add_items: " + std::to_string(ids.size()) + " ids but " + std::to_string(codes.size()) + " codes");
  // Everything is read and checked first, so a bad code adds nothing.
  const size_t n_extras = item_code_extras(c);
  std::vector<ItemCode> parsed(ids.size());
  std::vector<uint8_t> fresh(ids.size(), 0);
  std::unordered_set<std::string> batch;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty()) return Status(StatusCode::kBAD_INPUT, "add_items: product " + std::to_string(i) + " has no id");
    if (coded_index_.count(ids[i]) != 0 || !batch.insert(ids[i]).second) continue;
    auto code = parse_item_code(codes[i], code_tag_, c.item_subspaces, n_extras);
    if (!code.ok()) return Status(code.status().code(), "product '" + ids[i] + "': " + code.status().message());
    parsed[i] = std::move(code).value();
    fresh[i] = 1;
  }
  if (size_t{c.vocab_size} + batch.size() > kMaxCodedItems)
    return Status(StatusCode::kLIMIT_EXCEEDED, "add_items: more than " + std::to_string(kMaxCodedItems) + " products");
  const size_t d = c.dim;
  std::vector<float> row(d);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!fresh[i]) continue;
    quantizer_.decode(parsed[i].centroids.data(), row.data());
    const float norm = std::sqrt(dot(row.data(), row.data(), d));
    const float inv = norm > 1e-12f ? 1.0f / norm : 0.0f;
    for (float& x : row) x *= inv;
    item_vectors_.insert(item_vectors_.end(), row.begin(), row.end());
    const float* extra = parsed[i].extras.data();
    if (c.item_bias) weights_.item_bias.push_back(*extra++);
    if (c.has_conversion_head())
      for (uint32_t h = 0; h < kConversionOutputs; ++h) weights_.item_conversion.push_back(*extra++);
    const auto added = coded_index_.emplace(ids[i], ++c.vocab_size).first;
    coded_vocabulary_.push_back(added->first);
  }
  return Status();
}

std::string Ranker::info_json() const {
  const SessionModelConfig& c = weights_.config;
  JsonValue content = JsonValue::array();
  if (c.num_categories > 0) content.push_back(JsonValue::string("category"));
  if (c.num_brands > 0) content.push_back(JsonValue::string("brand"));
  if (c.num_price_bands > 0) content.push_back(JsonValue::string("price"));
  JsonValue conversion = JsonValue::object();
  conversion.set("cart", JsonValue::boolean(c.cart_head));
  conversion.set("purchase", JsonValue::boolean(c.purchase_head));
  // Keys in alphabetical order, as the text read before (nlohmann/json sorts them) had them.
  JsonValue j = JsonValue::object();
  j.set("blend", JsonValue::number(default_blend_));
  j.set("content", std::move(content));
  j.set("conversion", std::move(conversion));
  j.set("dim", JsonValue::unsigned_integer(c.dim));
  j.set("file_bytes", JsonValue::unsigned_integer(file_.file_bytes()));
  // Only for a model whose catalog is out of its file: the page must then send each product's code.
  if (c.coded_items()) j.set("item_subspaces", JsonValue::unsigned_integer(c.item_subspaces));
  j.set("kernels", JsonValue::string(kernels_ != nullptr ? kernels_->name : "none"));
  j.set("kind", JsonValue::string(file_.kind()));
  j.set("max_length", JsonValue::unsigned_integer(c.max_length));
  j.set("training", file_.training());
  j.set("vocab_size", JsonValue::unsigned_integer(c.vocab_size));
  return write_json(j);
}

std::vector<SessionEvent> Ranker::session_events(const std::vector<ShopperEvent>& events, double now_ms) const {
  std::vector<const ShopperEvent*> ordered;
  ordered.reserve(events.size());
  for (const ShopperEvent& e : events) ordered.push_back(&e);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const ShopperEvent* a, const ShopperEvent* b) { return a->time_ms < b->time_ms; });
  // The current visit starts after the last gap: from the newest event back while events are close enough.
  const double gap = 60'000.0 * weights_.config.visit_gap_minutes;
  size_t visit_start = ordered.size();
  if (!ordered.empty() && now_ms - ordered.back()->time_ms <= gap) {
    visit_start = ordered.size() - 1;
    while (visit_start > 0 && ordered[visit_start]->time_ms - ordered[visit_start - 1]->time_ms <= gap) --visit_start;
  }
  std::vector<SessionEvent> session;
  session.reserve(ordered.size());
  for (size_t i = 0; i < ordered.size(); ++i) {
    const ShopperEvent* e = ordered[i];
    if (e->item.empty()) continue;
    const uint32_t item = item_of(e->item);
    if (item != 0) session.push_back({item, static_cast<uint8_t>(e->kind), i < visit_start ? uint8_t{1} : uint8_t{0}});
  }
  return session;
}

void Ranker::encode(const std::vector<SessionEvent>& session, float* session_vec, SessionTape* tape) const {
  encode_session(weights_, item_vectors_.data(), session.data(), session.size(), session_vec, tape);
}

void Ranker::candidate_vector(const Candidate& candidate, uint32_t item, float* out) const {
  const size_t d = weights_.config.dim;
  if (item != 0) {
    std::copy_n(item_vectors_.data() + size_t{item} * d, d, out);
    return;
  }
  // Cold start: the content part of the item tower, normalized like any item vector.
  std::fill(out, out + d, 0.0f);
  const auto add_row = [&](const std::vector<float>& table, uint32_t row) {
    if (table.empty() || row == 0) return;
    const float* src = table.data() + size_t{row} * d;
    for (size_t k = 0; k < d; ++k) out[k] += src[k];
  };
  const auto find = [](const auto& index, const std::string& name) -> uint32_t {
    const auto it = index.find(name);
    return it == index.end() ? 0 : it->second;
  };
  add_row(weights_.category_emb, find(category_index_, candidate.category));
  add_row(weights_.brand_emb, find(brand_index_, candidate.brand));
  add_row(weights_.price_band_emb, price_band_of(content_.price_band_edges, candidate.price));
  const float norm = std::sqrt(dot(out, out, d));
  const float inv = norm > 1e-12f ? 1.0f / norm : 0.0f;
  for (size_t k = 0; k < d; ++k) out[k] *= inv;
}

Ranker Ranker::scratch_copy() const {
  Ranker r;
  r.weights_ = weights_;
  r.content_ = content_;
  r.profile_weights_ = profile_weights_;
  r.default_blend_ = default_blend_;
  r.item_vectors_ = item_vectors_;
  r.category_index_ = category_index_;
  r.brand_index_ = brand_index_;
  r.kernels_ = kernels_;
  r.quantizer_ = quantizer_;
  r.code_tag_ = code_tag_;
  r.coded_index_ = coded_index_;
  r.coded_vocabulary_.resize(coded_vocabulary_.size());
  for (const auto& [id, item] : r.coded_index_) r.coded_vocabulary_[item - 1] = id;
  return r;
}

std::optional<Ranker> Ranker::with_request_codes(const RankRequest& request, bool candidates) const {
  if (!weights_.config.coded_items()) return std::nullopt;
  // The request brings its products' vectors: a scratch copy knows them for this request, and the ranker itself
  // stays as it was (it keeps nothing of one shopper's request for the next).
  std::vector<std::pair<const std::string*, const std::string*>> coded;
  std::unordered_set<std::string> seen;
  const auto take = [&](const std::string& id, const std::string& code) {
    if (!id.empty() && !code.empty() && item_of(id) == 0 && seen.insert(id).second) coded.emplace_back(&id, &code);
  };
  for (const ShopperEvent& e : request.events) take(e.item, e.code);
  if (candidates)
    for (const Candidate& c : request.candidates) take(c.id, c.code);
  if (coded.empty()) return std::nullopt;
  Ranker local = scratch_copy();
  // One at a time: a product whose code this model cannot read (BAD_INPUT) stays unknown, the others are added.
  // Past kMaxCodedItems (LIMIT_EXCEEDED) the rest stay unknown too.
  for (const auto& [id, code] : coded) (void)local.add_items({*id}, {*code});
  return local;
}

Status Ranker::rank(const RankRequest& request, float* scores, std::vector<Explanation>* explanations,
                    float* conversion) const {
  if (const std::optional<Ranker> local = with_request_codes(request, true))
    return local->rank_known(request, scores, explanations, conversion);
  return rank_known(request, scores, explanations, conversion);
}

void Ranker::session_vector(const RankRequest& request, float* out) const {
  const std::optional<Ranker> local = with_request_codes(request, false);
  const Ranker& r = local ? *local : *this;
  r.encode(r.session_events(request.events, request.now_ms), out);
}

Result<size_t> Ranker::top_candidates(const RankRequest& request, size_t k, uint32_t* out_index,
                                      float* out_score) const {
  std::vector<float> scores(request.candidates.size());
  VITRINE_RETURN_IF_ERROR(rank(request, scores.data()));
  // -infinity (a score rank() never gives a real candidate) marks what top-K must not choose; NaN never is.
  for (float& s : scores)
    if (s == -std::numeric_limits<float>::infinity()) s = std::numeric_limits<float>::quiet_NaN();
  return kernels_->f32_topk(scores.data(), scores.size(), std::min(k, scores.size()), out_index, out_score);
}

Status Ranker::rank_known(const RankRequest& request, float* scores, std::vector<Explanation>* explanations,
                          float* conversion) const {
  if (kernels_ == nullptr) return Status(StatusCode::kNO_MODEL, "no model is loaded");
  const size_t d = weights_.config.dim, n = request.candidates.size();
  const bool by_conversion = request.rank_by != RankBy::kRelevance;
  if (by_conversion && !weights_.config.has_conversion_head())
    return Status(StatusCode::kBAD_INPUT,
                  "rank_by \"conversion\" and \"value\" need a model with a conversion head (vitrine train --events "
                  "on a log with add_to_cart or purchase rows)");
  if (n == 0) return Status();
  if (scores == nullptr) return Status(StatusCode::kINVALID_ARGUMENT, "rank: scores buffer is null");

  const std::vector<SessionEvent> session = session_events(request.events, request.now_ms);
  std::vector<float> session_vec(d, 0.0f);
  encode(session, session_vec.data());
  std::vector<std::pair<uint32_t, float>> repeats;
  session_repeat_bonuses(weights_, session.data(), session.size(), repeats);
  const Profile profile = build_profile(request.events, request.now_ms);
  const auto affinity = [](const std::vector<Affinity>& list, const std::string& name) -> const Affinity* {
    if (name.empty()) return nullptr;
    for (const Affinity& a : list)
      if (a.name == name) return &a;
    return nullptr;
  };

  // The conversion head's probabilities, [0, n) cart and [n, 2n) purchase, are filled tile by tile with the scores.
  std::vector<float> probability;
  const bool with_head = (conversion != nullptr || by_conversion) && weights_.config.has_conversion_head();
  ConversionContext context;
  if (conversion != nullptr || by_conversion) probability.assign(2 * n, std::numeric_limits<float>::quiet_NaN());
  if (with_head) conversion_context(weights_.config, session.data(), session.size(), context);

  // Model scores, a tile of gathered candidate vectors at a time.
  std::vector<uint32_t> items(n);
  std::vector<float> tile(kCandidateTile * d);
  for (size_t start = 0; start < n; start += kCandidateTile) {
    const size_t rows = std::min(kCandidateTile, n - start);
    for (size_t r = 0; r < rows; ++r) {
      const Candidate& c = request.candidates[start + r];
      items[start + r] = item_of(c.id);
      candidate_vector(c, items[start + r], tile.data() + r * d);
    }
    kernels_->f32_dot_rows(session_vec.data(), tile.data(), rows, d, d, scores + start);
    if (with_head)
      head_probabilities(context, session_vec.data(), tile.data(), items.data() + start, rows,
                         probability.data() + start, probability.data() + n + start);
  }
  if (conversion != nullptr) std::copy(probability.begin(), probability.end(), conversion);
  // rank_by conversion or value: ln p (+ ln price), relative to the listing's mean like the priors below.
  std::vector<float> objective(n, 0.0f);
  const float* ranked_probability = nullptr;
  if (by_conversion) {
    ranked_probability = probability.data() + (weights_.config.purchase_head ? n : 0);
    float typical_price = 0.0f;  // for candidates without a price: the listing's median price
    if (request.rank_by == RankBy::kValue) {
      std::vector<float> prices;
      for (const Candidate& c : request.candidates)
        if (c.price > 0.0f && std::isfinite(c.price)) prices.push_back(c.price);
      if (!prices.empty()) {
        std::nth_element(prices.begin(), prices.begin() + static_cast<std::ptrdiff_t>(prices.size() / 2), prices.end());
        typical_price = prices[prices.size() / 2];
      }
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      // A floor keeps ln finite; far below any probability a fitted head gives.
      double term = std::log(std::max(double{ranked_probability[i]}, 1e-9));
      if (typical_price > 0.0f) {
        const float price = request.candidates[i].price;
        term += std::log(price > 0.0f && std::isfinite(price) ? double{price} : double{typical_price});
      }
      objective[i] = static_cast<float>(term);
      sum += term;
    }
    const auto mean = static_cast<float>(sum / static_cast<double>(n));
    for (float& o : objective) o -= mean;
  }

  // The item prior, told apart from the shopper's own terms: relative to the mean over this listing, since only
  // differences between candidates change their order.
  std::vector<float> bias(n, 0.0f);
  if (weights_.config.item_bias) {
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) sum += bias[i] = weights_.item_bias[items[i]];
    const auto mean = static_cast<float>(sum / static_cast<double>(n));
    for (float& b : bias) b -= mean;
  }

  // The shop's order as a log prior (step 2), relative to the listing's mean like the item prior.
  const float blend = request.blend >= 0.0f ? request.blend : default_blend_;
  std::vector<float> shop(n, 0.0f);
  if (blend > 0.0f) {
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      const int64_t position =
          request.candidates[i].position >= 0 ? request.candidates[i].position : static_cast<int64_t>(i);
      sum += shop[i] = -blend * static_cast<float>(std::log1p(static_cast<double>(position)));
    }
    const auto mean = static_cast<float>(sum / static_cast<double>(n));
    for (float& s : shop) s -= mean;
  }

  if (explanations != nullptr) explanations->assign(n, Explanation());
  for (size_t i = 0; i < n; ++i) {
    const Candidate& c = request.candidates[i];
    const float model = weights_.config.temperature * scores[i];
    float repeat = 0.0f;
    for (const auto& [item, bonus] : repeats)
      if (item == items[i] && item != 0) repeat = bonus;
    const Affinity* cat = affinity(profile.categories, c.category);
    const Affinity* brand = affinity(profile.brands, c.brand);
    const float cat_term = cat != nullptr ? profile_weights_.category * cat->weight : 0.0f;
    const float brand_term = brand != nullptr ? profile_weights_.brand * brand->weight : 0.0f;
    const float price_term = profile_weights_.price * price_fit(profile, c.price);
    const float shopper_terms =
        by_conversion ? objective[i] : model + bias[i] + repeat + cat_term + brand_term + price_term;
    scores[i] = shopper_terms + shop[i] + c.boost;
    if (explanations == nullptr) continue;

    Explanation& ex = (*explanations)[i];
    ex.score = scores[i];
    if (!probability.empty()) {
      ex.cart = probability[i];
      ex.purchase = probability[n + i];
    }
    if (by_conversion) {
      ex.factors.push_back({"conversion", "", objective[i], 0, ranked_probability[i]});
      if (shop[i] != 0.0f) ex.factors.push_back({"shop", "", shop[i], 0});
      if (c.boost != 0.0f) ex.factors.push_back({"boost", "", c.boost, 0});
      continue;
    }
    if (!session.empty() && model != 0.0f) {
      // The recent product this candidate is most like, as evidence for the session term.
      const float* cv = items[i] != 0 ? item_vectors_.data() + size_t{items[i]} * d : nullptr;
      std::string anchor;
      float best = -std::numeric_limits<float>::infinity();
      for (const SessionEvent& e : session) {
        if (cv == nullptr || e.item == items[i]) continue;
        const float sim = dot(cv, item_vectors_.data() + size_t{e.item} * d, d);
        if (sim > best) {
          best = sim;
          anchor = std::string(vocabulary()[e.item - 1]);
        }
      }
      ex.factors.push_back({"session", anchor, model, static_cast<uint32_t>(session.size())});
    }
    if (repeat != 0.0f) {
      // Counted in this visit only: what explanations call "this visit" (0: only on earlier visits).
      uint32_t times = 0;
      for (const SessionEvent& e : session) times += e.item == items[i] && e.earlier_visit == 0 ? 1u : 0u;
      ex.factors.push_back({"repeat", c.id, repeat, times});
    }
    if (bias[i] != 0.0f) ex.factors.push_back({"popular", "", bias[i], 0});
    if (cat_term != 0.0f) ex.factors.push_back({"category", c.category, cat_term, cat->events});
    if (brand_term != 0.0f) ex.factors.push_back({"brand", c.brand, brand_term, brand->events});
    if (price_term != 0.0f) ex.factors.push_back({"price", "", price_term, profile.priced_events});
    if (shop[i] != 0.0f) ex.factors.push_back({"shop", "", shop[i], 0});
    if (c.boost != 0.0f) ex.factors.push_back({"boost", "", c.boost, 0});
  }
  sink_bought_items(request, scores, explanations);
  sink_unavailable_items(request, scores, explanations);
  if (explanations != nullptr) {
    for (Explanation& ex : *explanations) {
      std::stable_sort(ex.factors.begin(), ex.factors.end(), [](const auto& a, const auto& b) {
        return std::fabs(a.contribution) > std::fabs(b.contribution);
      });
    }
  }
  return Status();
}

void Ranker::head_probabilities(const ConversionContext& context, const float* session_vec, const float* vectors,
                                const uint32_t* items, size_t rows, float* cart, float* purchase) const {
  const size_t d = weights_.config.dim;
  std::vector<float> features(conversion_feature_count(weights_.config));
  float p[kConversionOutputs];
  for (size_t r = 0; r < rows; ++r) {
    conversion_features(weights_, context, session_vec, vectors + r * d, items[r], features.data());
    conversion_probabilities(weights_, features.data(), p);
    cart[r] = p[kCartOutput];
    purchase[r] = p[kPurchaseOutput];
  }
}

void Ranker::conversion(const std::vector<SessionEvent>& session, const uint32_t* items, size_t n, float* cart,
                        float* purchase) const {
  if (!weights_.config.has_conversion_head()) {
    std::fill_n(cart, n, std::numeric_limits<float>::quiet_NaN());
    std::fill_n(purchase, n, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  const size_t d = weights_.config.dim;
  std::vector<float> session_vec(d, 0.0f);
  encode(session, session_vec.data());
  ConversionContext context;
  conversion_context(weights_.config, session.data(), session.size(), context);
  // Items outside the model read as unknown (item 0, a zero vector), a tile at a time like rank().
  std::vector<uint32_t> known(kCandidateTile);
  std::vector<float> tile(kCandidateTile * d);
  for (size_t start = 0; start < n; start += kCandidateTile) {
    const size_t rows = std::min(kCandidateTile, n - start);
    std::fill(tile.begin(), tile.end(), 0.0f);
    for (size_t r = 0; r < rows; ++r) {
      known[r] = items[start + r] <= weights_.config.vocab_size ? items[start + r] : 0;
      if (known[r] != 0) std::copy_n(item_vectors_.data() + size_t{known[r]} * d, d, tile.data() + r * d);
    }
    head_probabilities(context, session_vec.data(), tile.data(), known.data(), rows, cart + start, purchase + start);
  }
}

void Ranker::sink_bought_items(const RankRequest& request, float* scores,
                               std::vector<Explanation>* explanations) const {
  std::unordered_map<std::string_view, uint32_t> purchases;
  for (const ShopperEvent& e : request.events)
    if (e.kind == EventKind::kPURCHASE && !e.item.empty()) ++purchases[e.item];
  if (purchases.empty()) return;
  const size_t n = request.candidates.size();
  std::vector<uint32_t> bought(n, 0);
  float floor = std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; ++i) {
    const auto it = purchases.find(request.candidates[i].id);
    if (it != purchases.end() && it->second < kStaplePurchases)
      bought[i] = it->second;
    else if (std::isfinite(scores[i]))
      floor = std::min(floor, scores[i]);
  }
  if (!std::isfinite(floor)) return;  // nothing else to go after
  // Strictly below: a tie would let the shop's order put a bought product before one not bought.
  const float below = std::nextafter(floor, -std::numeric_limits<float>::infinity());
  for (size_t i = 0; i < n; ++i) {
    if (bought[i] == 0 || !(scores[i] > below)) continue;
    const float drop = below - scores[i];
    scores[i] = below;
    if (explanations == nullptr) continue;
    Explanation& ex = (*explanations)[i];
    ex.score = below;
    ex.factors.push_back({"bought", request.candidates[i].id, drop, bought[i]});
  }
}

void Ranker::sink_unavailable_items(const RankRequest& request, float* scores,
                                    std::vector<Explanation>* explanations) const {
  const size_t n = request.candidates.size();
  float floor = std::numeric_limits<float>::infinity();
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    if (!request.candidates[i].available)
      any = true;
    else if (std::isfinite(scores[i]))
      floor = std::min(floor, scores[i]);
  }
  if (!any || !std::isfinite(floor)) return;
  const float below = std::nextafter(floor, -std::numeric_limits<float>::infinity());
  for (size_t i = 0; i < n; ++i) {
    if (request.candidates[i].available || !(scores[i] > below)) continue;
    const float drop = below - scores[i];
    scores[i] = below;
    if (explanations == nullptr) continue;
    (*explanations)[i].score = below;
    (*explanations)[i].factors.push_back({"unavailable", request.candidates[i].id, drop, 0});
  }
}

void Ranker::score_catalog(const std::vector<SessionEvent>& session, float* scores) const {
  std::vector<float> session_vec(weights_.config.dim, 0.0f);
  encode(session, session_vec.data());
  vitrine::score_catalog(weights_, item_vectors_.data(), session_vec.data(), session.data(), session.size(), scores,
                         kernels_->f32_dot_rows);
}

size_t Ranker::top_k(const std::vector<SessionEvent>& session, size_t k, uint32_t* items, float* scores) const {
  std::vector<float> all(size_t{weights_.config.vocab_size} + 1);
  score_catalog(session, all.data());
  // Item 0 scores -inf and so is never chosen before a real item; drop it if k reaches that far.
  const size_t count = kernels_->f32_topk(all.data(), all.size(), std::min(k, all.size() - 1), items, scores);
  return count;
}

}  // namespace vitrine
