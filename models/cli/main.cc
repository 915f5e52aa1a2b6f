// `vitrine`: the merchant's offline CLI. Dispatches to the subcommands in commands.h, which declare their flags
// with CLI11 (flags.h).
#include <cstdio>
#include <cstring>

#include "commands.h"
#include "vitrine/build_info.h"

namespace {

const char kUsage[] =
    "usage: vitrine <command> [options]\n"
    "\n"
    "commands:\n"
    "  train    train the session model on session files (vitrine train --help)\n"
    "  eval     evaluate baselines and a trained model on a test set (vitrine eval --help)\n"
    "  make-reference-mlp  write the benchmark's seeded reference MLP model (--help)\n"
    "  make-synthetic-model  a seeded random model of N products, for measuring scale (--help)\n"
    "  topk     print a model's top-K items for each test prefix (vitrine topk --help)\n"
    "  inputs   print what a model's encoder reads for an event log or a rank request (--help)\n"
    "  image-features  train the product-photo CNN, write catalog image embeddings (--help)\n"
    "  export-codes  the encoder without its catalog, and a code per product (--help)\n"
    "  build-index   the catalog index a coded model's top-K reads in shards (--help)\n"
    "  uplift   conversion and revenue per holdout arm from private outcome reports (--help)\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "  --version      print the version and build as JSON\n"
    "\n"
    "A flag takes its value after a space or an '=': --epochs 3 or --epochs=3.\n"
    "\n"
    "Exit codes: 0 success, 1 the data or a file is bad, 2 usage error or feature not built.\n";

struct Command {
  const char* name;
  int (*run)(int, char**);
};

const Command kCommands[] = {
    {"train", vitrine::cli::run_train},
    {"eval", vitrine::cli::run_eval},
    {"make-reference-mlp", vitrine::cli::run_make_reference_mlp},
    {"make-synthetic-model", vitrine::cli::run_make_synthetic_model},
    {"topk", vitrine::cli::run_topk},
    {"inputs", vitrine::cli::run_inputs},
    {"image-features", vitrine::cli::run_image_features},
    {"export-codes", vitrine::cli::run_export_codes},
    {"build-index", vitrine::cli::run_build_index},
    {"uplift", vitrine::cli::run_uplift},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const char* first = argv[1];
  if (std::strcmp(first, "-h") == 0 || std::strcmp(first, "--help") == 0 || std::strcmp(first, "help") == 0) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (std::strcmp(first, "--version") == 0) {
    std::printf("%s\n", vitrine::build_info_json().c_str());
    return 0;
  }
  for (const Command& c : kCommands) {
    if (std::strcmp(first, c.name) != 0) continue;
    return c.run(argc - 1, argv + 1);  // each command parses its own flags (flags.h)
  }
  std::fprintf(stderr, "vitrine: unknown command '%s'\n\n%s", first, kUsage);
  return 2;
}
