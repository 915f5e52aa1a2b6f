// The on-device ranker: a loaded session model plus what one ranking request needs.
//
// One request runs event -> profile -> features -> model -> scores:
//   1. the shopper's events become the session model's input (products the model knows, in time order) and the
//      profile (category, brand and price affinities with time decay; the session's intent);
//   2. each candidate gets  model score  tau * s . n_c + repeat(c)       (collaborative + content item tower)
//                         + profile score w_cat * affinity(category) + w_brand * affinity(brand)
//                                         + w_price * price_fit(price)
//                       + merchant      blend * shop(c) + boost(c)
//      where shop(c) = -ln(1 + the shop's position of c): the shop's own order as a log prior that falls off like
//      the attention a listing position gets, so the shop's top items keep an edge the shopper's signals must
//      overcome. blend comes with the request: the page may set it, and sets more on search pages, where the
//      query's relevance must dominate; otherwise it is the model's own (default_blend: config.blend, which
//      `vitrine train` learns from a log's impressions with positions, models/train/blend_fit.h, or else
//      kDefaultBlend); boost is the merchant's boost or bury of one product;
//      with rank_by "conversion" the shopper's terms (model and profile) give way to ln p(c), the conversion head's
//      probability that this shopper buys c in this visit (adds it to the cart, for a model fitted on carts only);
//      "value" adds ln price(c), so the order is by expected revenue (a candidate without a price takes the
//      listing's median price). Both need a model with the head (session_model.h); the shop's order, boosts and
//      steps 3 and 4 apply as for relevance;
//   3. a product the shopper has bought exactly once goes after every candidate they have not bought (ties keep
//      the shop's order): on real logs shoppers look at what they bought again and again (46% of the events after a
//      purchase in the REES46 sample), which a next-item model learns as a reason to lift it, but rarely buy it
//      again (2.8% of its purchases, 0.2% of Taobao's). Bought twice or more, it is a staple and ranks as usual.
//      Complements keep their lift: the session term of other products is unchanged (docs/QUALITY.md). A product
//      marked unavailable (out of stock) goes after every available one, bought or not;
//   4. the explanation of a candidate lists these terms, strongest first, with the evidence behind each.
// A product the model has never seen still gets a vector from its category and brand when the model has content
// tables (cold start), and always gets the profile score.
//
// The same class serves the browser (through wasm/vitrine_api.h) and the native evaluator, so they cannot drift.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vitrine/item_codes.h"
#include "vitrine/kernels.h"
#include "vitrine/model_file.h"
#include "vitrine/session_model.h"
#include "vitrine/session_model_io.h"
#include "vitrine/shopper.h"
#include "vitrine/status.h"

namespace vitrine {

// Purchases of one product after which it is a staple the shopper buys again, ranked like any other (step 3 above).
constexpr uint32_t kStaplePurchases = 2;
// Weight of the shop's order (step 2) when the request does not set one. At 1, the shop's first product starts
// ln 2 = 0.69 above its second and ln 10 = 2.3 above its tenth: about what one category the shopper favours adds
// (ProfileWeights::category times a share of their interest), so a clear personal signal moves a product up a few
// places and a weak one does not. js/src/config.mjs passes the same default (tests/js/blend.test.mjs checks it).
constexpr float kDefaultBlend = 1.0f;

// Weights of the profile terms; model files may set them in config.profile_weights.
struct ProfileWeights {
  float category = 2.0f;
  float brand = 1.0f;
  float price = 1.0f;
};

struct ExplanationFactor {
  std::string kind;  // "session", "repeat", "popular" (the item prior, relative to the listing), "conversion" (ln p,
                     // relative to the listing; probability = p), "category",
                     // "brand", "price", "bought" (the drop below the products not bought; events = purchases),
                     // "shop" (the shop's order, relative to the listing), "boost" (the merchant's), "unavailable"
  std::string name;  // the category or brand; for "session", the recent product it is most like
  float contribution = 0.0f;
  uint32_t events = 0;        // how many of the shopper's events back this factor ("repeat": in this visit only)
  float probability = -1.0f;  // "conversion": the probability ranked by; negative for every other kind
};

struct Explanation {
  float score = 0.0f;
  std::vector<ExplanationFactor> factors;  // strongest contribution first; only terms that are not zero
  // The conversion head's probabilities for this candidate (Ranker::rank's `conversion`); NaN without the head.
  float cart = std::numeric_limits<float>::quiet_NaN();
  float purchase = std::numeric_limits<float>::quiet_NaN();
};

class Ranker {
 public:
  Ranker() = default;
  Ranker(Ranker&&) noexcept = default;
  Ranker& operator=(Ranker&&) noexcept = default;

