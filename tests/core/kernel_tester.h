// Test helpers for kernels, in the style of XNNPACK's testers: a builder that fixes the shape, fills inputs from
// a printed seed, runs the kernel under test and its scalar reference on the same data, and compares.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace vitrine::testing {

// Seed for all random inputs; printed with every failure so a run can be reproduced.
inline uint32_t test_seed() {
  static const uint32_t seed = std::random_device{}();
  return seed;
}

// A float buffer whose data() starts `misalign_floats` past a 64-byte boundary, to test unaligned inputs.
class MisalignedBuffer {
 public:
  MisalignedBuffer(size_t n, size_t misalign_floats) : storage_(n + 16 + misalign_floats), offset_(0) {
    auto addr = reinterpret_cast<uintptr_t>(storage_.data());
    size_t to_boundary = ((64 - addr % 64) % 64) / sizeof(float);
    offset_ = to_boundary + misalign_floats;
    storage_.resize(offset_ + n);
  }
  float* data() { return storage_.data() + offset_; }
  size_t size() const { return storage_.size() - offset_; }
  void fill_uniform(std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> dist(lo, hi);
    for (size_t i = 0; i < size(); ++i) data()[i] = dist(rng);
  }

 private:
  std::vector<float> storage_;
  size_t offset_;
};

// Relative-or-absolute closeness for kernels whose summation order differs from the reference.
inline bool close(float a, float b, float tol = 1e-5f) {
  return std::fabs(a - b) <= tol * std::max(1.0f, std::max(std::fabs(a), std::fabs(b)));
}

}  // namespace vitrine::testing
