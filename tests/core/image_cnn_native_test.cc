// The product-photo CNN (models/image): hand-written gradients against central finite differences for every
// parameter tensor, learning on a small synthetic image set, and the IDX reader on good and broken files.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "idx_file.h"
#include "image_cnn.h"
#include "kernel_tester.h"

using vitrine::image::CnnConfig;
using vitrine::image::CnnTape;
using vitrine::image::CnnWeights;
using vitrine::image::ImageSet;

namespace {

CnnConfig tiny_config() {
  CnnConfig c;
  c.side = 14;  // 14 -> conv 12 -> pool 6 -> conv 4 -> pool 2
  c.conv1 = 2;
  c.conv2 = 3;
  c.embed_dim = 4;
  c.classes = 3;
  return c;
}

double total_loss(const CnnWeights& w, const std::vector<std::vector<float>>& images,
                  const std::vector<uint32_t>& labels, std::vector<CnnTape>& tapes) {
  double loss = 0.0;
  for (size_t i = 0; i < images.size(); ++i) {
    vitrine::image::cnn_forward(w, images[i].data(), tapes[i]);
    loss -= std::log(double{tapes[i].probs[labels[i]]});
  }
  return loss;
}

// Which ReLUs are on and which inputs won each max pool: finite differences are only valid when the two
// probes see the same pattern (no kink between them).
std::vector<uint32_t> active_pattern(const std::vector<CnnTape>& tapes) {
  std::vector<uint32_t> p;
  for (const CnnTape& t : tapes) {
    for (float v : t.conv1) p.push_back(v > 0.0f);
    for (float v : t.conv2) p.push_back(v > 0.0f);
    for (float v : t.embedding) p.push_back(v > 0.0f);
    p.insert(p.end(), t.arg1.begin(), t.arg1.end());
    p.insert(p.end(), t.arg2.begin(), t.arg2.end());
  }
  return p;
}

// 16x16 images (16 -> conv 14 -> pool 7 -> conv 5 -> pool 2: the embedding still sees which quadrant is lit).
// Class k has a bright 4x4 square in a fixed quadrant, jittered by a pixel, over faint noise.
constexpr int kSquaresSide = 16;
ImageSet corner_squares(uint32_t count, std::mt19937& rng) {
  ImageSet set;
  set.side = kSquaresSide;
  set.count = count;
  const int pixels = kSquaresSide * kSquaresSide;
  set.pixels.assign(size_t{count} * pixels, 0);
  set.labels.assign(count, 0);
  std::uniform_int_distribution<int> noise(0, 60), label(0, 2), jitter(0, 1);
  for (uint32_t i = 0; i < count; ++i) {
    const int k = label(rng);
    set.labels[i] = static_cast<uint8_t>(k);
    uint8_t* img = set.pixels.data() + size_t{i} * pixels;
    for (int p = 0; p < pixels; ++p) img[p] = static_cast<uint8_t>(noise(rng));
    const int y0 = (k == 2 ? 10 : 2) + jitter(rng), x0 = (k == 1 ? 10 : 2) + jitter(rng);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) img[(y0 + y) * kSquaresSide + x0 + x] = 250;
  }
  return set;
}

CnnConfig squares_config() {
  CnnConfig c = tiny_config();
  c.side = kSquaresSide;
  c.conv1 = 4;
  c.conv2 = 4;
  c.embed_dim = 8;
  return c;
}

void write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  gzclose(f);
}

}  // namespace

