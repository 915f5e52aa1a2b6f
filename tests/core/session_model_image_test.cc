// The session model's optional image feature (config.image_dim): model file round trip, the item tower term
// v_i += img_i W_img at load time, and files without it reading as before. Runs natively and in wasm.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "vitrine/ranker.h"
#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"

using namespace vitrine;

namespace {

struct ImageModel {
  SessionModelWeights weights;
  std::vector<std::string> vocab;
};

ImageModel image_model(uint32_t seed, uint32_t image_dim) {
  SessionModelConfig c;
  c.vocab_size = 12;
  c.dim = 6;
  c.max_length = 4;
  c.image_dim = image_dim;
  ImageModel m;
  m.weights = SessionModelWeights::zeros(c).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  m.weights.for_each_param([&](const char*, std::vector<float>& p) {
    for (float& x : p) x = u(rng);
  });
  for (size_t i = image_dim; i < m.weights.item_image.size(); ++i) m.weights.item_image[i] = u(rng);  // row 0 stays 0
  for (uint32_t i = 1; i <= c.vocab_size; ++i) m.vocab.push_back("p" + std::to_string(i));
  return m;
}

Result<SessionModelWeights> round_trip(const ImageModel& m) {
  SessionModelExport options;
  options.item_storage = DType::kF32;
  auto bytes = write_session_model(m.weights, m.vocab, SessionModelContent(), options);
  if (!bytes.ok()) return bytes.status();
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  if (!file.ok()) return file.status();
  return read_session_model(file.value());
}

}  // namespace

TEST_CASE("image features survive the model file round trip", "[session_model][image]") {
  INFO("seed " << testing::test_seed());
  const ImageModel m = image_model(testing::test_seed(), 5);
  auto back = round_trip(m);
  INFO(back.status().to_string());
  REQUIRE(back.ok());
  CHECK(back.value().config.image_dim == 5);
  CHECK(back.value().image_proj == m.weights.image_proj);  // trained weights: exact
  REQUIRE(back.value().item_image.size() == m.weights.item_image.size());
  for (size_t i = 0; i < m.weights.item_image.size(); ++i)  // stored as f16
    REQUIRE(std::fabs(back.value().item_image[i] - m.weights.item_image[i]) <= 1e-3f);
}

TEST_CASE("the image term changes item vectors, and only where the image differs", "[session_model][image]") {
  ImageModel m = image_model(testing::test_seed(), 4);
  std::vector<float> with_image, changed;
  compute_item_vectors(m.weights, with_image);
  const size_t d = m.weights.config.dim;
  // Item 3's photo changes: its vector moves, the others stay.
  for (size_t k = 0; k < 4; ++k) m.weights.item_image[3 * 4 + k] += 0.7f;
  compute_item_vectors(m.weights, changed);
  double moved = 0.0, others = 0.0;
  for (size_t i = 1; i <= 12; ++i)
    for (size_t j = 0; j < d; ++j) (i == 3 ? moved : others) += std::fabs(changed[i * d + j] - with_image[i * d + j]);
  CHECK(moved > 1e-3);
  CHECK(others == 0.0);

  // The ranker computes the same vectors at load, so a shop's ranking uses the image term.
  SessionModelExport options;
  options.item_storage = DType::kF32;
  auto bytes = write_session_model(m.weights, m.vocab, SessionModelContent(), options);
  REQUIRE(bytes.ok());
  auto ranker = Ranker::load(bytes.value().data(), bytes.value().size());
  INFO(ranker.status().to_string());
  REQUIRE(ranker.ok());
  CHECK(ranker.value().weights().config.image_dim == 4);
}

TEST_CASE("models without image features write and read as before", "[session_model][image]") {
  const ImageModel m = image_model(testing::test_seed(), 0);
  SessionModelExport options;
  auto bytes = write_session_model(m.weights, m.vocab, SessionModelContent(), options);
  REQUIRE(bytes.ok());
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  REQUIRE(file.ok());
  CHECK(file.value().config().find("image_dim") == nullptr);
  CHECK(file.value().find("item_image") == nullptr);
  CHECK(file.value().find("image_proj") == nullptr);
  auto back = read_session_model(file.value());
  REQUIRE(back.ok());
  CHECK(back.value().config.image_dim == 0);
  CHECK(back.value().item_image.empty());
}

TEST_CASE("bad image features are refused with the tensor named", "[session_model][image]") {
  ImageModel m = image_model(testing::test_seed(), 3);
  m.weights.item_image[2 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
  const Status nan = m.weights.validate();
  CHECK(nan.code() == StatusCode::kMODEL_CORRUPT);
  CHECK_THAT(nan.message(), Catch::Contains("item_image") && Catch::Contains("row 2"));

  m = image_model(testing::test_seed(), 3);
  m.weights.image_proj.pop_back();
  CHECK_THAT(m.weights.validate().message(), Catch::Contains("image_proj"));

  SessionModelConfig c;
  c.vocab_size = 3;
  c.image_dim = 5000;
  CHECK(c.validate().code() == StatusCode::kLIMIT_EXCEEDED);
}
