// The session model (kind "session_attn"): one definition shared by the trainer, the evaluator and the browser.
//
//   item tower    v_i = E[i] + C[cat(i)] + B[brand(i)] + P[band(i)]   (content terms only where configured)
//                       + img_i W_img                                  (img: a fixed photo embedding per item)
//                 n_i = v_i / |v_i|                                    (item 0 is padding: n_0 = 0)
//   encoder       x_t = n[s_t] + pos[r_t] + kind[row(k_t)]             r_t = reverse position, clipped to L-1;
//                       (+ visit  if event t is from an earlier visit)  row(k) = kind_inputs[k], events of kinds
//                                                                      without a row are left out; visit only
//                                                                      with config.visit_inputs
//                 a_t = q . sigmoid(x_last W1 + x_t W2 + b_att)        soft attention, last event as query
//                 g = sum_t a_t x_t ;  s = norm([g, x_last] W3 + b_out)
//   scorer        score_j = tau * s . n_j + bias[j] + repeat(j)
//                 repeat(j) = recency[r_last(j)] + count[min(c_j, C) - 1] + sum over kinds k seen with j of kind[k]
//                             for items j in the encoder's window (0 otherwise): when people come back to items,
//                             how recently, how often and how (viewed, carted, bought) decide more than similarity.
//                 bias[j]     a learned per-item prior, started from the training data's log popularity.
//   conversion    p_h(j) = sigmoid(conv_b[h] + conv_w[h] . f(j))      h = 0: adds j to the cart, 1: buys j, later in
//   (optional)    f(j) = [s . n_j, item priors, window counts, ...,    this visit, given that j is shown now
//                         s * n_j]                                      (conversion_features() lists f)
//                 A logistic head on the encoder's output, fitted after the encoder on a log's carts and purchases
//                 (models/train/conversion_fit.h); only models trained on such logs have it.
//
// Matrices are row-major with the input dimension first: W1, W2 are [d][d], W3 is [2d][d], so y = x W.
// Forward code lives here; the trainer (models/train) adds the backward pass on top of the tape that
// encode_session() can record, so training and serving cannot drift.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "vitrine/event_kinds.h"
#include "vitrine/kernels.h"
#include "vitrine/status.h"

namespace vitrine {

struct SessionModelConfig {
  uint32_t vocab_size = 0;  // item ids 1..vocab_size; row 0 of the item table is padding
  // 0: the item table is in the model. M > 0: the model holds the encoder and a codebook of M subspaces
  // (item_codes.h); items arrive as codes, so the file's vocab_size is 0 and grows as the ranker is given items.
  // The item-indexed tables the codes replace (item_emb, item_image, the content ids) are then absent.
  uint32_t item_subspaces = 0;
  uint32_t dim = 64;                              // embedding width d
  uint32_t max_length = 20;                       // L: events the encoder looks at (the most recent ones)
  uint32_t num_kinds = VITRINE_EVENT_KIND_COUNT;  // rows of kind_emb (event_kinds.h)
  uint32_t num_categories = 0;                    // 0 = no category feature; ids 1..num_categories, 0 = unknown
  uint32_t num_brands = 0;                        // 0 = no brand feature
  uint32_t num_price_bands = 0;                   // 0 = no price feature
  uint32_t image_dim = 0;     // m, width of the fixed per-item image embeddings; 0 = no image feature
  float temperature = 12.0f;  // tau: scale of the cosine scores
  // The repeat and prior terms of the scorer. Files written before they existed have none of them.
  uint32_t repeat_counts = 0;  // C: bonus by how often an item occurs in the window (1..C, more counts as C); 0 = none
  bool repeat_kinds = false;   // a bonus per encoder kind row an item was seen with in the window (num_kinds <= 32)
  bool item_bias = false;      // a learned bias per item; row 0 is the bias of an item the model does not know
  // Encoder row of each event kind (index = kind code of event_kinds.h, value = row of kind_emb, -1 = events of
  // that kind are left out of the model's input). Kinds past the end are left out. Empty means the mapping of
  // files written before it existed: views, clicks, add-to-carts and purchases read row 0 (the view row those
  // models were trained on); searches, category visits and impressions are left out.
  std::vector<int32_t> kind_inputs;
  // Visits. With visit_inputs the encoder adds visit_emb to the input of every event from an earlier visit than
  // the one being predicted: trained on visitors' histories, served on all of a shopper's stored events. A visit
  // ends after visit_gap_minutes without an event (the ranker splits stored events by it; explanations say "this
  // visit" only of events after the last such gap). Files without them have no visit input.
  bool visit_inputs = false;
  uint32_t visit_gap_minutes = 30;
  // The conversion head (header comment): which of its two outputs were fitted. Either one brings conversion_w,
  // conversion_b and item_conversion; an output that was not fitted (no such events in the log) has zero weights
  // and is never served.
  bool cart_head = false;
  bool purchase_head = false;

