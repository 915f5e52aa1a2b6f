// MlpScorer (tiled, fused layer stack) against mlp_score_reference (unfused scalar layers), natively, under
// ASan/UBSan and as wasm.
#include "vitrine/mlp.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "vitrine/kernels.h"

using vitrine::Activation;
using vitrine::StatusCode;
using vitrine::testing::close;
using vitrine::testing::MisalignedBuffer;
using vitrine::testing::test_seed;

// ------------------------------------------------------------------------------------------------ MLP scorer

namespace {

// Random layers for a chain of widths; weights scaled by 1/sqrt(in) so activations neither vanish nor saturate.
struct TestMlp {
  std::vector<std::vector<float>> weights, biases;
  std::vector<vitrine::DenseLayerSpec> specs;

  TestMlp(const std::vector<size_t>& widths, const std::vector<Activation>& acts, std::mt19937& rng) {
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
      const float scale = 2.0f / std::sqrt(float(widths[i]));
      std::uniform_real_distribution<float> dist(-scale, scale);
      weights.emplace_back(widths[i] * widths[i + 1]);
      biases.emplace_back(widths[i + 1]);
      for (float& v : weights.back()) v = dist(rng);
      for (float& v : biases.back()) v = dist(rng);
    }
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
      specs.push_back({widths[i], widths[i + 1], weights[i].data(), biases[i].data(), acts[i]});
    }
  }
};

void check_mlp(const vitrine::FcKernelTable& table, const std::vector<size_t>& widths,
               const std::vector<Activation>& acts, size_t tile_rows, size_t n, size_t misalign) {
  INFO("seed " << test_seed() << " table " << table.name << " tile " << tile_rows << " n " << n << " misalign "
               << misalign << " layers " << acts.size());
  std::mt19937 rng(test_seed());
  TestMlp mlp(widths, acts, rng);
  MisalignedBuffer features(n * widths.front(), misalign);
  features.fill_uniform(rng);
  const size_t out = widths.back();
  std::vector<float> expected(n * out + 1, -7.25f);
  MisalignedBuffer actual(n * out + 1, misalign);
  actual.fill(-7.25f);

  REQUIRE(vitrine::mlp_score_reference(mlp.specs, features.data(), n, expected.data()).ok());
  auto scorer = vitrine::MlpScorer::create(mlp.specs, table, tile_rows);
  INFO(scorer.status().to_string());
  REQUIRE(scorer.ok());
  REQUIRE(scorer.value().input_dim() == widths.front());
  REQUIRE(scorer.value().output_dim() == out);
  REQUIRE(scorer.value().layer_count() == acts.size());
  REQUIRE(scorer.value().score(features.data(), n, actual.data()).ok());
  for (size_t i = 0; i < n * out; ++i) {
    INFO("row " << i / out << " output " << i % out << " got " << actual.data()[i] << " want " << expected[i]);
    // Rounding differences pass through three layers of O(1) activations; 1e-4 is far below any indexing error.
    REQUIRE(close(actual.data()[i], expected[i], 1e-4f));
  }
  REQUIRE(actual.data()[n * out] == -7.25f);
}

const std::vector<size_t> kReferenceWidths = {128, 64, 32, 1};
const std::vector<Activation> kReferenceActs = {Activation::kRelu, Activation::kRelu, Activation::kSigmoid};

}  // namespace

TEST_CASE("MlpScorer matches the unfused scalar reference at every tile edge", "[mlp]") {
  for (const vitrine::FcKernelTable* table : {&vitrine::scalar_fc_kernel_table(), &vitrine::select_fc_kernel_table()}) {
    for (size_t tile : {1, 4, 64}) {
      for (size_t n : {1, 3, 63, 64, 65, 129}) check_mlp(*table, kReferenceWidths, kReferenceActs, tile, n, n % 4);
    }
    check_mlp(*table, kReferenceWidths, kReferenceActs, 128, 300, 1);
    // Odd widths and several outputs exercise the partial panels of every layer.
    check_mlp(*table, {13, 9, 17, 3}, {Activation::kSigmoid, Activation::kNone, Activation::kRelu}, 5, 23, 2);
    check_mlp(*table, {7, 2}, {Activation::kNone}, 3, 10, 3);
  }
}

