// `vitrine image-features`: trains the product-photo CNN on Fashion-MNIST's train split, reports its accuracy
// on the test split next to simple baselines, and writes the embedding of every catalog product's photo for
// `vitrine train --image-features`.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "flags.h"
#include "idx_file.h"
#include "image_cnn.h"

namespace vitrine::cli {
namespace {

// The usage lines and what the command does; each flag's help is declared with the flag in run_image_features.
const char kImageFeaturesHelp[] =
    "usage: vitrine image-features --catalog catalog.json --out FILE [options]\n"
    "\n"
    "Trains a small CNN (conv 3x3 x8, pool, conv 3x3 x16, pool, dense embedding, dense softmax) on the\n"
    "train split of Fashion-MNIST, prints its train and test accuracy beside a nearest-centroid baseline on\n"
    "raw pixels and the 10% chance level, and writes the embedding of every catalog product's photo.\n"
    "The catalog's photos come from the test split (catalog.json: products[].image), so the CNN never saw\n"
    "them while training. The CNN sees the original grayscale image, not the shop's tinted colourway.\n";
const char kImageFeaturesFooter[] = "Exit codes: 0 success, 1 a file is missing or malformed, 2 usage error.";

int data_error(const std::string& message) {
  std::fprintf(stderr, "vitrine image-features: %s\n", message.c_str());
  return 1;
}

struct CatalogPhoto {
  uint32_t n = 0;  // model item id
  std::string product_id;
  uint32_t image = 0;  // index into the test split
};

// The products of catalog.json and their photo indices, with errors naming the product.
Result<std::vector<CatalogPhoto>> read_catalog_photos(const std::string& path, size_t test_images) {
  std::ifstream in(path);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open");
  const nlohmann::json catalog = nlohmann::json::parse(in, nullptr, false);
  if (catalog.is_discarded()) return Status(StatusCode::kBAD_INPUT, path + ": not valid JSON");
  const auto products = catalog.find("products");
  if (products == catalog.end() || !products->is_array())
    return Status(StatusCode::kBAD_INPUT, path + ": no 'products' array");
  if (const auto source = catalog.find("source"); source != catalog.end() && source->is_object()) {
    const auto split = source->find("split");
    if (split != source->end() && *split != "t10k")
      return Status(StatusCode::kBAD_INPUT, path + ": photos come from split " + split->dump() +
                                                ", expected \"t10k\" (the CNN trains on the train split)");
  }
  std::vector<CatalogPhoto> photos;
  for (size_t k = 0; k < products->size(); ++k) {
    const nlohmann::json& p = (*products)[k];
    const std::string where = path + ": products[" + std::to_string(k) + "]";
    if (!p.is_object()) return Status(StatusCode::kBAD_INPUT, where + " is not an object");
    const auto n = p.find("n"), id = p.find("id"), image = p.find("image");
    if (n == p.end() || !n->is_number_unsigned() || n->get<uint64_t>() < 1 || n->get<uint64_t>() > 5'000'000)
      return Status(StatusCode::kBAD_INPUT, where + ": 'n' must be an item id >= 1");
    if (id == p.end() || !id->is_string() || id->get<std::string>().empty())
      return Status(StatusCode::kBAD_INPUT, where + ": 'id' must be a non-empty string");
    if (image == p.end() || !image->is_number_unsigned() || image->get<uint64_t>() >= test_images)
      return Status(StatusCode::kBAD_INPUT, where + " (" + id->get<std::string>() +
                                                "): 'image' must be an index in 0.." + std::to_string(test_images - 1) +
                                                " of the test split");
    photos.push_back({static_cast<uint32_t>(n->get<uint64_t>()), id->get<std::string>(),
                      static_cast<uint32_t>(image->get<uint64_t>())});
  }
  if (photos.empty()) return Status(StatusCode::kBAD_INPUT, path + ": no products");
  return photos;
}

// The command line as run, for the summary, in the order given: every flag that takes a value but --threads, which
// changes timings only.
std::string command_line(const CLI::App& app) {
  std::string command = app.get_name();
  std::map<const CLI::Option*, size_t> seen;
  for (const CLI::Option* opt : app.parse_order()) {
    const size_t k = seen[opt]++;
    if (opt->get_expected_max() == 0 || opt->check_lname("threads") || k >= opt->results().size()) continue;
    command += " " + opt->get_name() + " " + opt->results()[k];
  }
  return command;
}

}  // namespace

int run_image_features(int argc, char** argv) {
  std::string catalog_path, out_path, summary_path, dataset = "/usr/share/datasets/fashion-mnist";
  image::CnnConfig config;
  image::CnnTrainOptions options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  uint64_t train_limit = 0;
  bool quiet = false;
  CLI::App app{kImageFeaturesHelp, "vitrine image-features"};
  configure_command_app(app, kImageFeaturesFooter, 21);
  add_text(app, "--catalog", &catalog_path,
           "catalog.json of tools/build_demo_catalog.mjs (products with n, id and image)")
      ->required();
  add_text(app, "--out", &out_path,
           "features: a header line, then 'id<TAB>product_id<TAB>v1 v2 ... vm' per product\n"
           "(id = the catalog's model item id n; each embedding scaled to unit length)")
      ->required();
  add_text(app, "--summary", &summary_path, "also write the accuracies, timings and this command as JSON");
  add_text(app, "--dataset", &dataset, "Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)", "DIR");
  add_whole_number(app, "--epochs", &options.epochs, 1u, 100u, "passes over the training images, 1..100 (default 2)");
  add_whole_number(app, "--embed-dim", &config.embed_dim, 2u, 256u, "embedding width, 2..256 (default 32)");
  add_whole_number(app, "--train-limit", &train_limit, uint64_t{1}, uint64_t{100'000'000},
                   "train on the first N training images only (default: all 60000)");
  add_whole_number(app, "--seed", &options.seed, uint64_t{0}, uint64_t{4'000'000'000'000'000},
                   "random seed (default 42); a run is reproducible for a seed and thread count");
  add_whole_number(app, "--threads", &options.threads, 1u, 256u, "worker threads, 1..256 (default: all cores)");
  app.add_flag("--quiet", quiet, "no progress lines");
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;
  const std::string command = command_line(app);

  const auto started = std::chrono::steady_clock::now();
  auto train = image::read_idx_split(dataset, "train");
  if (!train.ok()) return data_error(train.status().message());
  auto test = image::read_idx_split(dataset, "t10k");
  if (!test.ok()) return data_error(test.status().message());
  if (train_limit > 0 && train_limit < train.value().count) {
    image::ImageSet& t = train.value();
    t.count = train_limit;
    t.pixels.resize(t.count * t.side * t.side);
    t.labels.resize(t.count);
  }
  auto photos = read_catalog_photos(catalog_path, test.value().count);
  if (!photos.ok()) return data_error(photos.status().message());
  config.side = train.value().side;
  if (test.value().side != config.side) return data_error(dataset + ": train and test images differ in size");

  auto weights = image::CnnWeights::initial(config, options.seed);
  if (!weights.ok()) return data_error(weights.status().message());
  if (!quiet)
    std::fprintf(stderr, "vitrine image-features: CNN on %zu training images (%ux%u), %u epochs, %u threads\n",
                 train.value().count, config.side, config.side, options.epochs, options.threads);
  const Status trained = image::train_cnn(weights.value(), train.value(), options, [&](const image::CnnEpochReport& r) {
    if (!quiet)
      std::fprintf(stderr, "epoch %u/%u  loss %.4f  train accuracy (during the epoch) %.2f%%  %.1f s\n", r.epoch,
                   options.epochs, r.loss, 100.0 * r.accuracy, r.seconds);
  });
  if (!trained.ok()) return data_error(trained.message());
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double train_accuracy = image::cnn_accuracy(weights.value(), train.value(), options.threads);
  const double test_accuracy = image::cnn_accuracy(weights.value(), test.value(), options.threads);
  const double centroid_accuracy = image::nearest_centroid_accuracy(train.value(), test.value());
  const double chance = 1.0 / config.classes;
  std::printf("CNN train accuracy %.2f%%, test accuracy %.2f%% (%zu test images)\n", 100.0 * train_accuracy,
              100.0 * test_accuracy, test.value().count);
  std::printf("baselines on the test images: nearest centroid (raw pixels) %.2f%%, chance %.2f%%\n",
              100.0 * centroid_accuracy, 100.0 * chance);

  std::ofstream out(out_path);
  out << "id\tproduct_id\tfeatures\n";
  std::vector<float> embedding(config.embed_dim);
  char number[32];
  for (const auto& photo : photos.value()) {
    image::cnn_embed(weights.value(), test.value(), photo.image, embedding.data());
    double sq = 0.0;
    for (float v : embedding) sq += double{v} * v;
    // Unit length, so one projection serves every product; an all-zero embedding stays zero.
    const float inv = sq > 1e-24 ? static_cast<float>(1.0 / std::sqrt(sq)) : 0.0f;
    out << photo.n << '\t' << photo.product_id << '\t';
    for (size_t k = 0; k < embedding.size(); ++k) {
      std::snprintf(number, sizeof number, "%.5g", static_cast<double>(embedding[k] * inv));
      out << (k ? " " : "") << number;
    }
    out << '\n';
  }
  out.close();
  if (!out) return data_error("cannot write " + out_path);

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!summary_path.empty()) {
    const nlohmann::json summary = {
        {"notice",
         "Fashion-MNIST (Zalando Research, MIT licence; Debian dataset-fashion-mnist). The CNN trains on "
         "the train split; accuracies are on the t10k test split, which the demo catalog's photos come "
         "from."},
        {"command", command},
        {"architecture", "conv3x3x" + std::to_string(config.conv1) + " relu maxpool2, conv3x3x" +
                             std::to_string(config.conv2) + " relu maxpool2, dense " +
                             std::to_string(config.embed_dim) + " relu (embedding), dense " +
                             std::to_string(config.classes) + " softmax"},
        {"train_images", train.value().count},
        {"test_images", test.value().count},
        {"epochs", options.epochs},
        {"seed", options.seed},
        {"threads", options.threads},
        {"train_seconds", train_seconds},
        {"seconds", seconds},
        {"embedding_dim", config.embed_dim},
        {"catalog_products", photos.value().size()},
        {"cnn_train_accuracy", train_accuracy},
        {"cnn_test_accuracy", test_accuracy},
        {"nearest_centroid_test_accuracy", centroid_accuracy},
        {"chance_accuracy", chance}};
    std::ofstream s(summary_path);
    s << summary.dump(2) << '\n';
    if (!s) return data_error("cannot write " + summary_path);
  }
  if (!quiet)
    std::fprintf(stderr, "vitrine image-features: wrote %s (%zu products x %u), %.1f s in all\n", out_path.c_str(),
                 photos.value().size(), config.embed_dim, seconds);
  return 0;
}

}  // namespace vitrine::cli