  bool has_conversion_head() const { return cart_head || purchase_head; }
  bool coded_items() const { return item_subspaces > 0; }

  // The kind_emb row the encoder uses for events of `kind`, or -1 if such events are left out.
  int32_t kind_row(uint32_t kind) const;
  Status validate() const;
};

// The shape of one tensor of a session model, as its config implies it: `rows` x `cols`, or a vector of `rows`
// values when `cols` is 0. `rows` 0: the config leaves the tensor out.
struct SessionTensorShape {
  const char* name;
  size_t rows = 0;
  size_t cols = 0;
  bool ids = false;  // int32 ids into a content table (item_category, ...), not floats

  bool present() const { return rows > 0; }
  size_t size() const { return rows * (cols == 0 ? 1 : cols); }
};

// Every tensor of a session model and its shape: the one table that allocates the weights
// (SessionModelWeights::zeros, and so the trainer's gradients and optimizer state), checks them (validate()), and
// reads and writes them in model files (session_model_io.cc).
std::vector<SessionTensorShape> session_tensor_shapes(const SessionModelConfig& config);

// All parameters, as f32 in memory. Tensor names in model files match the member names.
struct SessionModelWeights {
  SessionModelConfig config;
  std::vector<float> item_emb;           // [V+1][d]
  std::vector<float> category_emb;       // [C+1][d] or empty
  std::vector<float> brand_emb;          // [B+1][d] or empty
  std::vector<float> price_band_emb;     // [P+1][d] or empty
  std::vector<float> image_proj;         // [m][d] or empty: W_img, projects an item's image embedding
  std::vector<int32_t> item_category;    // [V+1] or empty
  std::vector<int32_t> item_brand;       // [V+1] or empty
  std::vector<int32_t> item_price_band;  // [V+1] or empty
  std::vector<float> item_image;         // [V+1][m] or empty: fixed input (not trained), row 0 and unknown = 0
  std::vector<float> pos_emb;            // [L][d]
  std::vector<float> kind_emb;           // [K][d]
  std::vector<float> att_w1;             // [d][d]
  std::vector<float> att_w2;             // [d][d]
  std::vector<float> att_b;              // [d]
  std::vector<float> att_q;              // [d]
  std::vector<float> out_w;              // [2d][d]
  std::vector<float> out_b;              // [d]
  std::vector<float> repeat_bonus;       // [L] by reverse position of the item's most recent occurrence
  std::vector<float> repeat_count;       // [C] or empty
  std::vector<float> repeat_kind;        // [K] or empty
  std::vector<float> item_bias;          // [V+1] or empty
  std::vector<float> visit_emb;          // [d] with visit_inputs, else empty
  // The conversion head. Fitted after the encoder, not by its optimizer, so not in for_each_param().
  std::vector<float> conversion_w;     // [2][F] (F = conversion_feature_count()), or empty
  std::vector<float> conversion_b;     // [2] or empty
  std::vector<float> item_conversion;  // [V+1][2] smoothed log-odds of cart, purchase per showing; row 0: all items
  std::vector<float> item_codebook;    // [M * 256][d / M] with config.item_subspaces = M, else empty (item_codes.h)

