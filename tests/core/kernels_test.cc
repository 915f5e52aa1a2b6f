// Kernel variants against their scalar references (native, ASan/UBSan and wasm under Node). Native-only
// variants (XNNPACK, Eigen) are in kernels_native_test.cc.
#include "vitrine/kernels.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "kernel_tester.h"

using vitrine::Activation;
using vitrine::testing::check_dot_rows;
using vitrine::testing::check_fc;
using vitrine::testing::check_fc_errors;
using vitrine::testing::check_i8i16_dot_rows;
using vitrine::testing::check_topk;
using vitrine::testing::MisalignedBuffer;
using vitrine::testing::sum_error_bound;
using vitrine::testing::test_seed;

// ------------------------------------------------------------------------------------------------ dot products

TEST_CASE("f32_dot_rows_scalar computes plain dot products", "[kernels]") {
  const float query[3] = {1, 2, 3};
  const float table[6] = {1, 0, 0, 0.5f, 0.5f, 1};
  float out[2];
  vitrine::f32_dot_rows_scalar(query, table, 2, 3, 3, out);
  CHECK(out[0] == 1.0f);
  CHECK(out[1] == 4.5f);
}

TEST_CASE("selected kernel table matches the scalar reference: f32_dot_rows", "[kernels]") {
  const auto& table = vitrine::select_kernel_table();
  INFO("kernel table " << table.name);
  check_dot_rows(table.f32_dot_rows);
}

TEST_CASE("i8i16_dot_rows_scalar computes exact integer dot products", "[kernels]") {
  const int16_t query[3] = {32767, -32767, 2};
  const int8_t table[6] = {127, 127, -127, -127, 1, 0};
  int32_t out[2];
  vitrine::i8i16_dot_rows_scalar(query, table, 2, 3, out);
  CHECK(out[0] == -254);
  CHECK(out[1] == -127 * 32767 - 32767);
}

TEST_CASE("selected kernel table matches the scalar reference: i8i16_dot_rows", "[kernels]") {
  check_i8i16_dot_rows(vitrine::select_kernel_table().i8i16_dot_rows);
}

// ------------------------------------------------------------------------------------------------ fully connected

TEST_CASE("f32_fc_scalar matches a double-precision computation", "[kernels][fc]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed());
  const size_t n = 5, in = 19, out = 7;
  MisalignedBuffer x(n * in, 1), w(in * out, 2), b(out, 3);
  x.fill_uniform(rng);
  w.fill_uniform(rng);
  b.fill_uniform(rng, -3.0f, 3.0f);
  for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kSigmoid}) {
    INFO("activation " << vitrine::activation_name(act));
    auto layer = vitrine::f32_fc_scalar(in, out, w.data(), b.data(), act);
    REQUIRE(layer.ok());
    CHECK(std::string(layer.value()->backend()) == "scalar");
    std::vector<float> y(n * out);
    REQUIRE(layer.value()->run(x.data(), n, y.data()).ok());
    bool saw_clamped = false;
    for (size_t r = 0; r < n; ++r) {
      for (size_t o = 0; o < out; ++o) {
        double z = b.data()[o];
        for (size_t k = 0; k < in; ++k) z += double(x.data()[r * in + k]) * double(w.data()[k * out + o]);
        const double want = act == Activation::kRelu      ? std::max(z, 0.0)
                            : act == Activation::kSigmoid ? 1.0 / (1.0 + std::exp(-z))
                                                          : z;
        saw_clamped |= act == Activation::kRelu && z < 0.0;
        INFO("row " << r << " output " << o);
        REQUIRE(std::fabs(y[r * out + o] - want) <= 1e-5);
      }
    }
    if (act == Activation::kRelu) CHECK(saw_clamped);  // the bias range makes negative pre-activations certain
  }
}

TEST_CASE("activation names", "[kernels][fc]") {
  CHECK(std::string(vitrine::activation_name(Activation::kNone)) == "none");
  CHECK(std::string(vitrine::activation_name(Activation::kRelu)) == "relu");
  CHECK(std::string(vitrine::activation_name(Activation::kSigmoid)) == "sigmoid");
  CHECK(std::string(vitrine::activation_name(static_cast<Activation>(9))) == "invalid");
}

TEST_CASE("f32_fc_scalar rejects bad arguments", "[kernels][fc]") {
  check_fc_errors(vitrine::f32_fc_scalar);
}

TEST_CASE("selected kernel table matches the scalar reference: f32_fc", "[kernels][fc]") {
  const auto& table = vitrine::select_fc_kernel_table();
  INFO("kernel table " << table.name);
  check_fc(table.f32_fc_create);
  check_fc_errors(table.f32_fc_create);
}

#if defined(__wasm_simd128__)
TEST_CASE("f32_fc_wasmsimd matches the scalar reference", "[kernels][fc][wasm]") {
  check_fc(vitrine::f32_fc_wasmsimd);
  check_fc_errors(vitrine::f32_fc_wasmsimd);
  auto layer = vitrine::f32_fc_wasmsimd(3, 9, std::vector<float>(27, 1.0f).data(), nullptr, Activation::kNone);
  REQUIRE(layer.ok());
  CHECK(std::string(layer.value()->backend()) == "wasmsimd");
}
#endif

// ------------------------------------------------------------------------------------------------ top-K

