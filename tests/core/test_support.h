// Helpers every Catch2 test may use. One copy of each: the suite is compiled a few files at a time (unity batches),
// so a helper written twice in two files would collide.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace vitrine::testing {

// Seed for all random inputs; printed with every failure so a run can be reproduced: VITRINE_TEST_SEED=<seed>
// replays it.
inline uint32_t test_seed() {
  static const uint32_t seed = [] {
    const char* fixed = std::getenv("VITRINE_TEST_SEED");
    return fixed != nullptr ? static_cast<uint32_t>(std::strtoul(fixed, nullptr, 10)) : std::random_device{}();
  }();
  return seed;
}

// Whether `text` holds `part`: for checking what an error message names.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace vitrine::testing