  // Calls fn(name, tensor) for every trainable f32 tensor, in a fixed order. The trainer uses it for gradients
  // and optimizer state, the model file reader and writer for tensors: one list of parameters.
  template <class Fn>
  void for_each_param(Fn&& fn) {
    visit_params(*this, fn);
  }
  template <class Fn>
  void for_each_param(Fn&& fn) const {
    visit_params(*this, fn);
  }

  // Calls fn(name, tensor) for every f32 tensor: the trainable ones (for_each_param), then the fixed image
  // embeddings and the conversion head.
  template <class Fn>
  void for_each_float_tensor(Fn&& fn) {
    visit_float_tensors(*this, fn);
  }
  template <class Fn>
  void for_each_float_tensor(Fn&& fn) const {
    visit_float_tensors(*this, fn);
  }
  // The int32 id tensor of that name (item_category, item_brand, item_price_band), or null.
  std::vector<int32_t>* id_tensor(const char* name);
  const std::vector<int32_t>* id_tensor(const char* name) const;

  // Allocates every tensor to its configured shape (session_tensor_shapes()), zero-filled.
  static Result<SessionModelWeights> zeros(const SessionModelConfig& config);
  // Checks every tensor's size against the config and every content id against its table.
  Status validate() const;

 private:
  template <class Self, class Fn>
  static void visit_float_tensors(Self& w, Fn& fn) {
    visit_params(w, fn);
    fn("item_image", w.item_image);
    fn("conversion_w", w.conversion_w);
    fn("conversion_b", w.conversion_b);
    fn("item_conversion", w.item_conversion);
    fn("item_codebook", w.item_codebook);
  }
  template <class Self, class Fn>
  static void visit_params(Self& w, Fn& fn) {
    fn("item_emb", w.item_emb);
    fn("category_emb", w.category_emb);
    fn("brand_emb", w.brand_emb);
    fn("price_band_emb", w.price_band_emb);
    fn("image_proj", w.image_proj);
    fn("pos_emb", w.pos_emb);
    fn("kind_emb", w.kind_emb);
    fn("att_w1", w.att_w1);
    fn("att_w2", w.att_w2);
    fn("att_b", w.att_b);
    fn("att_q", w.att_q);
    fn("out_w", w.out_w);
    fn("out_b", w.out_b);
    fn("repeat_bonus", w.repeat_bonus);
    fn("repeat_count", w.repeat_count);
    fn("repeat_kind", w.repeat_kind);
    fn("item_bias", w.item_bias);
    fn("visit_emb", w.visit_emb);
  }
};

// One event of the encoder's input: an item (0 = none/unknown), its kind, and whether it is from an earlier visit
// than the one being predicted (read only with config.visit_inputs).
struct SessionEvent {
  uint32_t item = 0;
  uint8_t kind = 0;
  uint8_t earlier_visit = 0;
};

// Intermediates of one encode_session() call, kept for the backward pass. Sized by the call.
struct SessionTape {
  uint32_t length = 0;              // events used (<= L)
  std::vector<uint32_t> items;      // [n]
  std::vector<uint32_t> positions;  // [n] reverse positions
  std::vector<uint8_t> kinds;       // [n] kind rows
  std::vector<uint8_t> earlier;     // [n] 1 for events of an earlier visit
  std::vector<float> x;             // [n][d] encoder inputs
  std::vector<float> gate;          // [n][d] sigmoid outputs
  std::vector<float> alpha;         // [n]
  std::vector<float> concat;        // [2d] = [g, x_last]
  std::vector<float> raw;           // [d] before normalization
  float raw_norm = 0.0f;
};

// Item vectors n_i for the whole catalog: [V+1][d], row 0 zero. norms_out (optional) gets |v_i|.
void compute_item_vectors(const SessionModelWeights& weights, std::vector<float>& vectors,
                          std::vector<float>* norms_out = nullptr);

// The per-item scalars an item's code carries besides its vector (item_codes.h), in this order: item_bias[i] (with
// config.item_bias), then item_conversion[i]'s cart and purchase rates (with the conversion head).
size_t item_code_extras(const SessionModelConfig& config);
// Those scalars of model item i (0..vocab_size) into `out` (item_code_extras() floats).
void item_code_extra_values(const SessionModelWeights& weights, uint32_t item, float* out);

// Encodes the most recent max_length events into the unit session vector `out` (d floats).
// `item_vectors` is the output of compute_item_vectors(). Events with item 0 or out-of-range ids are skipped;
// with no usable event the session vector is all zeros. If `tape` is non-null it records the intermediates.
void encode_session(const SessionModelWeights& weights, const float* item_vectors, const SessionEvent* events,
                    size_t n_events, float* out, SessionTape* tape = nullptr);

// The attention gates' sigmoid, 1 / (1 + e^-x), within 3e-7 relative of it down to x = -85 (below 1.3e-37 past
// that, where float runs out of normal numbers) and written so that
// compilers vectorize a loop of it: std::exp is a library call per element, which kept the gate loop scalar and cost
// about a tenth of training time. e^-x is Cody-Waite range reduction (-x = n ln 2 + r, |r| <= ln 2 / 2), Cephes'
// degree-6 polynomial for e^r, and 2^n put straight into the exponent bits; x is clamped so 2^n stays normal
// (the sigmoid is within float rounding of 0 or 1 there). A NaN x (finite but huge weights overflow to inf - inf)
// clamps to t = 87, a gate of about 0, rather than reaching the int cast: the operand order of min and max does it.
// tests/core/session_model_scorer_test.cc checks the bound and the NaN.
inline float gate_sigmoid(float x) {
  const float t = std::max(-87.0f, std::min(87.0f, -x));
  const float n = std::floor(t * 1.44269504088896341f + 0.5f);
  const float r = (t - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e_r = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float two_n;
  std::memcpy(&two_n, &bits, sizeof two_n);
  return 1.0f / (1.0f + e_r * two_n);
}

// a . b, summed in 8 interleaved partial sums that compilers keep in vector registers (a single running sum is a
// chain of dependent adds, a few cycles each, that no compiler may reorder on its own). The encoder's per-event
// dot products use it, in the trainer and the browser alike.
inline float dot_lanes(const float* a, const float* b, size_t n) {
  float lane[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t k = 0; k < 8; ++k) lane[k] += a[i + k] * b[i + k];
  float sum = ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// encode_session() in its two halves, for a caller that computes the gate projections x_t W2 of many sessions as one
// matrix product (the trainer does, per batch: the rest of the encoder is a few vector operations per event).
// encoder_inputs() collects the window into `tape` (items, positions, kinds, x) and returns its length n;
// encoder_output() expects tape.gate to hold x_t W2 for t < n and finishes the session vector (and the tape).
// encode_session() is exactly encoder_inputs(), x_t W2 row by row, encoder_output().
size_t encoder_inputs(const SessionModelWeights& weights, const float* item_vectors, const SessionEvent* events,
                      size_t n_events, SessionTape& tape);
void encoder_output(const SessionModelWeights& weights, SessionTape& tape, float* out);

// What the scorer knows about an item the shopper already met in the encoder's window.
struct RepeatFeature {
  uint32_t item = 0;
  uint32_t last_position = 0;  // reverse position of its most recent occurrence (0 = the last event)
  uint32_t count = 0;          // occurrences in the window
  uint32_t kind_rows = 0;      // bit r set if it occurs with encoder kind row r (rows >= 32 are not tracked)
};

// The repeat features of every distinct item in the encoder's window, most recent first.
void session_repeat_features(const SessionModelConfig& config, const SessionEvent* events, size_t n_events,
                             std::vector<RepeatFeature>& out);

// repeat(j) of the header comment for one item of the window.
float repeat_score(const SessionModelWeights& weights, const RepeatFeature& feature);

// The repeat bonus of every distinct item in the encoder's window: (item, repeat_score). Items not in the window
// get no bonus.
void session_repeat_bonuses(const SessionModelWeights& weights, const SessionEvent* events, size_t n_events,
                            std::vector<std::pair<uint32_t, float>>& out);

// The catalog scorer's terms after the similarity, for any way of computing tau * session . n_j (one dot product
// per item here and in the engine, a batched product in the trainer): adds bias[j] (when the model has it) to every
// item and the repeat bonuses to the items of the window, and sets the padding row, item 0, to -infinity.
// `scores_by_item` is indexed by item id, V+1 floats.
void finish_catalog_scores(const SessionModelWeights& weights, const SessionEvent* events, size_t n_events,
                           float* scores_by_item);

// The scorer over the whole catalog: scores[j] = tau * session . n_j + bias[j] + repeat(j) for j in 1..V; scores[0],
// the padding row, is -infinity. `scores` holds V+1 floats. The dot products come from `dot_rows` (kernels.h): the
// scalar reference by default, the engine's table in the browser and `vitrine eval` (Ranker::score_catalog).
void score_catalog(const SessionModelWeights& weights, const float* item_vectors, const float* session_vec,
                   const SessionEvent* events, size_t n_events, float* scores,
                   F32DotRowsFn dot_rows = f32_dot_rows_scalar);

// ------------------------------------------------------------------------------------------------ conversion head

// Output rows of the conversion head.
enum ConversionOutput : uint32_t { kCartOutput = 0, kPurchaseOutput = 1, kConversionOutputs = 2 };

// The scalar features at the start of f(j); the encoder's elementwise product s * n_j (d values) follows them.
//   0 s . n_j                      the encoder's similarity of the shopper to the item (0 for an unknown item)
//   1 item_conversion[j][cart]     how often the item is carted when shown, smoothed log-odds (row 0 if unknown)
//   2 item_conversion[j][purchase]
//   3 known                        1 if the model knows the item
//   4 log(1 + events on j this visit)       counts over the conversion window: the last max_length view, click,
//   5 log(1 + events on j, earlier visits)  add-to-cart and purchase events on known items (impressions are not
//   6 exp(-r/4), r = reverse position of j's last event in the window (0 if absent)      looking at an item)
//   7 j added to the cart this visit   8 j bought this visit  (both over the whole visit, not only the window)
//   9 j carted or bought in an earlier visit (window)        10 log(1 + add-to-carts this visit, any item)
//  11 log(1 + window events this visit)
inline constexpr uint32_t kConversionScalarFeatures = 12;
inline uint32_t conversion_feature_count(const SessionModelConfig& config) {
  return kConversionScalarFeatures + config.dim;
}

// What the conversion features need from one shopper's events, gathered once per request.
struct ConversionContext {
  struct Seen {
    uint32_t item = 0;
    uint32_t events_this_visit_of_item = 0, events_earlier = 0;
    bool in_window = false;      // false: only a cart or purchase of this visit older than the window
    uint32_t last_position = 0;  // in the window
    bool carted = false, bought = false, converted_earlier = false;
  };
  std::vector<Seen> items;  // distinct items of the window
  uint32_t carts_this_visit = 0;
  uint32_t events_this_visit = 0;
};

// Builds the context of `events` (oldest first, as for encode_session()).
void conversion_context(const SessionModelConfig& config, const SessionEvent* events, size_t n_events,
                        ConversionContext& out);

// f(j) into `features` (conversion_feature_count() floats). `session_vec` is encode_session()'s output for the same
// events, `item_vector` the item's unit vector (compute_item_vectors(), or a content-only vector for an item the
// model does not know, item = 0).
void conversion_features(const SessionModelWeights& weights, const ConversionContext& context, const float* session_vec,
                         const float* item_vector, uint32_t item, float* features);

// The head's two probabilities for one feature row: out[kCartOutput], out[kPurchaseOutput]. An output the model was
// not fitted for is NaN. Needs config.has_conversion_head().
void conversion_probabilities(const SessionModelWeights& weights, const float* features, float* out);

}  // namespace vitrine
