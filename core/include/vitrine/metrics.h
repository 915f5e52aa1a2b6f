// Ranking metrics for next-item prediction with a single target, as the session-recommendation literature
// (GRU4Rec, SR-GNN, GCE-GNN) defines them. Shared by `vitrine eval` and the browser's evaluation lab.
//
// Every example has one target item ranked among all candidates (full ranking over the catalog):
//   HR@K   (SR-GNN's "P@20", equal to Recall@K for one target)  1 if rank <= K, else 0
//   MRR@K                                                       1/rank if rank <= K, else 0
//   NDCG@K (single target, ideal DCG = 1)                       1/log2(rank + 1) if rank <= K, else 0
// each averaged over the examples.
//
// Ties: rank = 1 + (number of candidates whose score is strictly higher than the target's). This is optimistic
// when the target ties with other candidates, so scorers should break ties themselves with a rule that does not
// look at the target (the baselines in models/eval do, and produce no ties at all). The accumulator counts the
// examples where the target was tied, so a report can show when the rule mattered. A NaN target score ranks last
// (behind every candidate), so a broken scorer can never look good; NaN scores of other candidates count as
// not higher.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vitrine/status.h"

namespace vitrine {

// The cutoffs every report shows.
inline constexpr int kReportCutoffs[] = {5, 10, 20};

struct TargetRank {
  int64_t rank = 0;  // 1-based, strictly-higher rule
  int64_t tied = 0;  // other candidates with exactly the target's score
};

// Rank of scores[target] among scores[0..count). INVALID_ARGUMENT when target >= count or scores is null.
Result<TargetRank> rank_of_target(const float* scores, size_t count, size_t target);

struct MetricValues {
  int k = 0;
  double hit_rate = 0;  // fractions in [0, 1], not percent
  double mrr = 0;
  double ndcg = 0;
};

// Collects ranks one example at a time and reports the metrics at any cutoff up to max_cutoff.
// It keeps a histogram of ranks 1..max_cutoff plus a count of the rest, so merging accumulators filled by
// different threads gives bit-identical results whatever the split.
class MetricAccumulator {
 public:
  // max_cutoff below 1 is taken as 1.
  explicit MetricAccumulator(int max_cutoff = 20);

  // INVALID_ARGUMENT for rank < 1 or tied < 0.
  Status add_rank(int64_t rank, int64_t tied = 0);
  Status add(const TargetRank& r) { return add_rank(r.rank, r.tied); }
  // Ranks scores[target] among scores[0..count) and adds it.
  Status add_scores(const float* scores, size_t count, size_t target);
  // INVALID_ARGUMENT when the two were built with different max_cutoff.
  Status merge(const MetricAccumulator& other);

  int max_cutoff() const { return max_cutoff_; }
  int64_t count() const { return count_; }
  int64_t tied_examples() const { return tied_examples_; }
  // All zero when no example was added. INVALID_ARGUMENT for k outside 1..max_cutoff.
  Result<MetricValues> at(int k) const;
  // The metrics at kReportCutoffs that are <= max_cutoff.
  std::vector<MetricValues> report() const;

 private:
  int max_cutoff_;
  std::vector<int64_t> rank_counts_;  // [r - 1] = examples with rank r, r in 1..max_cutoff
  int64_t count_ = 0;
  int64_t tied_examples_ = 0;
};

}  // namespace vitrine
