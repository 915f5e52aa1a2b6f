// What `vitrine eval` ranks with: one interface for the baselines (baselines.h) and the trained session model
// (model_scorer.h).
#pragma once

#include <string>
#include <vector>

#include "vitrine/metrics.h"
#include "vitrine/session_data.h"
#include "vitrine/status.h"

namespace vitrine::eval {

// Scores the whole catalog (ids 1..catalog_size) for a session prefix. Implementations must be safe to call
// from several threads at once: the evaluator shares one scorer between its workers.
class SessionScorer {
 public:
  virtual ~SessionScorer() = default;

  // Shown in tables and reports ("POP", "Markov-1", the model file's name).
  virtual std::string name() const = 0;
  virtual ItemId catalog_size() const = 0;

  // Writes scores[0..catalog_size]; higher is better, scores[0] (padding) is never a candidate.
  // Break ties without looking at any target: the metrics count only strictly higher scores.
  virtual Status score(const std::vector<ItemId>& prefix, float* scores) const = 0;

  // Rank of `label` among items 1..catalog_size (metrics.h rule). `scratch` holds catalog_size + 1 floats.
  // The default scores the catalog and counts; sparse scorers override it with something faster that must
  // agree with score() exactly (the tests check that).
  virtual Result<TargetRank> rank(const std::vector<ItemId>& prefix, ItemId label, float* scratch) const;

  // What the evaluator calls. The default ranks the example's interactions (views, clicks, carts, purchases: its
  // prefix without impressions) with rank(); a scorer that reads event kinds, as the model does, overrides it to
  // see the whole prefix with its kinds.
  virtual Result<TargetRank> rank_example(const SessionExample& example, float* scratch) const;
};

}  // namespace vitrine::eval
