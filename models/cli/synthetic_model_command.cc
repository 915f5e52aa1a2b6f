// `vitrine make-synthetic-model`: a session model of any catalog size with seeded random weights, for measuring what
// scale costs (the catalog index, codes, bytes per page) where no real catalog that large is at hand. Products are
// grouped around `groups` random directions, as a real catalog's categories group them, so that clustering and
// probing meet the structure they are built for; the encoder's weights are small and random (untrained).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "commands.h"
#include "flags.h"
#include "output_file.h"
#include "vitrine/session_model_writer.h"
#include "vitrine/splitmix64.h"

namespace vitrine::cli {
namespace {

const char kSyntheticHelp[] =
    "usage: vitrine make-synthetic-model --items N --out MODEL.vtm [--dim D] [--groups G] [--seed S]\n"
    "\n"
    "Writes a session model of N products named p1..pN with seeded random weights: each product's\n"
    "embedding is one of G random directions plus noise, the encoder is random and untrained. For\n"
    "measuring scale (vitrine export-codes, vitrine build-index, bench/), never for ranking a shop.\n";
const char kSyntheticFooter[] = "Exit codes: 0 success, 1 the file cannot be written, 2 usage error.";

// A standard normal draw (Box-Muller on two uniform draws), from the fixed generator.
float normal(SplitMix64& rng) {
  const double u1 = (static_cast<double>(rng.next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  const double u2 = static_cast<double>(rng.next() >> 11) * (1.0 / 9007199254740992.0);
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

}  // namespace

int run_make_synthetic_model(int argc, char** argv) {
  std::string out_path;
  int64_t items = 0, dim = 64, groups = 1000;
  uint64_t seed = 1;
  CLI::App app{kSyntheticHelp, "vitrine make-synthetic-model"};
  configure_command_app(app, kSyntheticFooter, 20);
  add_whole_number(app, "--items", &items, int64_t{1}, int64_t{4'000'000}, "products in the catalog")->required();
  add_text(app, "--out", &out_path, "the model file to write")->required();
  add_whole_number(app, "--dim", &dim, int64_t{2}, int64_t{1024}, "embedding width (default 64)");
  add_whole_number(app, "--groups", &groups, int64_t{1}, int64_t{1'000'000},
                   "directions products gather around (default 1000)");
  add_whole_number(app, "--seed", &seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(), "seed (default 1)");
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;

  SessionModelConfig c;
  c.vocab_size = static_cast<uint32_t>(items);
  c.dim = static_cast<uint32_t>(dim);
  auto zeros = SessionModelWeights::zeros(c);
  if (!zeros.ok()) {
    std::fprintf(stderr, "vitrine make-synthetic-model: %s\n", zeros.status().message().c_str());
    return 1;
  }
  SessionModelWeights w = std::move(zeros).value();
  SplitMix64 rng{seed};
  w.for_each_param([&](const char* name, std::vector<float>& p) {
    if (std::string(name) != "item_emb")
      for (float& x : p) x = rng.uniform(0.1f);
  });
  const size_t d = c.dim;
  std::vector<float> centres(static_cast<size_t>(groups) * d);
  for (float& x : centres) x = normal(rng);
  for (size_t i = 1; i <= c.vocab_size; ++i) {
    const float* centre = centres.data() + rng.below(static_cast<size_t>(groups)) * d;
    for (size_t k = 0; k < d; ++k) w.item_emb[i * d + k] = centre[k] + 0.5f * normal(rng);
  }
  std::vector<std::string> vocabulary;
  vocabulary.reserve(c.vocab_size);
  for (size_t i = 1; i <= c.vocab_size; ++i) vocabulary.push_back("p" + std::to_string(i));
  SessionModelExport options;
  options.training = {{"generator", "vitrine make-synthetic-model"}, {"seed", seed}, {"groups", groups}};
  auto bytes = write_session_model(w, vocabulary, SessionModelContent(), options);
  if (!bytes.ok()) {
    std::fprintf(stderr, "vitrine make-synthetic-model: %s\n", bytes.status().message().c_str());
    return 1;
  }
  const std::string problem = write_file_atomically(
      out_path, std::string_view(reinterpret_cast<const char*>(bytes.value().data()), bytes.value().size()));
  if (!problem.empty()) {
    std::fprintf(stderr, "vitrine make-synthetic-model: %s\n", problem.c_str());
    return 1;
  }
  std::fprintf(stderr, "vitrine make-synthetic-model: %s: %lld products, %zu bytes\n", out_path.c_str(),
               static_cast<long long>(items), bytes.value().size());
  return 0;
}

}  // namespace vitrine::cli
