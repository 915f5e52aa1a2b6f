// MLP model files (kind "mlp"): round trip through ModelFileWriter/ModelFile into an MlpScorer, and refusal of
// wrong kinds, broken configs and mis-shaped or extra tensors. Runs natively, under sanitizers and as wasm.
#include "vitrine/mlp_model_io.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "test_support.h"
#include "vitrine/mlp.h"
#include "vitrine/mlp_model_writer.h"
#include "vitrine/model_file.h"
#include "vitrine/model_file_writer.h"

using vitrine::Activation;
using vitrine::ModelFile;
using vitrine::ModelFileWriter;
using vitrine::StatusCode;
using json = nlohmann::json;

using vitrine::testing::test_seed;

namespace {

vitrine::MlpModelWeights random_mlp(const std::vector<size_t>& widths, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  vitrine::MlpModelWeights m;
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    vitrine::MlpLayerWeights l;
    l.in = widths[i];
    l.out = widths[i + 1];
    l.activation = i + 2 == widths.size() ? Activation::kSigmoid : Activation::kRelu;
    l.weights.resize(l.in * l.out);
    l.bias.resize(l.out);
    for (float& v : l.weights) v = dist(rng);
    for (float& v : l.bias) v = dist(rng);
    m.layers.push_back(std::move(l));
  }
  for (size_t j = 0; j < widths.back(); ++j) m.output_names.push_back("out" + std::to_string(j));
  return m;
}

vitrine::Result<vitrine::MlpModelWeights> read_bytes(const std::vector<uint8_t>& bytes) {
  auto file = ModelFile::parse(bytes.data(), bytes.size());
  if (!file.ok()) return file.status();
  return vitrine::read_mlp_model(file.value());
}

// A file written by hand, so the reader can be fed what write_mlp_model refuses to produce.
struct RawMlp {
  std::string kind = "mlp";
  json config = {{"layers", json::array({{{"in", 3}, {"out", 2}, {"activation", "relu"}},
                                         {{"in", 2}, {"out", 1}, {"activation", "sigmoid"}}})}};
  std::vector<std::string> vocab = {"score"};
  struct T {
    std::string name;
    std::vector<size_t> shape;
  };
  std::vector<T> tensors = {{"fc0_w", {3, 2}}, {"fc0_b", {2}}, {"fc1_w", {2, 1}}, {"fc1_b", {1}}};

  std::vector<uint8_t> bytes() const {
    ModelFileWriter w;
    w.set_kind(kind);
    w.set_config(config);
    REQUIRE(w.set_vocabulary(vocab).ok());
    for (const T& t : tensors) {
      size_t count = 1;
      for (size_t d : t.shape) count *= d;
      std::vector<float> values(count, 0.25f);
      REQUIRE(w.add_f32(t.name, t.shape, values.data(), count).ok());
    }
    auto out = w.serialize();
    REQUIRE(out.ok());
    return out.value();
  }
};

void require_corrupt(const RawMlp& raw, const std::string& fragment) {
  auto r = read_bytes(raw.bytes());
  INFO(r.status().to_string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kMODEL_CORRUPT);
  CHECK(r.status().message().find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("mlp model file round trip scores like the in-memory layers", "[mlp_model_io]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed());
  const auto model = random_mlp({128, 64, 32, 1}, rng);
  auto bytes = vitrine::write_mlp_model(model, {{"seed", 1}});
  REQUIRE(bytes.ok());
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  REQUIRE(file.ok());
  CHECK(file.value().kind() == "mlp");
  CHECK(file.value().training().find("seed")->as_uint64() == 1u);
  auto read = vitrine::read_mlp_model(file.value());
  REQUIRE(read.ok());
  const auto& back = read.value();
  REQUIRE(back.layers.size() == 3);
  CHECK(back.output_names == model.output_names);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(back.layers[i].in == model.layers[i].in);
    CHECK(back.layers[i].out == model.layers[i].out);
    CHECK(back.layers[i].activation == model.layers[i].activation);
    CHECK(back.layers[i].weights == model.layers[i].weights);  // f32 storage: bit exact
    CHECK(back.layers[i].bias == model.layers[i].bias);
  }

  const size_t n = 37;
  std::vector<float> features(n * 128);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : features) v = dist(rng);
  std::vector<float> expected(n), actual(n, -1.0f);
  REQUIRE(vitrine::mlp_score_reference(model.layer_specs(), features.data(), n, expected.data()).ok());
  auto scorer = vitrine::MlpScorer::create(back.layer_specs(), vitrine::select_fc_kernel_table());
  REQUIRE(scorer.ok());
  REQUIRE(scorer.value().score(features.data(), n, actual.data()).ok());
  for (size_t r = 0; r < n; ++r) CHECK(std::fabs(actual[r] - expected[r]) <= 1e-5f);
}