TEST_CASE("f32_topk_scalar: ties by lower index, NaN never selected, k past n", "[kernels][topk]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float scores[6] = {0.5f, nan, 2.0f, 0.5f, 2.0f, -1.0f};
  uint32_t index[6];
  float score[6];
  REQUIRE(vitrine::f32_topk_scalar(scores, 6, 10, index, score) == 5);
  const uint32_t order[5] = {2, 4, 0, 3, 5};  // 2.0 (idx 2, 4), 0.5 (idx 0, 3), -1.0
  for (size_t i = 0; i < 5; ++i) {
    INFO("rank " << i);
    CHECK(index[i] == order[i]);
    CHECK(score[i] == scores[order[i]]);
  }
  CHECK(vitrine::f32_topk_scalar(scores, 6, 0, nullptr, nullptr) == 0);
  CHECK(vitrine::f32_topk_scalar(nullptr, 0, 3, nullptr, nullptr) == 0);
}

TEST_CASE("f32_topk_blocked matches the reference", "[kernels][topk]") {
  check_topk(vitrine::f32_topk_blocked);
}

TEST_CASE("selected kernel table matches the scalar reference: f32_topk", "[kernels][topk]") {
  const auto& table = vitrine::select_kernel_table();
  INFO("kernel table " << table.name);
  check_topk(table.f32_topk);
  check_topk(vitrine::scalar_kernel_table().f32_topk);  // the reference against the sort oracle alone
}

#if defined(__wasm_simd128__)
TEST_CASE("f32_topk_wasmsimd matches the reference", "[kernels][topk][wasm]") {
  check_topk(vitrine::f32_topk_wasmsimd);
}
#endif

// ------------------------------------------------------------------------------------------------ GEMM roofline

namespace {

// a[kc][4], b[kc][8]; compares a variant with a double-precision sum of the same products.
void check_roofline(void (*kernel)(const float*, const float*, size_t, size_t, float*), size_t kc, size_t repeats,
                    size_t misalign) {
  INFO("seed " << test_seed() << " kc " << kc << " repeats " << repeats << " misalign " << misalign);
  using vitrine::kRooflineCols;
  using vitrine::kRooflineRows;
  std::mt19937 rng(test_seed());
  MisalignedBuffer a(kc * kRooflineRows, misalign), b(kc * kRooflineCols, misalign);
  MisalignedBuffer c(kRooflineRows * kRooflineCols + 1, misalign);
  a.fill_uniform(rng);
  b.fill_uniform(rng);
  c.fill(-7.25f);
  kernel(a.data(), b.data(), kc, repeats, c.data());
  for (size_t r = 0; r < kRooflineRows; ++r) {
    for (size_t j = 0; j < kRooflineCols; ++j) {
      double sum = 0.0, abs_sum = 0.0;
      for (size_t k = 0; k < kc; ++k) {
        const double p = double(a.data()[k * kRooflineRows + r]) * double(b.data()[k * kRooflineCols + j]);
        sum += p;
        abs_sum += std::fabs(p);
      }
      INFO("r " << r << " j " << j);
      REQUIRE(std::fabs(c.data()[r * kRooflineCols + j] - sum * double(repeats)) <=
              sum_error_bound(kc * repeats, float(abs_sum * double(repeats))));
    }
  }
  REQUIRE(c.data()[kRooflineRows * kRooflineCols] == -7.25f);
}

}  // namespace

TEST_CASE("f32_gemm_roofline_scalar computes repeated 4x8 tile products", "[kernels][roofline]") {
  for (size_t kc : {1, 3, 4, 5, 64, 256}) {
    for (size_t repeats : {1, 2, 5}) check_roofline(vitrine::f32_gemm_roofline_scalar, kc, repeats, kc % 3);
  }
  CHECK(vitrine::f32_gemm_roofline_flops(256, 1000) == 2.0 * 4 * 8 * 256 * 1000);
}

#if defined(__wasm_simd128__)
TEST_CASE("f32_gemm_roofline_wasmsimd matches the scalar tile", "[kernels][roofline][wasm]") {
  for (size_t kc : {1, 3, 4, 5, 64, 256}) {
    for (size_t repeats : {1, 2, 5}) check_roofline(vitrine::f32_gemm_roofline_wasmsimd, kc, repeats, kc % 3);
  }
}
#endif

TEST_CASE("kernel tables name their variants", "[kernels]") {
  CHECK(std::string(vitrine::scalar_kernel_table().name) == "scalar");
  CHECK(std::string(vitrine::scalar_fc_kernel_table().name) == "scalar");
  CHECK(vitrine::scalar_fc_kernel_table().f32_fc_create == vitrine::f32_fc_scalar);
#if defined(__wasm_simd128__)
  CHECK(std::string(vitrine::select_kernel_table().name) == "wasmsimd");
  CHECK(vitrine::select_fc_kernel_table().f32_fc_create == vitrine::f32_fc_wasmsimd);
#else
  CHECK(std::string(vitrine::select_kernel_table().name) == "native");
  const std::string fc = vitrine::select_fc_kernel_table().name;
#if defined(VITRINE_HAVE_XNNPACK)
  CHECK(fc == (vitrine::xnnpack_available() ? "xnnpack" : "eigen"));
#else
  CHECK(fc == "eigen");
#endif
#endif
}

#if defined(__wasm_simd128__)
TEST_CASE("f32_dot_rows_wasmsimd matches the scalar reference", "[kernels][wasm]") {
  check_dot_rows(vitrine::f32_dot_rows_wasmsimd);
  CHECK(std::string(vitrine::select_kernel_table().name) == "wasmsimd");
}

TEST_CASE("i8i16_dot_rows_wasmsimd equals the scalar reference", "[kernels][wasm]") {
  check_i8i16_dot_rows(vitrine::i8i16_dot_rows_wasmsimd);
  CHECK(vitrine::select_kernel_table().i8i16_dot_rows == vitrine::i8i16_dot_rows_wasmsimd);
}
#endif