TEST_CASE("MlpScorer scores the same rows identically whatever the tile", "[mlp]") {
  // Rows are independent, so a scorer's output may not depend on where the tile boundaries fall.
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed());
  TestMlp mlp(kReferenceWidths, kReferenceActs, rng);
  const size_t n = 70;
  MisalignedBuffer features(n * 128, 0);
  features.fill_uniform(rng);
  auto whole = vitrine::MlpScorer::create(mlp.specs, vitrine::select_fc_kernel_table(), 128);
  REQUIRE(whole.ok());
  std::vector<float> expected(n);
  REQUIRE(whole.value().score(features.data(), n, expected.data()).ok());
  for (size_t tile : {4, 8, 64}) {
    auto scorer = vitrine::MlpScorer::create(mlp.specs, vitrine::select_fc_kernel_table(), tile);
    REQUIRE(scorer.ok());
    std::vector<float> actual(n);
    REQUIRE(scorer.value().score(features.data(), n, actual.data()).ok());
    for (size_t i = 0; i < n; ++i) {
      INFO("tile " << tile << " row " << i);
      REQUIRE(close(actual[i], expected[i], 1e-5f));
    }
  }
}

TEST_CASE("MlpScorer rejects bad layers and inputs with a Status", "[mlp]") {
  std::mt19937 rng(test_seed());
  TestMlp mlp(kReferenceWidths, kReferenceActs, rng);
  const auto& table = vitrine::select_fc_kernel_table();

  CHECK(vitrine::MlpScorer::create({}, table).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(vitrine::MlpScorer::create(mlp.specs, table, 0).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(vitrine::MlpScorer::create(mlp.specs, table, vitrine::kMaxMlpTileRows + 1).status().code() ==
        StatusCode::kINVALID_ARGUMENT);

  auto broken_chain = mlp.specs;
  broken_chain[1].in = 63;
  auto chain = vitrine::MlpScorer::create(broken_chain, table);
  CHECK(chain.status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(chain.status().message().find("layer 1") != std::string::npos);

  auto null_weights = mlp.specs;
  null_weights[2].weights = nullptr;
  auto weights = vitrine::MlpScorer::create(null_weights, table);
  CHECK(weights.status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(weights.status().message().find("layer 2") != std::string::npos);
  std::vector<float> scores(4);
  CHECK(vitrine::mlp_score_reference(null_weights, nullptr, 0, scores.data()).code() == StatusCode::kINVALID_ARGUMENT);

  // Scratch of tile_rows x widest hidden layer: 4096 x 2^20 floats would wrap a 32-bit size_t.
  const std::vector<float> wide(vitrine::kMaxFcDim, 0.01f);
  const std::vector<vitrine::DenseLayerSpec> huge = {{1, vitrine::kMaxFcDim, wide.data(), nullptr, Activation::kRelu},
                                                     {vitrine::kMaxFcDim, 1, wide.data(), nullptr, Activation::kNone}};
  CHECK(vitrine::MlpScorer::create(huge, table, vitrine::kMaxMlpTileRows).status().code() ==
        StatusCode::kLIMIT_EXCEEDED);

  vitrine::MlpScorer empty;
  CHECK(empty.score(nullptr, 0, nullptr).code() == StatusCode::kNO_MODEL);

  auto scorer = vitrine::MlpScorer::create(mlp.specs, table);
  REQUIRE(scorer.ok());
  CHECK(scorer.value().score(nullptr, 4, scores.data()).code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(scorer.value().score(nullptr, 0, nullptr).ok());
}
