// The native dense kernels (vitrine/native/dense.h): every copy compiled into this binary that this CPU runs,
// against plain double-precision loops, at the tile edges of Eigen's packets (4, 8 and 16 floats) and on strided,
// misaligned operands.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "vitrine/build_info.h"
#include "vitrine/native/dense.h"

namespace {

using vitrine::DenseKernels;
using vitrine::DenseVariant;
using vitrine::testing::MisalignedBuffer;
using vitrine::testing::sum_error_bound;
using vitrine::testing::test_seed;

enum class Product { kNT, kNN, kTN };

const char* name_of(Product p) {
  return p == Product::kNT ? "nt" : p == Product::kNN ? "nn" : "tn";
}

// C[m][n] = alpha * sum_k a(i, kk) * b(kk, j) for one of the three layouts, checked element by element against
// double sums with a rounding bound; the padding between rows of C must stay untouched.
class GemmTester {
 public:
  GemmTester(size_t m, size_t n, size_t k) : m_(m), n_(n), k_(k) {}
  GemmTester& pad(size_t floats) {
    pad_ = floats;
    return *this;
  }
  GemmTester& misalign(size_t floats) {
    misalign_ = floats;
    return *this;
  }

  void test(const DenseKernels& kernels, Product product) const {
    INFO("isa " << kernels.isa << " product " << name_of(product) << " seed " << test_seed() << " m " << m_ << " n "
                << n_ << " k " << k_ << " pad " << pad_ << " misalign " << misalign_);
    std::mt19937 rng(test_seed());
    // Stored shapes: A is m x k (nt, nn) or k x m (tn); B is n x k (nt) or k x n (nn, tn).
    const size_t a_rows = product == Product::kTN ? k_ : m_, a_cols = product == Product::kTN ? m_ : k_;
    const size_t b_rows = product == Product::kNT ? n_ : k_, b_cols = product == Product::kNT ? k_ : n_;
    const size_t lda = a_cols + pad_, ldb = b_cols + pad_, ldc = n_ + pad_;
    MisalignedBuffer a(a_rows * lda, misalign_), b(b_rows * ldb, misalign_), c(m_ * ldc, misalign_);
    a.fill_uniform(rng);
    b.fill_uniform(rng);
    c.fill(-7.0f);
    const float alpha = 1.5f;
    const auto a_at = [&](size_t i, size_t kk) {
      return product == Product::kTN ? a.data()[kk * lda + i] : a.data()[i * lda + kk];
    };
    const auto b_at = [&](size_t kk, size_t j) {
      return product == Product::kNT ? b.data()[j * ldb + kk] : b.data()[kk * ldb + j];
    };
    const auto run = product == Product::kNT   ? kernels.f32_gemm_nt
                     : product == Product::kNN ? kernels.f32_gemm_nn
                                               : kernels.f32_gemm_tn;
    run(m_, n_, k_, alpha, a.data(), lda, b.data(), ldb, c.data(), ldc);
    for (size_t i = 0; i < m_; ++i) {
      for (size_t j = 0; j < ldc; ++j) {
        const float got = c.data()[i * ldc + j];
        INFO("C[" << i << "][" << j << "] = " << got);
        if (j >= n_) {
          REQUIRE(got == -7.0f);
          continue;
        }
        double sum = 0.0, abs_sum = 0.0;
        for (size_t kk = 0; kk < k_; ++kk) {
          sum += double(a_at(i, kk)) * double(b_at(kk, j));
          abs_sum += std::fabs(double(a_at(i, kk)) * double(b_at(kk, j)));
        }
        REQUIRE(std::fabs(double(got) - double(alpha) * sum) <= double(alpha * sum_error_bound(k_, float(abs_sum))));
      }
    }
  }

 private:
  size_t m_, n_, k_, pad_ = 0, misalign_ = 0;
};

std::vector<const DenseKernels*> runnable_variants() {
  std::vector<const DenseKernels*> out;
  for (const DenseVariant& v : vitrine::dense_kernel_variants())
    if (v.runs_here) out.push_back(v.kernels);
  return out;
}

}  // namespace