  // Parses and validates a model file (model_file.h), reads the session model from it and precomputes the item
  // vectors. Nothing is kept on failure.
  static Result<Ranker> load(const uint8_t* bytes, size_t size, const ModelLimits& limits = ModelLimits(),
                             const KernelTable& kernels = select_kernel_table());
  // The same from an already parsed file (the C API parses once to learn the model kind).
  static Result<Ranker> from_file(ModelFile file, const KernelTable& kernels = select_kernel_table());

  const SessionModelWeights& weights() const { return weights_; }
  // Product ids; vocabulary()[k] is model item k+1. With coded items, the products given to add_items().
  const std::vector<std::string_view>& vocabulary() const {
    return weights_.config.coded_items() ? coded_vocabulary_ : file_.vocabulary();
  }
  // A model with coded items (config.item_subspaces, item_codes.h) holds no catalog: it knows the products it is
  // given here, each id with its code (`vitrine export-codes`), as items vocabulary_size + 1, ... in the order
  // given. An id it knows already keeps its first code. BAD_INPUT naming the product for an empty id or a code
  // this model cannot read (another model's, cut short, not base64url), and LIMIT_EXCEEDED past kMaxCodedItems;
  // then nothing is added. INVALID_ARGUMENT for a model with its own item table.
  Status add_items(const std::vector<std::string>& ids, const std::vector<std::string>& codes);
  static constexpr uint32_t kMaxCodedItems = 4'000'000;
  // With coded items, the model's codebook (item_codes.h); empty otherwise.
  const ItemQuantizer& quantizer() const { return quantizer_; }
  // Model item of a product id, 0 if unknown.
  uint32_t item_of(std::string_view product_id) const;
  // The weight of the shop's order for a request that sets none: the model file's config.blend, else kDefaultBlend.
  float default_blend() const { return default_blend_; }
  // {"kind", "vocab_size", "dim", "max_length", "blend", "content": [...], "kernels", "file_bytes", "training"}, and
  // "item_subspaces" for a model whose items come as codes (vocab_size then counts the products it was given)
  std::string info_json() const;

  // The encoder input for these events at time now_ms: known products, oldest first (events are sorted by time,
  // stable). Events before the current visit are marked earlier_visit. The current visit is the events after the
  // last gap of more than config.visit_gap_minutes between two events (searches and category visits count as
  // activity), and is empty when the newest event is older than that gap.
  std::vector<SessionEvent> session_events(const std::vector<ShopperEvent>& events, double now_ms) const;
  // The session vector of `session` (dim floats into session_vec); with `tape`, also what the encoder read (the
  // items, kind rows and positions of its window). rank() and score_catalog() encode through this.
  void encode(const std::vector<SessionEvent>& session, float* session_vec, SessionTape* tape = nullptr) const;

  // Scores request.candidates into `scores` (one float each). With `explanations`, also fills one explanation
  // per candidate. With `conversion` (2n floats), also the conversion head's probabilities: [0, n) that each
  // candidate is added to the cart in this visit, [n, 2n) that it is bought; NaN for an output the model lacks.
  // Candidates may repeat and may be unknown to the model. rank_by other than relevance on a model without the
  // head fails with BAD_INPUT. With coded items, the request's products that carry a code (events' and candidates'
  // `code`) are known for this request only, as if given to add_items(); a code the model cannot read (another
  // model's, say, after the shop moved to a new one) leaves its product unknown, ranked by its content.
  Status rank(const RankRequest& request, float* scores, std::vector<Explanation>* explanations = nullptr,
              float* conversion = nullptr) const;

