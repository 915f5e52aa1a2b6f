#include "vitrine/item_index.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <string>

namespace vitrine {
namespace {

constexpr int kRowCodeMax = 127;
constexpr int kQueryCodeMax = 32767;
// Magnitudes the bound is computed for: past 1e15 its float arithmetic could overflow, below 1e-30 a scale would
// be subnormal and lose its relative precision. Rows outside are always rescored; queries outside scan in float.
constexpr float kLargestBounded = 1e15f;
constexpr float kSmallestBounded = 1e-30f;
// Half a quantization step, enlarged by 2^-14 for the float rounding of the stored scales (127 * 2^-24 of a scale).
constexpr float kHalfStep = 0.5f + 1.0f / 16384.0f;
// Pads of the interval: relative for the few float roundings of the bound itself (each 2^-24), absolute for
// underflow in the float score (at most dim products, each off by at most 2^-149).
constexpr float kRelativePad = 4e-6f;
constexpr float kAbsolutePad = 1e-37f;
constexpr float kInf = std::numeric_limits<float>::infinity();

// The query's side of every row's bound.
struct QueryTerms {
  float step;         // the query's scale t
  float alpha, beta;  // row error = scale * (alpha + beta * code_l1) + gamma * row_l1
  float gamma;
};

struct Interval {
  float lo, hi;
};

// What the bound needs to know of a vector's values: the largest magnitude and the sum of magnitudes (in double, so
// its rounding stays far below the pads), and whether every value is finite.
struct Magnitudes {
  float largest = 0.0f;
  double l1 = 0.0;
  bool finite = true;
};

inline Magnitudes magnitudes(const float* x, size_t dim) {
  Magnitudes m;
  for (size_t k = 0; k < dim; ++k) {
    const float magnitude = std::fabs(x[k]);
    m.finite = m.finite && magnitude <= FLT_MAX;
    m.largest = std::max(m.largest, magnitude);
    m.l1 += magnitude;
  }
  return m;
}

inline Interval score_interval(const QueryTerms& q, float scale, float code_l1, float row_l1, int32_t dot) {
  const float approx = scale * (q.step * static_cast<float>(dot));
  const float error = scale * (q.alpha + q.beta * code_l1) + q.gamma * row_l1;
  const float pad = kRelativePad * (std::fabs(approx) + error) + kAbsolutePad;
  return {approx - error - pad, approx + error + pad};
}

}  // namespace

Result<ItemIndex> ItemIndex::build(const float* rows, size_t n, size_t dim, size_t max_rows) {
  if (dim == 0) return Status(StatusCode::kINVALID_ARGUMENT, "item index: dim must be at least 1");
  if (rows == nullptr && n > 0) return Status(StatusCode::kINVALID_ARGUMENT, "item index: null rows");
  if (n > max_rows || n > UINT32_MAX || n > SIZE_MAX / sizeof(float) / dim) {
    return Status(StatusCode::kLIMIT_EXCEEDED,
                  "item index: " + std::to_string(n) + " rows of dim " + std::to_string(dim) + " are past the limit");
  }
  try {
    ItemIndex index;
    index.n_ = n;
    index.dim_ = dim;
    index.quantized_ = dim <= kMaxI8I16DotDim;
    index.rows_.assign(rows, rows + n * dim);
    index.scores_.resize(n);
    index.rescore_.resize(n);
    if (!index.quantized_) return Result<ItemIndex>(std::move(index));
    index.codes_.resize(n * dim);
    index.scale_.resize(n);
    index.code_l1_.resize(n);
    index.row_l1_.resize(n);
    index.query_codes_.resize(dim);
    index.dots_.resize(n);
    index.upper_.resize(n);
    for (size_t r = 0; r < n; ++r) {
      const float* x = rows + r * dim;
      const auto [largest, l1, finite] = magnitudes(x, dim);
      if (!finite || largest > kLargestBounded || (largest > 0.0f && largest < kSmallestBounded)) {
        index.row_l1_[r] = kInf;  // scale 0 and codes 0 stay; the infinite error term makes it always rescored
        continue;
      }
      if (largest == 0.0f) continue;  // every product is zero: the float score is exactly 0
      const double scale = largest / double(kRowCodeMax);
      int code_l1 = 0;
      for (size_t k = 0; k < dim; ++k) {
        const long code = std::clamp(std::lround(x[k] / scale), -long{kRowCodeMax}, long{kRowCodeMax});
        index.codes_[r * dim + k] = static_cast<int8_t>(code);
        code_l1 += static_cast<int>(code < 0 ? -code : code);
      }
      index.scale_[r] = static_cast<float>(scale);
      index.code_l1_[r] = static_cast<float>(code_l1);
      index.row_l1_[r] = static_cast<float>(l1);
    }
    return Result<ItemIndex>(std::move(index));
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kOUT_OF_MEMORY, "out of memory building the item index");
  }
}

