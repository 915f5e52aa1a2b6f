// ItemIndex: the int8 scan with float rescoring must return exactly what a float scan of every row returns
// (same rows, same order, same bits), on ordinary, tied, extreme and non-finite tables and queries.
#include "vitrine/item_index.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernel_tester.h"

using vitrine::ItemIndex;
using vitrine::KernelTable;
using vitrine::testing::test_seed;

namespace {

constexpr size_t kNoLimit = size_t{1} << 30;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct TopK {
  std::vector<uint32_t> index;
  std::vector<float> score;
};

// What the index must reproduce: every row scored in float, then f32_topk.
TopK float_scan(const std::vector<float>& rows, size_t dim, const std::vector<float>& query, size_t k,
                const KernelTable& kernels) {
  const size_t n = rows.size() / dim;
  std::vector<float> scores(n);
  kernels.f32_dot_rows(query.data(), rows.data(), n, dim, dim, scores.data());
  TopK out{std::vector<uint32_t>(std::min(k, n)), std::vector<float>(std::min(k, n))};
  const size_t count = kernels.f32_topk(scores.data(), n, k, out.index.data(), out.score.data());
  out.index.resize(count);
  out.score.resize(count);
  return out;
}

// Checks one query on both kernel tables; returns the rows the selected table's index rescored.
size_t check_query(const std::vector<float>& rows, size_t dim, const std::vector<float>& query, size_t k) {
  size_t rescored = 0;
  for (const KernelTable* kernels : {&vitrine::scalar_kernel_table(), &vitrine::select_kernel_table()}) {
    INFO("seed " << test_seed() << " kernels " << kernels->name << " rows " << rows.size() / dim << " dim " << dim
                 << " k " << k);
    auto index = ItemIndex::build(rows.data(), rows.size() / dim, dim, kNoLimit);
    REQUIRE(index.ok());
    const TopK want = float_scan(rows, dim, query, k, *kernels);
    const size_t room = std::min(k, rows.size() / dim);
    std::vector<uint32_t> got_index(room + 1, 0xdeadbeef);
    std::vector<float> got_score(room + 1, -7.0f);
    const size_t count = index.value().top_k(query.data(), k, *kernels, got_index.data(), got_score.data());
    REQUIRE(count == want.index.size());
    for (size_t i = 0; i < count; ++i) {
      INFO("entry " << i << " got row " << got_index[i] << " score " << got_score[i] << ", want row " << want.index[i]
                    << " score " << want.score[i]);
      REQUIRE(got_index[i] == want.index[i]);
      REQUIRE(std::memcmp(&got_score[i], &want.score[i], sizeof(float)) == 0);
    }
    REQUIRE(got_index[room] == 0xdeadbeef);  // never writes past min(k, n)
    rescored = index.value().last_rescored();
  }
  return rescored;
}

std::vector<float> normal_values(std::mt19937& rng, size_t n, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace

TEST_CASE("item index equals a float scan on random tables", "[item_index]") {
  std::mt19937 rng(test_seed());
  for (size_t dim : {1, 3, 15, 16, 17, 64, 100}) {
    for (size_t n : {1, 3, 4, 5, 257, 1000}) {
      const auto rows = normal_values(rng, n * dim);
      const auto query = normal_values(rng, dim);
      for (size_t k : {size_t{1}, size_t{5}, size_t{20}, n, n + 3}) check_query(rows, dim, query, k);
    }
  }
}

TEST_CASE("item index rescores only a handful of rows on a realistic catalog", "[item_index]") {
  // 20,000 unit rows of dim 64 (the benchmark catalog's shape, smaller): the int8 bound must leave few candidates.
  std::mt19937 rng(test_seed());
  const size_t n = 20000, dim = 64;
  auto rows = normal_values(rng, n * dim);
  for (size_t r = 0; r < n; ++r) {
    float norm = 0.0f;
    for (size_t d = 0; d < dim; ++d) norm += rows[r * dim + d] * rows[r * dim + d];
    for (size_t d = 0; d < dim; ++d) rows[r * dim + d] /= std::sqrt(norm);
  }
  for (int q = 0; q < 5; ++q) {
    const size_t rescored = check_query(rows, dim, normal_values(rng, dim), 20);
    INFO("rescored " << rescored << " of " << n);
    CHECK(rescored >= 20);
    CHECK(rescored < 200);
  }
}

TEST_CASE("item index orders rows the int8 copy cannot tell apart", "[item_index]") {
  // Rows that differ from one base row by far less than an int8 step (1/127 of the largest value): their order
  // comes from the float rescoring alone, so a bound that is too tight loses rows here.
  std::mt19937 rng(test_seed());
  const size_t n = 600;
  for (size_t dim : {16, 64}) {
    const auto base = normal_values(rng, dim);
    auto rows = normal_values(rng, n * dim, 1e-4f);
    for (size_t r = 0; r < n; ++r) {
      for (size_t d = 0; d < dim; ++d) rows[r * dim + d] += base[d];
    }
    for (size_t k : {1, 5, 20, 100}) {
      check_query(rows, dim, normal_values(rng, dim), k);
      check_query(rows, dim, base, k);
    }
  }
}

TEST_CASE("item index survives rounding errors that all point one way", "[item_index]") {
  // Row 1 (A) truly scores 0.7 more than row 0 (B), but every int8 code of A rounds down by 0.49 and every code of
  // B up by 0.49, so the int8 scores put B 14 ahead. Only a bound of at least 7 per row (the true worst case is
  // 0.5 per element times |q|_1 = 8 here) keeps A among the candidates; a tighter one returns B.
  const size_t dim = 16;
  std::vector<float> rows(4 * dim, -1.0f);  // rows 2 and 3: far below
  rows[0 * dim] = rows[1 * dim] = 127.0f;   // sets both scales to exactly 1
  for (size_t d = 1; d < dim; ++d) {
    rows[1 * dim + d] = 50.49f;                         // code 50
    rows[0 * dim + d] = d < dim - 1 ? 50.51f : 49.51f;  // code 51 (and one 50)
  }
  const std::vector<float> query(dim, 1.0f);
  check_query(rows, dim, query, 1);
  uint32_t best = 0;
  float score = 0.0f;
  auto index = ItemIndex::build(rows.data(), 4, dim, kNoLimit);
  REQUIRE(index.ok());
  REQUIRE(index.value().top_k(query.data(), 1, vitrine::select_kernel_table(), &best, &score) == 1);
  CHECK(best == 1);
}

TEST_CASE("item index keeps ties in row order", "[item_index]") {
  std::mt19937 rng(test_seed());
  const size_t dim = 24;
  // Every distinct row three times, and rows drawn from {-1, 0, 1}: many exactly equal scores, including at the
  // k-th place.
  std::uniform_int_distribution<int> trit(-1, 1);
  std::vector<float> rows;
  for (size_t r = 0; r < 300; ++r) {
    std::vector<float> row(dim);
    for (float& x : row) x = float(trit(rng));
    for (int copy = 0; copy < 3; ++copy) rows.insert(rows.end(), row.begin(), row.end());
  }
  std::vector<float> query(dim);
  for (float& x : query) x = float(trit(rng));
  for (size_t k : {1, 2, 3, 4, 10, 31, 900}) check_query(rows, dim, query, k);
  check_query(rows, dim, std::vector<float>(dim, 0.0f), 10);  // every score 0: all tied
}

TEST_CASE("item index handles extreme and non-finite values", "[item_index]") {
  std::mt19937 rng(test_seed());
  const size_t n = 400, dim = 32;
  auto rows = normal_values(rng, n * dim);
  std::uniform_real_distribution<float> exponent(-20.0f, 20.0f);
  for (size_t r = 0; r < n; ++r) {  // rows whose magnitudes span 40 orders
    const float scale = std::pow(10.0f, exponent(rng));
    for (size_t d = 0; d < dim; ++d) rows[r * dim + d] *= scale;
  }
  rows[3 * dim + 5] = kNaN;
  rows[10 * dim] = kInf;
  rows[11 * dim + 7] = -kInf;
  for (size_t d = 0; d < dim; ++d) rows[20 * dim + d] = 0.0f;
  for (size_t d = 0; d < dim; ++d) rows[21 * dim + d] = 1e-36f * float(d + 1);  // below the bounded range
  rows[22 * dim + 1] = 3e37f;                                                   // above it
  rows[23 * dim + 2] = -0.0f;
  for (size_t k : {1, 7, 50, 400}) {
    check_query(rows, dim, normal_values(rng, dim), k);
    check_query(rows, dim, normal_values(rng, dim, 1e-12f), k);
    auto query = normal_values(rng, dim);
    query[4] = kNaN;  // a NaN query scans in float: every score NaN, nothing selected
    check_query(rows, dim, query, k);
    query[4] = kInf;
    check_query(rows, dim, query, k);
    check_query(rows, dim, normal_values(rng, dim, 1e20f), k);   // past the bounded range: float scan
    check_query(rows, dim, normal_values(rng, dim, 1e-35f), k);  // below it: float scan
  }
}

TEST_CASE("item index past the int8 dimension scans in float", "[item_index]") {
  std::mt19937 rng(test_seed());
  const size_t dim = vitrine::kMaxI8I16DotDim + 1, n = 50;
  const size_t rescored = check_query(normal_values(rng, n * dim), dim, normal_values(rng, dim), 5);
  CHECK(rescored == n);
}

TEST_CASE("item index rejects bad tables", "[item_index]") {
  const std::vector<float> rows(12, 1.0f);
  CHECK(ItemIndex::build(rows.data(), 3, 0, kNoLimit).status().code() == vitrine::StatusCode::kINVALID_ARGUMENT);
  CHECK(ItemIndex::build(nullptr, 3, 4, kNoLimit).status().code() == vitrine::StatusCode::kINVALID_ARGUMENT);
  CHECK(ItemIndex::build(rows.data(), 3, 4, 2).status().code() == vitrine::StatusCode::kLIMIT_EXCEEDED);
  auto empty = ItemIndex::build(nullptr, 0, 4, kNoLimit);
  REQUIRE(empty.ok());
  const float query[4] = {1, 2, 3, 4};
  CHECK(empty.value().top_k(query, 5, vitrine::select_kernel_table(), nullptr, nullptr) == 0);
  auto three = ItemIndex::build(rows.data(), 3, 4, kNoLimit);
  REQUIRE(three.ok());
  CHECK(three.value().top_k(query, 0, vitrine::select_kernel_table(), nullptr, nullptr) == 0);
}
