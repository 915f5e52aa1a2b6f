#include "vitrine/metrics.h"

#include <cmath>
#include <string>

namespace vitrine {

Result<TargetRank> rank_of_target(const float* scores, size_t count, size_t target) {
  if (scores == nullptr) return Status(StatusCode::kINVALID_ARGUMENT, "rank_of_target: scores is null");
  if (target >= count) {
    return Status(StatusCode::kINVALID_ARGUMENT, "rank_of_target: target " + std::to_string(target) +
                                                     " is outside the " + std::to_string(count) + " scores");
  }
  const float t = scores[target];
  TargetRank r;
  if (std::isnan(t)) {
    r.rank = static_cast<int64_t>(count);  // behind everything: a NaN must never look like a hit
    return r;
  }
  int64_t higher = 0, equal = 0;
  for (size_t i = 0; i < count; ++i) {
    higher += scores[i] > t;
    equal += scores[i] == t;
  }
  r.rank = 1 + higher;
  r.tied = equal - 1;  // the target equals itself
  return r;
}

MetricAccumulator::MetricAccumulator(int max_cutoff)
    : max_cutoff_(max_cutoff < 1 ? 1 : max_cutoff), rank_counts_(static_cast<size_t>(max_cutoff_), 0) {}

Status MetricAccumulator::add_rank(int64_t rank, int64_t tied) {
  if (rank < 1) return Status(StatusCode::kINVALID_ARGUMENT, "rank " + std::to_string(rank) + " is below 1");
  if (tied < 0) return Status(StatusCode::kINVALID_ARGUMENT, "tied count " + std::to_string(tied) + " is negative");
  if (rank <= max_cutoff_) ++rank_counts_[static_cast<size_t>(rank - 1)];
  ++count_;
  if (tied > 0) ++tied_examples_;
  return Status::ok_status();
}

Status MetricAccumulator::add_scores(const float* scores, size_t count, size_t target) {
  Result<TargetRank> r = rank_of_target(scores, count, target);
  if (!r.ok()) return r.status();
  return add(r.value());
}

Status MetricAccumulator::merge(const MetricAccumulator& other) {
  if (other.max_cutoff_ != max_cutoff_) {
    return Status(StatusCode::kINVALID_ARGUMENT, "cannot merge metrics with max cutoff " +
                                                     std::to_string(other.max_cutoff_) + " into " +
                                                     std::to_string(max_cutoff_));
  }
  for (size_t i = 0; i < rank_counts_.size(); ++i) rank_counts_[i] += other.rank_counts_[i];
  count_ += other.count_;
  tied_examples_ += other.tied_examples_;
  return Status::ok_status();
}

Result<MetricValues> MetricAccumulator::at(int k) const {
  if (k < 1 || k > max_cutoff_) {
    return Status(StatusCode::kINVALID_ARGUMENT,
                  "cutoff " + std::to_string(k) + " is outside 1.." + std::to_string(max_cutoff_));
  }
  MetricValues v;
  v.k = k;
  if (count_ == 0) return v;
  double hits = 0, rr = 0, gain = 0;
  for (int r = 1; r <= k; ++r) {
    const double n = static_cast<double>(rank_counts_[static_cast<size_t>(r - 1)]);
    hits += n;
    rr += n / r;
    gain += n / std::log2(r + 1.0);
  }
  const double total = static_cast<double>(count_);
  v.hit_rate = hits / total;
  v.mrr = rr / total;
  v.ndcg = gain / total;
  return v;
}

std::vector<MetricValues> MetricAccumulator::report() const {
  std::vector<MetricValues> out;
  for (int k : kReportCutoffs) {
    if (k <= max_cutoff_) out.push_back(at(k).value());
  }
  return out;
}

}  // namespace vitrine
