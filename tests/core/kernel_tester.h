// Test helpers for kernels, in the style of XNNPACK's testers: a builder that fixes the shape, fills inputs from
// a printed seed, runs the kernel under test and its scalar reference on the same data, and compares.
//
// The check_* functions sweep the shapes every variant of an op must pass; kernels_test.cc runs them for the
// portable and wasm variants, kernels_native_test.cc for XNNPACK and Eigen.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "test_support.h"
#include "vitrine/kernels.h"

namespace vitrine::testing {

// A float buffer whose data() starts `misalign_floats` past a 64-byte boundary, to test unaligned inputs.
class MisalignedBuffer {
 public:
  MisalignedBuffer(size_t n, size_t misalign_floats) : storage_(n + 16 + misalign_floats), offset_(0) {
    auto addr = reinterpret_cast<uintptr_t>(storage_.data());
    size_t to_boundary = ((64 - addr % 64) % 64) / sizeof(float);
    offset_ = to_boundary + misalign_floats;
    storage_.resize(offset_ + n);
  }
  float* data() { return storage_.data() + offset_; }
  size_t size() const { return storage_.size() - offset_; }
  void fill_uniform(std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> dist(lo, hi);
    for (size_t i = 0; i < size(); ++i) data()[i] = dist(rng);
  }
  void fill(float value) { std::fill(data(), data() + size(), value); }

 private:
  std::vector<float> storage_;
  size_t offset_;
};

// Relative-or-absolute closeness for kernels whose summation order differs from the reference.
inline bool close(float a, float b, float tol = 1e-5f) {
  return std::fabs(a - b) <= tol * std::max(1.0f, std::max(std::fabs(a), std::fabs(b)));
}

// Rounding bound for two float sums of `terms` products whose magnitudes add up to `abs_sum`, computed in any
// order and with or without FMA (about 2 * terms * epsilon * abs_sum), plus slack for exp() in a sigmoid.
inline float sum_error_bound(size_t terms, float abs_sum) {
  return 2.0f * float(terms + 1) * std::numeric_limits<float>::epsilon() * abs_sum + 2e-6f;
}

inline const char* name_of(Activation a) {
  return activation_name(a);
}

// ------------------------------------------------------------------------------------------------ fully connected

class FcTester {
 public:
  FcTester& rows(size_t n) {
    rows_ = n;
    return *this;
  }
  FcTester& input_dim(size_t d) {
    in_ = d;
    return *this;
  }
  FcTester& output_dim(size_t d) {
    out_ = d;
    return *this;
  }
  FcTester& activation(Activation a) {
    act_ = a;
    return *this;
  }
  FcTester& bias(bool has_bias) {
    has_bias_ = has_bias;
    return *this;
  }
  FcTester& misalign(size_t floats) {
    misalign_ = floats;
    return *this;
  }

