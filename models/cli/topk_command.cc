// `vitrine topk`: the model's best items for each test prefix, natively, as JSON lines. Used to check that the
// browser's wasm engine returns the same lists (tests/js/parity.test.mjs), and handy for inspecting a model.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "commands.h"
#include "flags.h"
#include "vitrine/ranker.h"
#include "vitrine/session_data.h"

namespace vitrine::cli {
namespace {

// The usage line and what the command does; each flag's help is declared with the flag in run_topk.
const char kTopkHelp[] =
    "usage: vitrine topk --model MODEL.vtm --test FILE [--k N] [--limit N]\n"
    "\n"
    "Prints one JSON object per test example: {\"label\": id, \"items\": [ids best first], \"scores\": [...]},\n"
    "ranked over the whole catalog by the engine's Ranker (the code the browser runs).\n";
const char kTopkFooter[] = "Exit codes: 0 success, 1 a file is missing or malformed, 2 usage error.";

}  // namespace

int run_topk(int argc, char** argv) {
  std::string model_path, test_path;
  int64_t k = 20, limit = -1;
  CLI::App app{kTopkHelp, "vitrine topk"};
  configure_command_app(app, kTopkFooter, 17);
  add_text(app, "--model", &model_path, "a session model file written by vitrine train")->required();
  add_text(app, "--test", &test_path, "examples, one per line: 'label<TAB>prefix items separated by spaces'")
      ->required();
  // The lists are allocated up front: a million items per example is far beyond any catalog's use.
  add_whole_number(app, "--k", &k, int64_t{1}, int64_t{1'000'000}, "items per example (default 20)");
  add_whole_number(app, "--limit", &limit, int64_t{1}, std::numeric_limits<int64_t>::max(),
                   "only the first N examples");
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;

  std::ifstream in(model_path, std::ios::binary);
  if (!in) return command_error("topk", model_path + ": cannot open", 1);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  if (!ranker.ok()) return command_error("topk", model_path + ": " + ranker.status().to_string(), 1);
  const auto catalog = static_cast<ItemId>(ranker.value().weights().config.vocab_size);
  auto examples = read_examples_file(test_path, catalog);
  if (!examples.ok()) return command_error("topk", examples.status().message(), 1);

  std::vector<uint32_t> items(static_cast<size_t>(k));
  std::vector<float> scores(static_cast<size_t>(k));
  size_t done = 0;
  for (const SessionExample& ex : examples.value()) {
    if (limit > 0 && done == static_cast<size_t>(limit)) break;
    std::vector<SessionEvent> session;
    for (ItemId item : ex.prefix) session.push_back({static_cast<uint32_t>(item), 0});
    const size_t n = ranker.value().top_k(session, items.size(), items.data(), scores.data());
    std::printf("{\"label\":%d,\"items\":[", ex.label);
    for (size_t i = 0; i < n; ++i)
      std::printf("%s\"%.*s\"", i ? "," : "", static_cast<int>(ranker.value().vocabulary()[items[i] - 1].size()),
                  ranker.value().vocabulary()[items[i] - 1].data());
    std::printf("],\"scores\":[");
    for (size_t i = 0; i < n; ++i) std::printf("%s%.9g", i ? "," : "", double{scores[i]});
    std::printf("]}\n");
    ++done;
  }
  return 0;
}

}  // namespace vitrine::cli