TEST_CASE("mlp writer refuses inconsistent layers", "[mlp_model_io]") {
  std::mt19937 rng(test_seed());
  auto model = random_mlp({4, 3, 2}, rng);
  SECTION("broken chain") {
    model.layers[1].in = 5;
    model.layers[1].weights.resize(5 * 2);
  }
  SECTION("wrong weight count") {
    model.layers[0].weights.pop_back();
  }
  SECTION("wrong bias count") {
    model.layers[1].bias.push_back(0.0f);
  }
  SECTION("output names do not match the outputs") {
    model.output_names.pop_back();
  }
  SECTION("no layers") {
    model.layers.clear();
  }
  auto bytes = vitrine::write_mlp_model(model);
  INFO(bytes.status().to_string());
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.status().code() == StatusCode::kINVALID_ARGUMENT);
}

TEST_CASE("mlp reader accepts the hand-written file", "[mlp_model_io]") {
  auto r = read_bytes(RawMlp().bytes());
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  CHECK(r.value().layers.size() == 2);
  CHECK(r.value().layers[0].weights == std::vector<float>(6, 0.25f));
}

TEST_CASE("mlp reader refuses bad kinds, configs and shapes", "[mlp_model_io]") {
  RawMlp raw;
  SECTION("another kind") {
    raw.kind = "session_attn";
    require_corrupt(raw, "kind");
  }
  SECTION("no layers") {
    raw.config = {{"layers", json::array()}};
    require_corrupt(raw, "non-empty");
  }
  SECTION("extra config field") {
    raw.config["dim"] = 3;
    require_corrupt(raw, "exactly one field");
  }
  SECTION("layer field of the wrong type") {
    raw.config["layers"][0]["in"] = "3";
    require_corrupt(raw, "layers[0].in");
  }
  SECTION("negative size") {
    raw.config["layers"][1]["out"] = -1;
    require_corrupt(raw, "layers[1].out");
  }
  SECTION("unknown activation") {
    raw.config["layers"][0]["activation"] = "tanh";
    require_corrupt(raw, "tanh");
  }
  SECTION("broken chain") {
    raw.config["layers"][1]["in"] = 3;
    raw.tensors[2].shape = {3, 1};
    require_corrupt(raw, "previous layer gives 2");
  }
  SECTION("weight tensor transposed") {
    raw.tensors[0].shape = {2, 3};
    require_corrupt(raw, "fc0_w");
  }
  SECTION("bias of the wrong length") {
    raw.tensors[3].shape = {2};
    require_corrupt(raw, "fc1_b");
  }
  SECTION("missing tensor") {
    raw.tensors.pop_back();
    require_corrupt(raw, "fc1_b");
  }
  SECTION("extra tensor") {
    raw.tensors.push_back({"fc2_w", {1, 1}});
    require_corrupt(raw, "unexpected tensor 'fc2_w'");
  }
  SECTION("vocabulary does not name the outputs") {
    raw.vocab = {"a", "b"};
    require_corrupt(raw, "vocab names 2 outputs");
  }
}

TEST_CASE("mlp reader refuses layers past the limits", "[mlp_model_io]") {
  RawMlp raw;
  raw.config["layers"][0]["in"] = uint64_t{vitrine::kMaxFcDim} + 1;
  auto r = read_bytes(raw.bytes());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kLIMIT_EXCEEDED);
}

TEST_CASE("activation names read back", "[mlp_model_io]") {
  for (Activation a : {Activation::kNone, Activation::kRelu, Activation::kSigmoid}) {
    auto r = vitrine::activation_from_name(vitrine::activation_name(a));
    REQUIRE(r.ok());
    CHECK(r.value() == a);
  }
  CHECK(vitrine::activation_from_name("Relu").status().code() == StatusCode::kINVALID_ARGUMENT);
}
