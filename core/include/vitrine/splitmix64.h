// splitmix64: a tiny, fully specified generator, so that a seed gives the same weights, codebook or index with every
// standard library (std's distributions are implementation-defined).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace vitrine {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), up to a bias of n / 2^64 that no use here can notice.
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  // Uniform in [-scale, scale): the top 24 bits give an exactly representable f32 fraction.
  float uniform(float scale) {
    const float unit = static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
    return (2.0f * unit - 1.0f) * scale;
  }
};

// `count` distinct indices below n drawn with `rng` (a partial Fisher-Yates shuffle); all n, shuffled, when
// count >= n.
inline std::vector<size_t> seeded_sample(size_t n, size_t count, SplitMix64& rng) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t used = std::min(n, count);
  for (size_t i = 0; i < used; ++i) std::swap(order[i], order[i + rng.below(n - i)]);
  order.resize(used);
  return order;
}

}  // namespace vitrine
