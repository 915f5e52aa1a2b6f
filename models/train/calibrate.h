// Fits the scorer's few linear terms on held-out sessions, the encoder and item vectors fixed.
//
// Why: trained on a small or repeat-heavy log, the item embeddings fit the training sessions far better than new
// ones, and the softmax trusts the similarity term more than it deserves; the repeat terms (a few scalars) are
// still moving when the data is used up. Every logit of the scorer is linear in
//
//   lambda   (multiplies tau: how far to trust similarity)     mu  (multiplies the item prior)
//   repeat_bonus[L], repeat_count[C], repeat_kind[K]
//
// so the cross-entropy on held-out examples is convex in them and a short full-batch fit finds the trade-off the
// held-out data supports: near S-POP (counts, then popularity) where shoppers come back to items, near the trained
// model where they do not. The result is written back into the weights (temperature, item_bias, repeat tensors):
// the browser runs the same scorer with the fitted values, no new code path.
#pragma once

#include <cstdint>

#include "session_trainer.h"

namespace vitrine::train {

struct CalibrationOptions {
  uint32_t max_examples = 4096;  // a fixed, evenly spaced subsample of the held-out examples keeps it fast
  uint32_t iterations = 150;     // full-batch Adam steps
  float learning_rate = 0.05f;
  uint32_t threads = 0;
};

struct CalibrationResult {
  double loss_before = 0.0;  // mean held-out cross-entropy before and after
  double loss_after = 0.0;
  float similarity_scale = 1.0f;  // lambda
  float prior_scale = 1.0f;       // mu (1 without an item prior)
  size_t examples = 0;
};

// Fits and writes back the terms above. Does nothing (returns examples = 0) without held-out examples.
CalibrationResult calibrate_scorer(SessionModelWeights& weights, const ExampleSet& held_out,
                                   const CalibrationOptions& options);

// Sets the scorer of `weights` to S-POP's order in the model's own terms: items of the encoder's window by how
// often they occur (up to repeat_counts), then every item by `popularity` (occurrences per item, [V+1]; ties go to
// the smaller id), similarity only as a last tie-break. The trainer offers it as one candidate scorer to its validation
// split, so that where counting is what works (a small log, shoppers who keep coming back), the model falls back on it
// instead of below it. Needs config.repeat_counts > 0 and config.item_bias.
void use_session_popularity_scorer(SessionModelWeights& weights, const std::vector<double>& popularity);

}  // namespace vitrine::train