TEST_CASE("every dense copy this CPU runs computes the three products", "[dense][native]") {
  for (const DenseKernels* kernels : runnable_variants()) {
    for (Product product : {Product::kNT, Product::kNN, Product::kTN}) {
      for (size_t m : {1, 3, 4, 5, 8, 17}) {
        for (size_t n : {1, 7, 8, 9, 16, 17, 33}) {
          for (size_t k : {1, 3, 4, 5, 15, 16, 17, 64}) {
            GemmTester(m, n, k).test(*kernels, product);
            GemmTester(m, n, k).pad(3).misalign(1).test(*kernels, product);
          }
        }
      }
      // Deep enough for Eigen's blocking to split k and the rows into several panels.
      GemmTester(67, 129, 301).pad(5).misalign(3).test(*kernels, product);
    }
  }
}

TEST_CASE("every dense copy this CPU runs computes dot products like the reference", "[dense][native]") {
  for (const DenseKernels* kernels : runnable_variants()) {
    INFO("isa " << kernels->isa);
    vitrine::testing::check_dot_rows(kernels->f32_dot_rows);
  }
}

TEST_CASE("every dense copy this CPU runs computes the shifted exponentials of a softmax", "[dense][native]") {
  const float inf = std::numeric_limits<float>::infinity();
  for (const DenseKernels* kernels : runnable_variants()) {
    for (size_t n : {1, 3, 4, 5, 15, 16, 17, 33, 1000}) {
      INFO("isa " << kernels->isa << " seed " << test_seed() << " n " << n);
      std::mt19937 rng(test_seed());
      std::uniform_real_distribution<float> dist(-30.0f, 30.0f);
      std::vector<float> z(n);
      for (float& x : z) x = dist(rng);
      if (n > 2) z[1] = -inf;  // the padding item of the trainer's logits
      std::vector<float> expected(n);
      float max = -inf;
      for (float x : z) max = std::max(max, x);
      double expected_sum = 0.0;
      for (size_t i = 0; i < n; ++i) expected_sum += expected[i] = std::exp(z[i] - max);
      const float sum = kernels->f32_exp_shifted(z.data(), n);
      for (size_t i = 0; i < n; ++i) {
        INFO("i " << i);
        REQUIRE(std::fabs(z[i] - expected[i]) <= 4e-7f * std::max(1.0f, expected[i]));
      }
      if (n > 2) REQUIRE((z[1] >= 0.0f && z[1] < 1e-37f));
      REQUIRE(std::fabs(double(sum) - expected_sum) <= 1e-6 * expected_sum + 1e-6);
    }
  }
}

TEST_CASE("the process uses the widest dense copy this CPU runs", "[dense][native]") {
  const std::vector<DenseVariant> variants = vitrine::dense_kernel_variants();
  REQUIRE(!variants.empty());
  CHECK(std::string(variants.front().kernels->isa) == "baseline");
  CHECK(variants.front().runs_here);
  const DenseKernels* widest = nullptr;
  for (const DenseVariant& v : variants)
    if (v.runs_here) widest = v.kernels;
  const char* forced = std::getenv("VITRINE_DENSE_ISA");
  INFO("VITRINE_DENSE_ISA=" << (forced != nullptr ? forced : "(unset)"));
  if (forced == nullptr) CHECK(&vitrine::native_dense_kernels() == widest);
  // The evaluator's dot products come from the same copy.
  CHECK(vitrine::select_kernel_table().f32_dot_rows == vitrine::native_dense_kernels().f32_dot_rows);
  // Every copy core/CMakeLists.txt compiled (VITRINE_DENSE_ISA_LEVELS) is listed, in order.
  const std::vector<std::string> levels = {VITRINE_TEST_DENSE_ISA_LEVELS};
  REQUIRE(variants.size() == levels.size() + 1);
  for (size_t i = 0; i < levels.size(); ++i) CHECK(variants[i + 1].kernels->isa == levels[i]);
}

TEST_CASE("the build info names the target and the dense copy in use", "[dense][native]") {
  const auto info = nlohmann::json::parse(vitrine::build_info_json());
  CHECK(info.at("arch").get<std::string>() == VITRINE_TEST_ARCH);
  CHECK(info.at("dense_isa").get<std::string>() == vitrine::native_dense_kernels().isa);
}
