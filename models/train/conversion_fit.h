// The conversion head (core/include/vitrine/session_model.h): its examples, its fit and its measures.
//
// An example is one showing of an item in a visit: an impression, a view or a click of item j at event t of the
// visit (events of earlier visits are input only). Its labels say whether the shopper adds j to the cart, and
// whether they buy j, at an event after t in the same visit; its input is every event before t. That is what a
// page asks when it shows j: given what this shopper did so far, will they cart it, will they buy it. A log without
// impressions gives only views and clicks as showings.
//
// The head is fitted after the encoder, which stays fixed: a logistic regression per output on
// conversion_features(), by Newton's method with an L2 penalty chosen on the validation split's log loss. The two
// baselines that `vitrine eval` reports (the item's own rate, "already in cart") compete on that split as well,
// written in the head's own weights, so the head is never worse than either there. The item
// priors in the features (item_conversion) come from the training examples, each example's own labels left out, so
// the fit cannot learn to trust a prior that saw the answer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "train_run.h"
#include "vitrine/ranker.h"
#include "vitrine/session_model.h"

namespace vitrine::train {

struct ConversionExample {
  uint32_t session = 0;   // index into the sessions it was made from
  uint32_t position = 0;  // the showing: event `position` of the session; the input is events [0, position)
  uint32_t item = 0;
  bool carted = false;  // added to the cart after the showing, in the same visit
  bool bought = false;  // bought after the showing, in the same visit
};

// Every showing in `sessions`, in order. When there are more than max_examples, an evenly spaced subset of
// max_examples of them (deterministic).
std::vector<ConversionExample> conversion_examples(const std::vector<EventSession>& sessions, size_t max_examples);

// How often each item was shown, carted and bought in `examples` (index = item, 0 = all items together).
struct ConversionCounts {
  std::vector<double> shown, carted, bought;
};
ConversionCounts count_conversions(const std::vector<ConversionExample>& examples, uint32_t vocab_size);

// Smoothed log-odds of `positives` out of `shown` toward the overall rate (rate in (0, 1)).
float prior_log_odds(double positives, double shown, double rate);

// The item_conversion table ([V+1][2], row 0 the overall rates) from the counts.
std::vector<float> item_conversion_table(const ConversionCounts& counts);

// Area under the ROC curve (ties count one half) and mean log loss of probabilities. NaN when the labels are all
// one class (AUC) or there are none.
double roc_auc(const std::vector<float>& scores, const std::vector<uint8_t>& labels);
double mean_log_loss(const std::vector<float>& probabilities, const std::vector<uint8_t>& labels);

// "Already in cart": whether example `e`'s item was added to the cart earlier in the same visit.
bool in_cart_before(const std::vector<EventSession>& sessions, const ConversionExample& e);

struct ConversionFitOptions {
  // Per split. Enough for a logistic fit of ~80 weights (a 2% purchase rate still gives 1,200 positives); memory and
  // time grow with it (examples x features doubles; the fit is ~10 Newton solves over them).
  size_t max_examples = 60'000;
  uint32_t min_positives = 10;  // an output is fitted only with at least this many positives and negatives
  uint32_t threads = 0;         // 0 = all cores
};

// Fits the head on `train` and chooses its penalty on `valid` (which may be empty: a middle penalty then), with the
// encoder of `weights` fixed. Sets config.cart_head / purchase_head and the head's tensors; an output without enough
// positives is not fitted. Returns what the training metadata records: per output, the examples, positives, the
// penalty and the validation AUC and log loss beside the item-prior baseline. `weights` without any fitted output
// keeps no head.
nlohmann::json fit_conversion_head(SessionModelWeights& weights, const std::vector<EventSession>& train,
                                   const std::vector<EventSession>& valid, const ConversionFitOptions& options);

// What `vitrine eval --events` reports of a model's conversion head on a test log: for each output the model has,
// AUC and log loss over every showing in `test` (at most max_examples, evenly spaced), beside two baselines fitted
// on `train`: the item's own rate (as item_conversion smooths it) and "already in cart" (the rate of showings with
// and without the item in the cart earlier in the visit). Null when the model has no head.
//   {"examples", "add_to_cart": {"positives", "model": {"auc", "log_loss"}, "item_rate": {...}, "in_cart": {...}},
//    "purchase": {...}}
nlohmann::ordered_json evaluate_conversion(const Ranker& ranker, const std::vector<EventSession>& train,
                                           const std::vector<EventSession>& test, size_t max_examples = 500'000);

}  // namespace vitrine::train