  void test(F32FcCreateFn create) const {
    INFO("seed " << test_seed() << " rows " << rows_ << " in " << in_ << " out " << out_ << " act " << name_of(act_)
                 << " bias " << has_bias_ << " misalign " << misalign_);
    std::mt19937 rng(test_seed());
    MisalignedBuffer x(rows_ * in_, misalign_), w(in_ * out_, misalign_), b(out_, misalign_);
    x.fill_uniform(rng);
    w.fill_uniform(rng);
    b.fill_uniform(rng);
    const float* bias = has_bias_ ? b.data() : nullptr;

    auto reference = f32_fc_scalar(in_, out_, w.data(), bias, act_);
    auto layer = create(in_, out_, w.data(), bias, act_);
    REQUIRE(reference.ok());
    INFO(layer.status().to_string());
    REQUIRE(layer.ok());
    REQUIRE(layer.value()->input_dim() == in_);
    REQUIRE(layer.value()->output_dim() == out_);
    REQUIRE(layer.value()->activation() == act_);
    INFO("backend " << layer.value()->backend());

    // The layer owns its weights: keep a copy for the error bound, then scribble over the caller's arrays.
    const std::vector<float> w_copy(w.data(), w.data() + in_ * out_), b_copy(b.data(), b.data() + out_);
    w.fill(std::numeric_limits<float>::quiet_NaN());
    b.fill(std::numeric_limits<float>::quiet_NaN());

    const float sentinel = -7.25f;
    std::vector<float> expected(rows_ * out_ + 1, sentinel);
    MisalignedBuffer actual(rows_ * out_ + 1, misalign_);
    actual.fill(sentinel);
    REQUIRE(reference.value()->run(x.data(), rows_, expected.data()).ok());
    // Twice: the second run catches state left behind by the first (XNNPACK set-up, padded copies).
    for (int pass = 0; pass < 2; ++pass) {
      REQUIRE(layer.value()->run(x.data(), rows_, actual.data()).ok());
      for (size_t r = 0; r < rows_; ++r) {
        for (size_t o = 0; o < out_; ++o) {
          // |x|.|W| + |b| bounds the rounding of both sums; relu and sigmoid never enlarge a difference.
          float abs_sum = has_bias_ ? std::fabs(b_copy[o]) : 0.0f;
          for (size_t k = 0; k < in_; ++k) abs_sum += std::fabs(x.data()[r * in_ + k] * w_copy[k * out_ + o]);
          const float got = actual.data()[r * out_ + o], want = expected[r * out_ + o];
          INFO("pass " << pass << " row " << r << " output " << o << " got " << got << " want " << want);
          REQUIRE(std::fabs(got - want) <= sum_error_bound(in_, abs_sum));
        }
      }
      REQUIRE(actual.data()[rows_ * out_] == sentinel);  // never writes past n rows
    }
  }

 private:
  size_t rows_ = 1, in_ = 1, out_ = 1, misalign_ = 0;
  Activation act_ = Activation::kNone;
  bool has_bias_ = true;
};

// The register tile of f32_fc_wasmsimd is 4 rows x 8 outputs, walked in blocks of 16 rows; XNNPACK's tiles
// are wider natively. Probe tile-1, tile, tile+1 of rows, row blocks and outputs, odd input sizes, all
// activations, with and without bias.
inline void check_fc(F32FcCreateFn create) {
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kSigmoid};
  size_t case_number = 0;
  for (size_t rows : {1, 3, 4, 5, 7, 8, 9}) {
    for (size_t out : {1, 7, 8, 9, 15, 16, 17}) {
      for (size_t in : {1, 3, 4, 5, 17}) {
        const Activation act = acts[case_number % 3];
        FcTester().rows(rows).input_dim(in).output_dim(out).activation(act).bias(case_number % 4 != 3).test(create);
        ++case_number;
      }
    }
  }
  for (size_t rows : {15, 16, 17, 31, 32, 33}) {
    for (size_t out : {9, 17}) {
      FcTester().rows(rows).input_dim(5).output_dim(out).activation(acts[rows % 3]).test(create);
    }
  }
  for (size_t misalign : {1, 2, 3}) {
    for (Activation act : acts) {
      FcTester().rows(5).input_dim(13).output_dim(11).activation(act).misalign(misalign).test(create);
      FcTester().rows(9).input_dim(3).output_dim(17).activation(act).misalign(misalign).test(create);
      // One output has its own SIMD tile (four rows in the lanes, 4x4 blocks of inputs): misaligned too.
      FcTester().rows(9).input_dim(13).output_dim(1).activation(act).misalign(misalign).test(create);
    }
  }
  // The benchmark model's shapes, at tile sizes of the MLP scorer.
  for (size_t rows : {63, 64, 65}) {
    FcTester().rows(rows).input_dim(128).output_dim(64).activation(Activation::kRelu).test(create);
    FcTester().rows(rows).input_dim(64).output_dim(32).activation(Activation::kRelu).test(create);
    FcTester().rows(rows).input_dim(32).output_dim(1).activation(Activation::kSigmoid).test(create);
  }
  FcTester().rows(33).input_dim(257).output_dim(31).misalign(1).test(create);
}

