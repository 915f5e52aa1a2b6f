// Non-learned baselines of the session-recommendation literature, evaluated in the same run as the model.
//
// All of them rank a small, prefix-dependent candidate set first by a primary value, then every other item by
// global popularity:
//   POP       no candidates: items by how often they occur in the training sessions.
//   S-POP     candidates are the prefix's items, valued by how often each occurs in the prefix.
//   Markov-1  candidates are the items that followed the prefix's last item in training, valued by how often
//             (every adjacent pair s[t] -> s[t+1] of every training session counts, repeats included).
//   Item-KNN  candidates are the neighbours of the prefix's items, valued by the sum over the distinct prefix
//             items p (or the last item only, see ItemKnnOptions) of sim(p, j), where
//               sim(p, j) = co(p, j) / sqrt((n_p + lambda) * (n_j + lambda))   for j != p,
//             co(p, j) = training sessions that contain both, n_i = training sessions that contain i. Each item
//             keeps only its `neighbours` most similar items. lambda damps the cosine of rare items.
// Ties on the primary value are broken by popularity, ties in popularity by the smaller id. The order is total,
// so the strictly-higher rank rule of metrics.h gives no item an advantage.
//
// Scores written by score() encode that order, not a probability: the i-th candidate (0-based) of m gets
// catalog_size + m - i and any other item catalog_size - (its popularity position), all exact in a float for
// catalogs below 2^24 items.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eval/scorer.h"
#include "vitrine/session_data.h"

namespace vitrine::eval {

// Items 1..catalog_size in popularity order, and each one's position in it.
class Popularity {
 public:
  Popularity(const std::vector<Session>& sessions, ItemId catalog_size);
  ItemId catalog_size() const { return catalog_size_; }
  int64_t count(ItemId id) const { return counts_[static_cast<size_t>(id)]; }
  // 0 for the most popular item.
  int32_t position(ItemId id) const { return position_[static_cast<size_t>(id)]; }

 private:
  ItemId catalog_size_;
  std::vector<int64_t> counts_;    // by id
  std::vector<int32_t> position_;  // by id; [0] unused
};

struct Candidate {
  ItemId item;
  double value;  // > 0
};

// Shared machinery: candidates first by value, the rest by popularity.
class PopularityBackedScorer : public SessionScorer {
 public:
  explicit PopularityBackedScorer(std::shared_ptr<const Popularity> popularity) : popularity_(std::move(popularity)) {}
  ItemId catalog_size() const override { return popularity_->catalog_size(); }
  Status score(const std::vector<ItemId>& prefix, float* scores) const override;
  // O(candidates) instead of O(catalog).
  Result<TargetRank> rank(const std::vector<ItemId>& prefix, ItemId label, float* scratch) const override;

  // Distinct items with value > 0, in any order.
  virtual void candidates(const std::vector<ItemId>& prefix, std::vector<Candidate>* out) const = 0;

 protected:
  const Popularity& popularity() const { return *popularity_; }

 private:
  bool before(const Candidate& a, const Candidate& b) const;
  std::shared_ptr<const Popularity> popularity_;
};

class PopScorer final : public PopularityBackedScorer {
 public:
  using PopularityBackedScorer::PopularityBackedScorer;
  std::string name() const override { return "POP"; }
  void candidates(const std::vector<ItemId>&, std::vector<Candidate>* out) const override { out->clear(); }
};

class SessionPopScorer final : public PopularityBackedScorer {
 public:
  using PopularityBackedScorer::PopularityBackedScorer;
  std::string name() const override { return "S-POP"; }
  void candidates(const std::vector<ItemId>& prefix, std::vector<Candidate>* out) const override;
};

// Sparse rows of (item, value), one per catalog id.
struct SparseRows {
  std::vector<int64_t> offsets;  // catalog_size + 2 entries; row i is [offsets[i], offsets[i+1])
  std::vector<Candidate> entries;
};

class MarkovScorer final : public PopularityBackedScorer {
 public:
  MarkovScorer(const std::vector<Session>& sessions, std::shared_ptr<const Popularity> popularity);
  std::string name() const override { return "Markov-1"; }
  void candidates(const std::vector<ItemId>& prefix, std::vector<Candidate>* out) const override;

 private:
  SparseRows transitions_;
};

// `vitrine eval` uses these defaults: 100 neighbours and lambda 20 as in GRU4Rec's item-kNN baseline, summed
// over the whole prefix. On Diginetica, last_item_only gives GRU4Rec's variant (lower HR@20, higher MRR@20).
struct ItemKnnOptions {
  int neighbours = 100;         // <= 0 keeps every co-occurring item
  double lambda = 20.0;         // 0 gives plain cosine
  bool last_item_only = false;  // score by the last prefix item only
};

class ItemKnnScorer final : public PopularityBackedScorer {
 public:
  ItemKnnScorer(const std::vector<Session>& sessions, std::shared_ptr<const Popularity> popularity,
                ItemKnnOptions options = {});
  std::string name() const override { return "Item-KNN"; }
  void candidates(const std::vector<ItemId>& prefix, std::vector<Candidate>* out) const override;
  // sim(a, b) as kept after pruning (0 when b is not among a's neighbours). For tests.
  double similarity(ItemId a, ItemId b) const;

 private:
  ItemKnnOptions options_;
  SparseRows neighbours_;
};

// The CLI's keys, in report order.
inline const std::vector<std::string>& baseline_keys() {
  static const std::vector<std::string> keys = {"pop", "spop", "markov", "itemknn"};
  return keys;
}

// INVALID_ARGUMENT for an unknown key.
Result<std::unique_ptr<SessionScorer>> make_baseline(const std::string& key, const SessionCorpus& train,
                                                     std::shared_ptr<const Popularity> popularity);

}  // namespace vitrine::eval