TEST_CASE("CNN gradients match finite differences", "[image]") {
  const uint32_t seed = vitrine::testing::test_seed();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  // Every gradient checked at a point must match; a point where some tensor's checked values all lack gradient (its
  // live values sat on kinks) proves nothing for that tensor, so another point is drawn, at most five.
  size_t central = 0, one_sided = 0, skipped = 0;
  std::string unproven = "none tried";
  for (int point = 0; point < 5 && !unproven.empty(); ++point) {
    // A net this small can be dead at a random point (every unit of a layer off for every image): no gradient
    // reaches the first layers and the check proves nothing there. Draw points until every tensor has gradient.
    CnnWeights w, grads;
    std::vector<std::vector<float>> images(3, std::vector<float>(14 * 14));
    const std::vector<uint32_t> labels = {0, 1, 2};
    std::vector<CnnTape> tapes(images.size());
    bool alive = false;
    for (int attempt = 0; attempt < 50 && !alive; ++attempt) {
      w = CnnWeights::initial(tiny_config(),
                              seed + 7919u * static_cast<uint32_t>(attempt) + 104729u * static_cast<uint32_t>(point))
              .value();
      std::uniform_real_distribution<float> bias(0.05f, 0.3f), pixel(0.0f, 1.0f);
      w.for_each_param([&](const char* name, std::vector<float>& p) {
        if (std::string(name).find("_b") != std::string::npos)
          for (float& x : p) x = bias(rng);
      });
      for (auto& img : images)
        for (float& v : img) v = pixel(rng);
      grads = CnnWeights::zeros(w.config).value();
      total_loss(w, images, labels, tapes);
      for (size_t i = 0; i < images.size(); ++i)
        vitrine::image::cnn_backward(w, images[i].data(), labels[i], tapes[i], grads);
      alive = true;
      grads.for_each_param([&](const char*, std::vector<float>& g) {
        double sum = 0.0;
        for (float x : g) sum += std::abs(x);
        alive = alive && sum > 1e-4;
      });
    }
    REQUIRE(alive);
    std::vector<std::vector<float>*> analytic;
    grads.for_each_param([&](const char*, std::vector<float>& g) { analytic.push_back(&g); });

    // A ReLU or max pool that switches between two probes makes their difference quotient no derivative. So
    // each probe's pattern is compared with the unperturbed one: central differences where neither side
    // switched, one-sided (looser: its error is first order in eps) where one side did, skipped where both did.
    const double base = total_loss(w, images, labels, tapes);
    const std::vector<uint32_t> base_pattern = active_pattern(tapes);
    size_t tensor = 0;
    central = one_sided = skipped = 0;
    unproven.clear();
    w.for_each_param([&](const char* name, std::vector<float>& param) {
      const std::vector<float>& grad = *analytic[tensor++];
      REQUIRE(grad.size() == param.size());
      double magnitude = 0.0;
      size_t checked_here = 0;
      for (size_t i = 0; i < param.size(); ++i) {
        // A probe that crosses a kink on both sides is tried again four times closer before the value is skipped.
        const float saved = param[i];
        double numeric = 0.0, tolerance = 0.0;
        bool probed = false;
        for (const float eps : {1e-3f, 2.5e-4f}) {
          param[i] = saved + eps;
          const double up = total_loss(w, images, labels, tapes);
          const bool up_smooth = active_pattern(tapes) == base_pattern;
          param[i] = saved - eps;
          const double down = total_loss(w, images, labels, tapes);
          const bool down_smooth = active_pattern(tapes) == base_pattern;
          param[i] = saved;
          if (up_smooth && down_smooth) {
            numeric = (up - down) / (2.0 * eps);
            tolerance = 2e-3 + 2e-2 * std::abs(numeric);
            ++central;
          } else if (up_smooth || down_smooth) {
            numeric = up_smooth ? (up - base) / eps : (base - down) / eps;
            tolerance = 1e-2 + 5e-2 * std::abs(numeric);
            ++one_sided;
          } else {
            continue;
          }
          probed = true;
          break;
        }
        if (!probed) {
          ++skipped;
          continue;
        }
        INFO("tensor " << name << " index " << i << " analytic " << grad[i] << " numeric " << numeric);
        REQUIRE(std::abs(grad[i] - numeric) <= tolerance);
        magnitude += std::abs(numeric);
        ++checked_here;
      }
      // A tensor whose checked values have no gradient proves nothing: its live values all sat on kinks here.
      if (checked_here == 0 || magnitude <= 1e-6) unproven = name;
    });
  }
  INFO("tensor without checked gradient at every point: " << unproven);
  REQUIRE(unproven.empty());
  INFO("central " << central << " one-sided " << one_sided << " skipped " << skipped);
  CHECK(central > 60);
  CHECK(skipped * 10 < central + one_sided);  // skipping may not hollow the check out
}