// Bad arguments fail with a Status and no layer; run() rejects null pointers and accepts n == 0.
inline void check_fc_errors(F32FcCreateFn create) {
  const std::vector<float> w(12, 0.5f);
  CHECK(create(0, 4, w.data(), nullptr, Activation::kNone).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(create(3, 0, w.data(), nullptr, Activation::kNone).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(create(3, 4, nullptr, nullptr, Activation::kNone).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(create(3, 4, w.data(), nullptr, static_cast<Activation>(7)).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(create(kMaxFcDim + 1, 1, w.data(), nullptr, Activation::kNone).status().code() == StatusCode::kLIMIT_EXCEEDED);
  CHECK(create(kMaxFcDim, kMaxFcDim, w.data(), nullptr, Activation::kNone).status().code() ==
        StatusCode::kLIMIT_EXCEEDED);

  auto layer = create(3, 4, w.data(), nullptr, Activation::kRelu);
  REQUIRE(layer.ok());
  float y[4] = {};
  const float x[3] = {1, 2, 3};
  CHECK(layer.value()->run(nullptr, 1, y).code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(layer.value()->run(x, 1, nullptr).code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(layer.value()->run(nullptr, 0, nullptr).ok());
}

// ------------------------------------------------------------------------------------------------ top-K

enum class ScoreShape {
  kUniform,     // distinct random scores
  kFewValues,   // many ties
  kWithNaN,     // every third score NaN, some infinities
  kAscending,   // every new score enters the heap
  kDescending,  // nothing enters after the first k
  kAllNaN,
  kSignedZeros,  // only +0 and -0: all ties
};

// The definition of top-K from first principles: stable sort of the non-NaN indices by descending score.
inline std::vector<uint32_t> topk_oracle(const float* scores, size_t n, size_t k) {
  std::vector<uint32_t> idx;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isnan(scores[i])) idx.push_back(static_cast<uint32_t>(i));
  }
  std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
  idx.resize(std::min(k, idx.size()));
  return idx;
}

class TopKTester {
 public:
  TopKTester& n(size_t v) {
    n_ = v;
    return *this;
  }
  TopKTester& k(size_t v) {
    k_ = v;
    return *this;
  }
  TopKTester& shape(ScoreShape s) {
    shape_ = s;
    return *this;
  }
  TopKTester& misalign(size_t floats) {
    misalign_ = floats;
    return *this;
  }

  void test(F32TopKFn topk) const {
    INFO("seed " << test_seed() << " n " << n_ << " k " << k_ << " shape " << static_cast<int>(shape_) << " misalign "
                 << misalign_);
    std::mt19937 rng(test_seed());
    MisalignedBuffer scores(n_, misalign_);
    fill(scores.data(), rng);

    const std::vector<uint32_t> want = topk_oracle(scores.data(), n_, k_);
    const size_t room = std::min(k_, n_);
    const uint32_t index_sentinel = 0xdeadbeefu;
    const float score_sentinel = -7.25f;
    std::vector<uint32_t> ref_index(room + 1, index_sentinel), got_index(room + 1, index_sentinel);
    std::vector<float> ref_score(room + 1, score_sentinel), got_score(room + 1, score_sentinel);

    const size_t ref_count = f32_topk_scalar(scores.data(), n_, k_, ref_index.data(), ref_score.data());
    const size_t got_count = topk(scores.data(), n_, k_, got_index.data(), got_score.data());
    REQUIRE(ref_count == want.size());
    REQUIRE(got_count == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      INFO("rank " << i << " want index " << want[i] << " reference " << ref_index[i] << " got " << got_index[i]);
      REQUIRE(ref_index[i] == want[i]);
      REQUIRE(got_index[i] == want[i]);
      // Bit-exact: the score is the input's own float, signed zero included.
      REQUIRE(std::memcmp(&got_score[i], scores.data() + want[i], sizeof(float)) == 0);
      REQUIRE(std::memcmp(&ref_score[i], scores.data() + want[i], sizeof(float)) == 0);
    }
    REQUIRE(got_index[room] == index_sentinel);  // never writes past min(k, n)
    REQUIRE(got_score[room] == score_sentinel);
  }

 private:
  void fill(float* s, std::mt19937& rng) const {
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::uniform_int_distribution<int> small(0, 4);
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < n_; ++i) {
      switch (shape_) {
        case ScoreShape::kUniform:
          s[i] = uniform(rng);
          break;
        case ScoreShape::kFewValues:
          s[i] = float(small(rng)) * 0.5f;
          break;
        case ScoreShape::kWithNaN:
          s[i] = i % 3 == 1 ? nan : i % 7 == 2 ? -inf : i % 11 == 5 ? inf : uniform(rng);
          break;
        case ScoreShape::kAscending:
          s[i] = float(i) * 0.25f - 3.0f;
          break;
        case ScoreShape::kDescending:
          s[i] = 3.0f - float(i) * 0.25f;
          break;
        case ScoreShape::kAllNaN:
          s[i] = nan;
          break;
        case ScoreShape::kSignedZeros:
          s[i] = small(rng) % 2 == 0 ? 0.0f : -0.0f;
          break;
      }
    }
  }

  size_t n_ = 1, k_ = 1, misalign_ = 0;
  ScoreShape shape_ = ScoreShape::kUniform;
};

// The block of the filtered variants is 16 scores; probe its edges, k around n, k = 0, n = 0 and every shape.
inline void check_topk(F32TopKFn topk) {
  const ScoreShape shapes[] = {ScoreShape::kUniform,    ScoreShape::kFewValues,  ScoreShape::kWithNaN,
                               ScoreShape::kAscending,  ScoreShape::kDescending, ScoreShape::kAllNaN,
                               ScoreShape::kSignedZeros};
  for (ScoreShape shape : shapes) {
    for (size_t n : {0, 1, 2, 15, 16, 17, 31, 32, 33, 47, 100, 1000}) {
      for (size_t k :
           {size_t{0}, size_t{1}, size_t{3}, size_t{16}, size_t{17}, n > 0 ? n - 1 : 0, n, n + 1, size_t{100}}) {
        TopKTester().n(n).k(k).shape(shape).test(topk);
      }
      TopKTester().n(n).k(5).shape(shape).misalign(1 + n % 3).test(topk);
    }
  }
  TopKTester().n(20000).k(50).test(topk);
  TopKTester().n(20000).k(50).shape(ScoreShape::kWithNaN).misalign(3).test(topk);
}

// ------------------------------------------------------------------------------------------------ dot products

class DotRowsTester {
 public:
  DotRowsTester& rows(size_t n) {
    rows_ = n;
    return *this;
  }
  DotRowsTester& dim(size_t d) {
    dim_ = d;
    return *this;
  }
  DotRowsTester& row_stride(size_t s) {
    stride_ = s;
    return *this;
  }
  DotRowsTester& misalign(size_t floats) {
    misalign_ = floats;
    return *this;
  }

  void test(F32DotRowsFn kernel) const {
    const size_t stride = stride_ == 0 ? dim_ : stride_;
    INFO("seed " << test_seed() << " rows " << rows_ << " dim " << dim_ << " stride " << stride << " misalign "
                 << misalign_);
    std::mt19937 rng(test_seed());
    MisalignedBuffer query(dim_, misalign_), table(rows_ * stride + 1, misalign_);
    query.fill_uniform(rng);
    table.fill_uniform(rng);
    std::vector<float> expected(rows_ + 1, -7.0f), actual(rows_ + 1, -7.0f);
    f32_dot_rows_scalar(query.data(), table.data(), rows_, dim_, stride, expected.data());
    kernel(query.data(), table.data(), rows_, dim_, stride, actual.data());
    for (size_t r = 0; r < rows_; ++r) {
      INFO("row " << r);
      REQUIRE(close(actual[r], expected[r]));
    }
    REQUIRE(actual[rows_] == -7.0f);  // never writes past n_rows
    // A row scored alone gets the same bits as in the batch (ItemIndex rescores single rows).
    for (size_t r = 0; r < rows_; ++r) {
      float alone = -7.0f;
      kernel(query.data(), table.data() + r * stride, 1, dim_, stride, &alone);
      INFO("row " << r << " alone " << alone << " in the batch " << actual[r]);
      REQUIRE(std::memcmp(&alone, &actual[r], sizeof(float)) == 0);
    }
  }

 private:
  size_t rows_ = 1, dim_ = 1, stride_ = 0, misalign_ = 0;
};

// int8 rows against an int16 query: integer results, so every variant must equal the reference exactly.
class I8I16DotRowsTester {
 public:
  I8I16DotRowsTester& rows(size_t n) {
    rows_ = n;
    return *this;
  }
  I8I16DotRowsTester& dim(size_t d) {
    dim_ = d;
    return *this;
  }
  I8I16DotRowsTester& misalign(size_t bytes) {
    misalign_ = bytes;
    return *this;
  }
  // Every value at its extreme (-127 rows, -32767 query, or +127/+32767), the largest sums the kernel must hold.
  I8I16DotRowsTester& extremes(bool on) {
    extremes_ = on;
    return *this;
  }

  void test(I8I16DotRowsFn kernel) const {
    INFO("seed " << test_seed() << " rows " << rows_ << " dim " << dim_ << " misalign " << misalign_ << " extremes "
                 << extremes_);
    std::mt19937 rng(test_seed());
    std::uniform_int_distribution<int> row_value(-127, 127), query_value(-32767, 32767), sign(0, 1);
    // Byte buffers with an odd offset, so neither operand is aligned.
    std::vector<int8_t> row_storage(rows_ * dim_ + 64 + misalign_);
    std::vector<int16_t> query_storage(dim_ + 32 + misalign_);
    int8_t* table = row_storage.data() + misalign_;
    int16_t* query = query_storage.data() + misalign_;
    for (size_t i = 0; i < rows_ * dim_; ++i) {
      table[i] = static_cast<int8_t>(extremes_ ? (sign(rng) ? 127 : -127) : row_value(rng));
    }
    for (size_t i = 0; i < dim_; ++i) {
      query[i] = static_cast<int16_t>(extremes_ ? (sign(rng) ? 32767 : -32767) : query_value(rng));
    }
    std::vector<int32_t> expected(rows_ + 1, -7), actual(rows_ + 1, -7);
    i8i16_dot_rows_scalar(query, table, rows_, dim_, expected.data());
    kernel(query, table, rows_, dim_, actual.data());
    for (size_t r = 0; r < rows_; ++r) {
      INFO("row " << r);
      REQUIRE(actual[r] == expected[r]);
    }
    REQUIRE(actual[rows_] == -7);  // never writes past n_rows
  }

 private:
  size_t rows_ = 1, dim_ = 1, misalign_ = 0;
  bool extremes_ = false;
};

// The rows tile of the SIMD kernel is 4 and its dim tile is 16: probe both edges of each, and the largest dim.
inline void check_i8i16_dot_rows(I8I16DotRowsFn kernel) {
  for (size_t rows : {1, 3, 4, 5, 7, 8, 9}) {
    for (size_t dim : {1, 15, 16, 17, 31, 32, 33, 64}) {
      I8I16DotRowsTester().rows(rows).dim(dim).test(kernel);
      I8I16DotRowsTester().rows(rows).dim(dim).misalign(3).test(kernel);
    }
  }
  for (size_t dim : {kMaxI8I16DotDim - 1, kMaxI8I16DotDim}) {
    I8I16DotRowsTester().rows(5).dim(dim).extremes(true).test(kernel);
  }
}

// The rows tile of the SIMD kernel is 4 and its dim tile is 4: probe both edges of each.
inline void check_dot_rows(F32DotRowsFn kernel) {
  for (size_t rows : {1, 3, 4, 5, 7, 8, 9, 63, 64, 65}) {
    for (size_t dim : {1, 3, 4, 5, 17, 63, 64, 65}) {
      DotRowsTester().rows(rows).dim(dim).test(kernel);
      DotRowsTester().rows(rows).dim(dim).misalign(1).test(kernel);
      DotRowsTester().rows(rows).dim(dim).row_stride(dim + 3).misalign(3).test(kernel);
    }
  }
}

}  // namespace vitrine::testing
