// Full-catalog top-K by dot product, exact and about four times lighter on memory than a float scan.
//
// The item table is kept twice: in float, and as int8 rows with one scale per row. A query is first scored
// against the int8 copy (a quarter of the bytes a float scan reads, which is what bounds a scan of tens of
// thousands of rows), each approximate score comes with a rigorous bound on its distance from the float score,
// and only the rows whose upper bound reaches the k-th best lower bound are rescored in float. The result is
// the same, entry for entry and bit for bit, as scoring every row with kernels.f32_dot_rows and selecting with
// kernels.f32_topk (tests/core/item_index_test.cc checks this on random, tied, extreme and non-finite tables).
//
// Why the bound holds, for row x with scale s (x ~ s * c, |x_k - s c_k| <= s/2) and query q with scale t
// (q ~ t * p, |q_k - t p_k| <= t/2):
//   |q.x - s t (p.c)| <= s/2 * (|q|_1 + t * |c|_1)            quantization
//   |float dot - q.x| <= (dim + 2) * 2^-24 * max|q| * |x|_1    rounding of the float score, in any order
// plus a relative pad for the float arithmetic of the bound itself. Rows the scheme cannot bound (non-finite
// values, magnitudes past 1e15 or below 1e-30) are always rescored; so is every row when the query itself is
// out of that range or the dimension is past kMaxI8I16DotDim.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vitrine/kernels.h"
#include "vitrine/status.h"

namespace vitrine {

class ItemIndex {
 public:
  ItemIndex() = default;

  // Copies `rows` ([n][dim] floats, row-major; the caller keeps ownership) and quantizes them.
  // INVALID_ARGUMENT for dim 0 or null rows with n > 0; LIMIT_EXCEEDED when n or n * dim is past `max_rows` /
  // what a size_t can address; OUT_OF_MEMORY. On error nothing is kept.
  static Result<ItemIndex> build(const float* rows, size_t n, size_t dim, size_t max_rows);

  size_t size() const { return n_; }
  size_t dim() const { return dim_; }

  // The k best rows for `query` (dim floats), best first, with f32_topk's rules (ties by lower row, NaN never
  // selected): writes min(k, rows with a non-NaN score) entries to out_index / out_score and returns how many.
  // out_index and out_score need room for min(k, size()) entries. Not thread-safe: uses the index's scratch.
  size_t top_k(const float* query, size_t k, const KernelTable& kernels, uint32_t* out_index, float* out_score);

  // Rows rescored in float by the last top_k (all of them when it scanned in float): for tests and benchmarks.
  size_t last_rescored() const { return last_rescored_; }

 private:
  size_t scan_all_in_float(const float* query, size_t k, const KernelTable& kernels, uint32_t* out_index,
                           float* out_score);

  size_t n_ = 0, dim_ = 0;
  bool quantized_ = false;
  std::vector<float> rows_;     // [n][dim]
  std::vector<int8_t> codes_;   // [n][dim], row r ~ scale_[r] * codes
  std::vector<float> scale_;    // per row; 0 for rows that are always rescored
  std::vector<float> code_l1_;  // per row: sum of |codes|
  std::vector<float> row_l1_;   // per row: sum of |x|, +inf for rows that are always rescored
  std::vector<int16_t> query_codes_;
  std::vector<int32_t> dots_;      // scratch: integer scores
  std::vector<float> scores_;      // scratch: lower bounds, then float scores of the rescored rows
  std::vector<float> upper_;       // scratch: upper bounds
  std::vector<uint32_t> rescore_;  // scratch: rows to rescore
  size_t last_rescored_ = 0;
};

}  // namespace vitrine
