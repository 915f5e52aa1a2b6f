#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "vitrine/kernels.h"

using vitrine::testing::close;
using vitrine::testing::MisalignedBuffer;
using vitrine::testing::test_seed;

namespace {

class DotRowsTester {
 public:
  DotRowsTester& rows(size_t n) { rows_ = n; return *this; }
  DotRowsTester& dim(size_t d) { dim_ = d; return *this; }
  DotRowsTester& row_stride(size_t s) { stride_ = s; return *this; }
  DotRowsTester& misalign(size_t floats) { misalign_ = floats; return *this; }

  void test(vitrine::F32DotRowsFn kernel) const {
    const size_t stride = stride_ == 0 ? dim_ : stride_;
    INFO("seed " << test_seed() << " rows " << rows_ << " dim " << dim_ << " stride " << stride << " misalign "
                 << misalign_);
    std::mt19937 rng(test_seed());
    MisalignedBuffer query(dim_, misalign_), table(rows_ * stride + 1, misalign_);
    query.fill_uniform(rng);
    table.fill_uniform(rng);
    std::vector<float> expected(rows_ + 1, -7.0f), actual(rows_ + 1, -7.0f);
    vitrine::f32_dot_rows_scalar(query.data(), table.data(), rows_, dim_, stride, expected.data());
    kernel(query.data(), table.data(), rows_, dim_, stride, actual.data());
    for (size_t r = 0; r < rows_; ++r) {
      INFO("row " << r);
      REQUIRE(close(actual[r], expected[r]));
    }
    REQUIRE(actual[rows_] == -7.0f);  // never writes past n_rows
  }

 private:
  size_t rows_ = 1, dim_ = 1, stride_ = 0, misalign_ = 0;
};

// The rows tile of the SIMD kernel is 4 and its dim tile is 4: probe both edges of each.
void check_dot_rows(vitrine::F32DotRowsFn kernel) {
  for (size_t rows : {1, 3, 4, 5, 7, 8, 9, 63, 64, 65}) {
    for (size_t dim : {1, 3, 4, 5, 17, 63, 64, 65}) {
      DotRowsTester().rows(rows).dim(dim).test(kernel);
      DotRowsTester().rows(rows).dim(dim).misalign(1).test(kernel);
      DotRowsTester().rows(rows).dim(dim).row_stride(dim + 3).misalign(3).test(kernel);
    }
  }
}

}  // namespace

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

#if defined(__wasm_simd128__)
TEST_CASE("f32_dot_rows_wasmsimd matches the scalar reference", "[kernels][wasm]") {
  check_dot_rows(vitrine::f32_dot_rows_wasmsimd);
  CHECK(std::string(vitrine::select_kernel_table().name) == "wasmsimd");
}
#endif