size_t ItemIndex::scan_all_in_float(const float* query, size_t k, const KernelTable& kernels, uint32_t* out_index,
                                    float* out_score) {
  kernels.f32_dot_rows(query, rows_.data(), n_, dim_, dim_, scores_.data());
  last_rescored_ = n_;
  return kernels.f32_topk(scores_.data(), n_, k, out_index, out_score);
}

size_t ItemIndex::top_k(const float* query, size_t k, const KernelTable& kernels, uint32_t* out_index,
                        float* out_score) {
  last_rescored_ = 0;
  if (k == 0 || n_ == 0) return 0;
  k = std::min(k, n_);
  if (!quantized_) return scan_all_in_float(query, k, kernels, out_index, out_score);

  const auto [largest, l1, finite] = magnitudes(query, dim_);
  if (!finite || largest > kLargestBounded || largest < kSmallestBounded) {
    return scan_all_in_float(query, k, kernels, out_index, out_score);
  }
  QueryTerms terms;
  terms.step = static_cast<float>(largest / double(kQueryCodeMax));
  for (size_t i = 0; i < dim_; ++i) {
    const long code = std::lround(double(query[i]) / double(terms.step));
    query_codes_[i] = static_cast<int16_t>(std::clamp(code, -long{kQueryCodeMax}, long{kQueryCodeMax}));
  }
  terms.alpha = kHalfStep * static_cast<float>(l1);
  terms.beta = kHalfStep * terms.step;
  // (dim + 2) roundings of 2^-24 bound the float score's error, times max|q| * |x|_1 >= sum |q_k x_k|.
  terms.gamma = float(dim_ + 2) * (1.001f / 16777216.0f) * largest;

  kernels.i8i16_dot_rows(query_codes_.data(), codes_.data(), n_, dim_, dots_.data());
  for (size_t r = 0; r < n_; ++r) {  // a plain loop over arrays, which the compiler vectorises
    const Interval bounds = score_interval(terms, scale_[r], code_l1_[r], row_l1_[r], dots_[r]);
    scores_[r] = bounds.lo;
    upper_[r] = bounds.hi;
  }
  // The k-th best lower bound: each of the true k best scores is at least this, so a row whose upper bound falls
  // short of it cannot be among them. (Lower bounds are never NaN, so f32_topk returns k of them.)
  const size_t have = kernels.f32_topk(scores_.data(), n_, k, out_index, out_score);
  const float threshold = have < k ? -kInf : out_score[k - 1];
  size_t candidates = 0;
  for (size_t r = 0; r < n_; ++r) {
    if (upper_[r] >= threshold) rescore_[candidates++] = static_cast<uint32_t>(r);
  }
  // Rescored in increasing row order, so f32_topk's "lower index first" on ties is the table's order too.
  for (size_t j = 0; j < candidates; ++j) {
    kernels.f32_dot_rows(query, rows_.data() + size_t{rescore_[j]} * dim_, 1, dim_, dim_, &scores_[j]);
  }
  last_rescored_ = candidates;
  const size_t count = kernels.f32_topk(scores_.data(), candidates, k, out_index, out_score);
  for (size_t i = 0; i < count; ++i) out_index[i] = rescore_[out_index[i]];
  return count;
}

}  // namespace vitrine
