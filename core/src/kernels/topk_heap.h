// The bounded heap behind every top-K variant (internal to core/src). The variants differ only in how quickly
// they skip scores that cannot enter the heap; whatever they skip, the heap decides the result, so all variants
// agree exactly.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace vitrine::topk_detail {

// The heap lives in the caller's output arrays. Its root is the worst entry kept so far: lowest score, and among
// equal scores the highest index.
class TopKHeap {
 public:
  TopKHeap(size_t capacity, uint32_t* index, float* score) : capacity_(capacity), index_(index), score_(score) {}

  bool full() const { return size_ == capacity_; }
  // Score of the worst kept entry; only meaningful when full().
  float threshold() const { return score_[0]; }

  // Scores arrive in increasing index order, so a newcomer that only ties the worst entry ranks below it.
  void offer(float s, uint32_t i) {
    if (std::isnan(s)) return;
    if (!full()) {
      push(s, i);
    } else if (s > score_[0]) {
      score_[0] = s;
      index_[0] = i;
      sift_down(0, size_);
    }
  }

  // Sorts the kept entries best first and returns their count.
  size_t finish() {
    // Heap sort: moving the worst root to the back, one by one, leaves the best entry at the front.
    for (size_t end = size_; end > 1; --end) {
      swap(0, end - 1);
      sift_down(0, end - 1);
    }
    return size_;
  }

 private:
  bool worse(size_t a, size_t b) const {
    return score_[a] < score_[b] || (score_[a] == score_[b] && index_[a] > index_[b]);
  }
  void swap(size_t a, size_t b) {
    std::swap(score_[a], score_[b]);
    std::swap(index_[a], index_[b]);
  }
  void push(float s, uint32_t i) {
    size_t pos = size_++;
    score_[pos] = s;
    index_[pos] = i;
    while (pos > 0) {
      const size_t parent = (pos - 1) / 2;
      if (!worse(pos, parent)) break;
      swap(pos, parent);
      pos = parent;
    }
  }
  void sift_down(size_t pos, size_t end) {
    for (;;) {
      const size_t left = 2 * pos + 1;
      if (left >= end) return;
      size_t child = left;
      if (left + 1 < end && worse(left + 1, left)) child = left + 1;
      if (!worse(child, pos)) return;
      swap(pos, child);
      pos = child;
    }
  }

  size_t capacity_;
  size_t size_ = 0;
  uint32_t* index_;
  float* score_;
};

// Shared driver: fill the heap, then scan in blocks of kBlock, handing a block to the heap only when
// `block_may_enter(block, threshold)` says some score in it beats the threshold. Must never say no wrongly.
template <size_t kBlock, class BlockFilter>
size_t topk_filtered(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score,
                     BlockFilter block_may_enter) {
  if (k == 0 || n == 0) return 0;
  TopKHeap heap(k < n ? k : n, out_index, out_score);
  size_t i = 0;
  for (; i < n && !heap.full(); ++i) heap.offer(scores[i], static_cast<uint32_t>(i));
  for (; i + kBlock <= n; i += kBlock) {
    if (!block_may_enter(scores + i, heap.threshold())) continue;
    for (size_t j = 0; j < kBlock; ++j) heap.offer(scores[i + j], static_cast<uint32_t>(i + j));
  }
  for (; i < n; ++i) heap.offer(scores[i], static_cast<uint32_t>(i));
  return heap.finish();
}

}  // namespace vitrine::topk_detail
