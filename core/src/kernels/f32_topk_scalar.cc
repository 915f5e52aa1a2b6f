// Top-K reference and the portable block-filtered variant.
#include "topk_heap.h"
#include "vitrine/kernels.h"

namespace vitrine {

size_t f32_topk_scalar(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score) {
  if (k == 0 || n == 0) return 0;
  topk_detail::TopKHeap heap(k < n ? k : n, out_index, out_score);
  for (size_t i = 0; i < n; ++i) heap.offer(scores[i], static_cast<uint32_t>(i));
  return heap.finish();
}

size_t f32_topk_blocked(const float* scores, size_t n, size_t k, uint32_t* out_index, float* out_score) {
  // Branch-free OR over the block so the compiler can turn it into vector compares. NaN compares false.
  return topk_detail::topk_filtered<16>(scores, n, k, out_index, out_score, [](const float* block, float t) {
    bool any = false;
    for (size_t j = 0; j < 16; ++j) any |= block[j] > t;
    return any;
  });
}

}  // namespace vitrine