  // The best k of request.candidates by rank()'s score (the request's blend and rank_by apply), best first, ties to
  // the lower index, a score of -infinity never chosen: writes candidate indexes and scores (room for k each) and
  // returns how many. The catalog-wide top-K of a coded model ranks the candidates of an index's shards this way.
  Result<size_t> top_candidates(const RankRequest& request, size_t k, uint32_t* out_index, float* out_score) const;
  // The session vector (dim floats) of the request's events, coded products read from their codes as in rank().
  void session_vector(const RankRequest& request, float* out) const;

  // The conversion head's probabilities for model items (no content-only vectors) after `session`: cart[i] and
  // purchase[i] for items[i] (NaN for an output the model lacks). What `vitrine eval` measures. Needs the head.
  void conversion(const std::vector<SessionEvent>& session, const uint32_t* items, size_t n, float* cart,
                  float* purchase) const;

  // The model's score for every catalog item (V+1 floats, item 0 = -inf): tau * s . n_j + repeat(j). The profile
  // terms are not included: this is what the offline evaluation measures.
  void score_catalog(const std::vector<SessionEvent>& session, float* scores) const;

  // Best k catalog items for a session: model items (1..V) and their scores, best first; returns the count.
  size_t top_k(const std::vector<SessionEvent>& session, size_t k, uint32_t* items, float* scores) const;

 private:
  // rank() once the request's products with codes are known.
  Status rank_known(const RankRequest& request, float* scores, std::vector<Explanation>* explanations,
                    float* conversion) const;
  // A copy of this ranker without the model file's bytes (it keeps what ranking reads), for one request's items.
  Ranker scratch_copy() const;
  // With coded items: a scratch copy that also knows the request's products that carry a code it can read (the
  // events', and the candidates' with `candidates`); none when there are no such products.
  std::optional<Ranker> with_request_codes(const RankRequest& request, bool candidates) const;
  // Vector of a product: its model row if known, else from content (may be all zeros). Writes dim floats.
  void candidate_vector(const Candidate& candidate, uint32_t item, float* out) const;
  // The conversion head over `rows` candidates whose vectors (dim floats each) are `vectors` and model items `items`:
  // cart[r] and purchase[r]. rank() and conversion() both score through this. Needs has_conversion_head().
  void head_probabilities(const ConversionContext& context, const float* session_vec, const float* vectors,
                          const uint32_t* items, size_t rows, float* cart, float* purchase) const;
  // Step 3 of the header: bought-once products drop strictly below every other finite score; adds their "bought"
  // factor. Then unavailable products drop below every available one ("unavailable").
  void sink_bought_items(const RankRequest& request, float* scores, std::vector<Explanation>* explanations) const;
  void sink_unavailable_items(const RankRequest& request, float* scores, std::vector<Explanation>* explanations) const;

  ModelFile file_;
  SessionModelWeights weights_;
  SessionModelContent content_;
  ProfileWeights profile_weights_;
  float default_blend_ = kDefaultBlend;
  std::vector<float> item_vectors_;  // [V+1][d], unit rows
  // With coded items: the codebook, and the products given so far (ids owned here; the index views them).
  ItemQuantizer quantizer_;
  uint16_t code_tag_ = 0;
  // The index owns the ids (its keys stay where they are as it grows); the vocabulary views them in item order.
  // Containers the engine instantiates anyway: each new kind of hash table costs the shipped wasm kilobytes.
  std::unordered_map<std::string, uint32_t> coded_index_;
  std::vector<std::string_view> coded_vocabulary_;
  std::unordered_map<std::string, uint32_t> category_index_, brand_index_;
  const KernelTable* kernels_ = nullptr;
};

}  // namespace vitrine