TEST_CASE("CNN learns a small synthetic image task and its training repeats exactly", "[image]") {
  std::mt19937 rng(vitrine::testing::test_seed());
  const ImageSet train = corner_squares(600, rng);
  const ImageSet test = corner_squares(150, rng);
  vitrine::image::CnnTrainOptions options;
  options.epochs = 4;
  options.batch_size = 16;
  options.learning_rate = 0.01f;
  options.threads = 2;
  const auto trained = [&](uint64_t seed) {
    options.seed = seed;
    CnnWeights w = CnnWeights::initial(squares_config(), seed).value();
    std::vector<double> losses;
    REQUIRE(vitrine::image::train_cnn(w, train, options, [&](const auto& r) { losses.push_back(r.loss); }).ok());
    REQUIRE(losses.size() == 4);
    CHECK(losses.back() < losses.front());
    return w;
  };
  // This tiny CNN (4 channels) can plateau at two classes of the three from an unlucky start: about one start in
  // 30 did (e.g. seeds 13 and 2094967367 stayed near 63%), with more epochs and wider layers too. So the learning
  // check takes the best of up to three starts; the repeatability check uses the first.
  const uint64_t seed = vitrine::testing::test_seed();
  const CnnWeights first = trained(seed);
  double best = vitrine::image::cnn_accuracy(first, test, 2);
  for (uint64_t extra = 1; extra < 3 && best <= 0.9; ++extra) {
    best = std::max(best, vitrine::image::cnn_accuracy(trained(seed + extra), test, 2));
  }
  const double before = vitrine::image::cnn_accuracy(CnnWeights::initial(squares_config(), seed).value(), test, 2);
  INFO("seed " << seed << " test accuracy " << before << " -> best of up to three starts " << best);
  CHECK(best > 0.9);
  CHECK(vitrine::image::nearest_centroid_accuracy(train, test) > 0.9);  // the task is easy for pixels too
  const CnnWeights second = trained(seed);
  CHECK(second.embed_w == first.embed_w);
  CHECK(second.conv1_w == first.conv1_w);

  // Mislabelled data is refused before any work.
  ImageSet broken = train;
  broken.labels[7] = 3;
  CnnWeights w = CnnWeights::initial(squares_config(), 1).value();
  const auto status = vitrine::image::train_cnn(w, broken, options, nullptr);
  CHECK_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("image 7"));
}

TEST_CASE("IDX reader reads gzip splits and names what is wrong with broken ones", "[image]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vitrine-idx-" + std::to_string(vitrine::testing::test_seed()) + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string base = dir.string();
  // Two 2x2 images and their labels.
  write_gzip(base + "/ok-images-idx3-ubyte.gz",
             {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8});
  write_gzip(base + "/ok-labels-idx1-ubyte.gz", {0, 0, 8, 1, 0, 0, 0, 2, 9, 4});
  auto set = vitrine::image::read_idx_split(base, "ok");
  REQUIRE(set.ok());
  CHECK(set.value().side == 2);
  CHECK(set.value().count == 2);
  CHECK(set.value().pixels == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(set.value().labels == std::vector<uint8_t>{9, 4});

  // One pixel short of what the header promises.
  write_gzip(base + "/short-images-idx3-ubyte.gz",
             {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7});
  write_gzip(base + "/short-labels-idx1-ubyte.gz", {0, 0, 8, 1, 0, 0, 0, 2, 9, 4});
  auto short_set = vitrine::image::read_idx_split(base, "short");
  REQUIRE_FALSE(short_set.ok());
  CHECK_THAT(short_set.status().message(),
             Catch::Contains("short-images-idx3-ubyte.gz") && Catch::Contains("7 data bytes"));

  auto missing = vitrine::image::read_idx_split(base, "absent");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("absent-images-idx3-ubyte.gz: cannot open"));
  std::filesystem::remove_all(dir);
}
