// Native-only fully connected variants (XNNPACK, Eigen) against the scalar reference; the native dot products are
// tested with the other dense kernels in dense_native_test.cc.
#include <catch2/catch.hpp>
#include <string>

#include "kernel_tester.h"
#include "vitrine/kernels.h"

using vitrine::testing::check_fc;
using vitrine::testing::check_fc_errors;

TEST_CASE("f32_fc_eigen matches the scalar reference", "[kernels][fc][native]") {
  check_fc(vitrine::f32_fc_eigen);
  check_fc_errors(vitrine::f32_fc_eigen);
}

#if defined(VITRINE_HAVE_XNNPACK)
TEST_CASE("f32_fc_xnnpack matches the scalar reference", "[kernels][fc][native]") {
  REQUIRE(vitrine::xnnpack_available());  // any x86-64 or ARM64 CPU is supported
  check_fc(vitrine::f32_fc_xnnpack);
  check_fc_errors(vitrine::f32_fc_xnnpack);
}

TEST_CASE("the native table uses XNNPACK for fully connected", "[kernels][fc][native]") {
  const float w[2] = {1.0f, 2.0f};
  auto layer = vitrine::select_fc_kernel_table().f32_fc_create(1, 2, w, nullptr, vitrine::Activation::kNone);
  REQUIRE(layer.ok());
  CHECK(std::string(layer.value()->backend()) == "xnnpack");
}
#else
TEST_CASE("the native table uses Eigen for fully connected without XNNPACK", "[kernels][fc][native]") {
  const float w[2] = {1.0f, 2.0f};
  auto layer = vitrine::select_fc_kernel_table().f32_fc_create(1, 2, w, nullptr, vitrine::Activation::kNone);
  REQUIRE(layer.ok());
  CHECK(std::string(layer.value()->backend()) == "eigen");
}
#endif
