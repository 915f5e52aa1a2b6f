// Picks the copy of the native dense kernels that this CPU runs best (vitrine/native/dense.h).
#include <cstdlib>
#include <cstring>

#include "vitrine/native/dense.h"

namespace vitrine {

namespace dense_baseline {
const DenseKernels& kernels();
}
#if defined(VITRINE_DENSE_HAS_X86_64_V3)
namespace dense_x86_64_v3 {
const DenseKernels& kernels();
}
#endif
#if defined(VITRINE_DENSE_HAS_X86_64_V4)
namespace dense_x86_64_v4 {
const DenseKernels& kernels();
}
#endif

std::vector<DenseVariant> dense_kernel_variants() {
  std::vector<DenseVariant> variants{{&dense_baseline::kernels(), true}};
  // The level names need GCC 12 (core/CMakeLists.txt compiles the copies only with GCC). libgcc checks that the
  // OS saves the AVX and AVX-512 registers too, not only that the CPU has them.
#if defined(VITRINE_DENSE_HAS_X86_64_V3)
  variants.push_back({&dense_x86_64_v3::kernels(), __builtin_cpu_supports("x86-64-v3") != 0});
#endif
#if defined(VITRINE_DENSE_HAS_X86_64_V4)
  variants.push_back({&dense_x86_64_v4::kernels(), __builtin_cpu_supports("x86-64-v4") != 0});
#endif
  return variants;
}

namespace {

const DenseKernels& choose_dense_kernels() {
  const std::vector<DenseVariant> variants = dense_kernel_variants();
  const char* wanted = std::getenv("VITRINE_DENSE_ISA");
  if (wanted != nullptr) {
    for (const DenseVariant& v : variants) {
      if (v.runs_here && std::strcmp(v.kernels->isa, wanted) == 0) return *v.kernels;
    }
  }
  for (auto it = variants.rbegin(); it != variants.rend(); ++it) {
    if (it->runs_here) return *it->kernels;
  }
  return *variants.front().kernels;
}

}  // namespace

const DenseKernels& native_dense_kernels() {
  static const DenseKernels& chosen = choose_dense_kernels();
  return chosen;
}

}  // namespace vitrine
