// `vitrine make-reference-mlp`: writes the benchmark's reference scorer (features [N,128] -> Dense 64 ReLU ->
// Dense 32 ReLU -> Dense 1 sigmoid) with seeded weights as a model file, and the same weights as JSON so that
// other runtimes (bench/) can be given exactly the same model.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "flags.h"
#include "output_file.h"
#include "vitrine/mlp_model_io.h"
#include "vitrine/mlp_model_writer.h"
#include "vitrine/splitmix64.h"

namespace vitrine::cli {
namespace {

// The usage line and what the command does; each flag's help is declared with the flag in run_make_reference_mlp.
const char kReferenceMlpHelp[] =
    "usage: vitrine make-reference-mlp --out FILE [--weights-json FILE] [--seed N]\n"
    "\n"
    "Writes the benchmark reference MLP 128 -> 64 relu -> 32 relu -> 1 sigmoid as a model file of kind 'mlp'.\n"
    "Weights are uniform in +-sqrt(6 / (in + out)), biases uniform in +-0.1, drawn from splitmix64(seed)\n"
    "in layer order (weights row-major, then biases), so a seed always gives the same model.\n";
const char kReferenceMlpFooter[] = "Exit codes: 0 success, 1 a file cannot be written, 2 usage error.";

MlpModelWeights reference_mlp(uint64_t seed) {
  struct Shape {
    size_t in, out;
    Activation activation;
  };
  const Shape shapes[] = {{128, 64, Activation::kRelu}, {64, 32, Activation::kRelu}, {32, 1, Activation::kSigmoid}};
  SplitMix64 rng{seed};
  MlpModelWeights model;
  for (const Shape& s : shapes) {
    MlpLayerWeights l;
    l.in = s.in;
    l.out = s.out;
    l.activation = s.activation;
    const float scale = std::sqrt(6.0f / static_cast<float>(s.in + s.out));
    l.weights.resize(s.in * s.out);
    for (float& w : l.weights) w = rng.uniform(scale);
    l.bias.resize(s.out);
    for (float& b : l.bias) b = rng.uniform(0.1f);
    model.layers.push_back(std::move(l));
  }
  model.output_names = {"score"};
  return model;
}

}  // namespace

int run_make_reference_mlp(int argc, char** argv) {
  std::string out_path, json_path;
  uint64_t seed = 42;
  CLI::App app{kReferenceMlpHelp, "vitrine make-reference-mlp"};
  configure_command_app(app, kReferenceMlpFooter, 23);
  add_text(app, "--out", &out_path, "the model file to write")->required();
  add_text(app, "--weights-json", &json_path,
           "also write {seed, layers: [{in, out, activation, weights, bias}]} (weights\n"
           "row-major [in][out]; every value printed so that it reads back as the same f32)");
  add_whole_number(app, "--seed", &seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
                   "unsigned seed (default 42)");
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;
  const MlpModelWeights model = reference_mlp(seed);
  auto bytes = write_mlp_model(model, {{"generator", "vitrine make-reference-mlp"}, {"seed", seed}});
  if (!bytes.ok()) {
    std::fprintf(stderr, "vitrine make-reference-mlp: %s\n", bytes.status().message().c_str());
    return 1;
  }
  if (const std::string problem = write_file_atomically(
          out_path, std::string_view(reinterpret_cast<const char*>(bytes.value().data()), bytes.value().size()));
      !problem.empty()) {
    std::fprintf(stderr, "vitrine make-reference-mlp: %s\n", problem.c_str());
    return 1;
  }
  if (!json_path.empty()) {
    nlohmann::json layers = nlohmann::json::array();
    for (const MlpLayerWeights& l : model.layers)
      layers.push_back({{"in", l.in},
                        {"out", l.out},
                        {"activation", activation_name(l.activation)},
                        {"weights", l.weights},
                        {"bias", l.bias}});
    const std::string text = nlohmann::json{{"seed", seed}, {"layers", std::move(layers)}}.dump() + "\n";
    if (const std::string problem = write_file_atomically(json_path, text); !problem.empty()) {
      std::fprintf(stderr, "vitrine make-reference-mlp: %s\n", problem.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace vitrine::cli
