// One copy of the native dense kernels (vitrine/native/dense.h). core/CMakeLists.txt compiles this file with the
// build's own flags (the baseline) and, on x86-64 with GCC, again per ISA level with -march=<level> and
// VITRINE_DENSE_ISA=<level as an identifier>. Everything a copy defines must live in a namespace named after its
// level, Eigen included: otherwise two copies would define the same inline functions, and the linker would keep one
// of them for every caller, possibly the AVX-512 one for a caller on an SSE4.2 CPU.
#ifndef VITRINE_DENSE_ISA
#define VITRINE_DENSE_ISA baseline
#define VITRINE_DENSE_ISA_NAME "baseline"
#endif
#define VITRINE_DENSE_CAT2(a, b) a##b
#define VITRINE_DENSE_CAT(a, b) VITRINE_DENSE_CAT2(a, b)
// Renames the token `Eigen` in everything below, Eigen's own headers included (<Eigen/Core> in an #include
// directive is not macro-expanded, so the headers are still found).
#define Eigen VITRINE_DENSE_CAT(Eigen_, VITRINE_DENSE_ISA)
#define VITRINE_DENSE_NS VITRINE_DENSE_CAT(dense_, VITRINE_DENSE_ISA)

#include <cmath>

#include "vitrine/native/dense.h"
#include "vitrine/native/eigen_core.h"

namespace vitrine {
namespace VITRINE_DENSE_NS {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstStrided = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;
using Strided = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;

ConstStrided view(const float* p, size_t rows, size_t cols, size_t ld) {
  return ConstStrided(p, Eigen::Index(rows), Eigen::Index(cols), Eigen::OuterStride<>(Eigen::Index(ld)));
}
Strided view(float* p, size_t rows, size_t cols, size_t ld) {
  return Strided(p, Eigen::Index(rows), Eigen::Index(cols), Eigen::OuterStride<>(Eigen::Index(ld)));
}

// One Eigen dot per row rather than one matrix-vector product over the table, so that a row's result never
// depends on the rows around it (kernels.h; ItemIndex rescores rows alone).
void dot_rows(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride, float* out) {
  using Vector = Eigen::Map<const Eigen::VectorXf>;
  const Vector q(query, Eigen::Index(dim));
  for (size_t r = 0; r < n_rows; ++r) out[r] = Vector(rows + r * row_stride, Eigen::Index(dim)).dot(q);
}

void gemm_nt(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
             float* c, size_t ldc) {
  view(c, m, n, ldc).noalias() = alpha * (view(a, m, k, lda) * view(b, n, k, ldb).transpose());
}

void gemm_nn(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
             float* c, size_t ldc) {
  view(c, m, n, ldc).noalias() = alpha * (view(a, m, k, lda) * view(b, k, n, ldb));
}

void gemm_tn(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
             float* c, size_t ldc) {
  view(c, m, n, ldc).noalias() = alpha * (view(a, k, m, lda).transpose() * view(b, k, n, ldb));
}

float exp_shifted(float* z, size_t n) {
  // Blocks of 16 floats, each a fixed-size Eigen expression, which runs on unaligned packets from its first element:
  // the rounding depends on the values alone, never on where the caller's row sits. (On a dynamic-size map Eigen
  // takes the elements before the first aligned address one at a time, with other rounding, and a resumed training
  // run allocates differently from an uninterrupted one.) The maximum is exact in any order.
  constexpr Eigen::Index kBlock = 16;
  using Block = Eigen::Array<float, kBlock, 1>;
  const float max = Eigen::Map<const Eigen::ArrayXf>(z, Eigen::Index(n)).maxCoeff();
  Block sums = Block::Zero();
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    Eigen::Map<Block> block(z + i);
    block = (block - max).exp();
    sums += block;
  }
  float tail = 0.0f;
  for (; i < n; ++i) {
    z[i] = std::exp(z[i] - max);
    tail += z[i];
  }
  return sums.sum() + tail;
}

}  // namespace

const DenseKernels& kernels() {
  static const DenseKernels table{VITRINE_DENSE_ISA_NAME, dot_rows, gemm_nt, gemm_nn, gemm_tn, exp_shifted};
  return table;
}

}  // namespace VITRINE_DENSE_NS
}  // namespace vitrine
