// `vitrine topk`: the model's best items for each test prefix, natively, as JSON lines. Used to check that the
// browser's wasm engine returns the same lists (tests/js/parity.test.mjs), and handy for inspecting a model.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "commands.h"
#include "vitrine/ranker.h"
#include "vitrine/session_data.h"

namespace vitrine::cli {
namespace {

const char kTopkUsage[] =
    "usage: vitrine topk --model MODEL.vtm --test FILE [--k N] [--limit N]\n"
    "\n"
    "Prints one JSON object per test example: {\"label\": id, \"items\": [ids best first], \"scores\": [...]},\n"
    "ranked over the whole catalog by the engine's Ranker (the code the browser runs).\n"
    "\n"
    "  --model FILE   a session model file written by vitrine train\n"
    "  --test FILE    examples, one per line: 'label<TAB>prefix items separated by spaces'\n"
    "  --k N          items per example (default 20)\n"
    "  --limit N      only the first N examples\n"
    "  -h, --help     show this help\n";

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "vitrine topk: %s\n", message.c_str());
  return code;
}

}  // namespace

int run_topk(int argc, char** argv) {
  std::string model_path, test_path;
  long k = 20, limit = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kTopkUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) return fail(arg + " needs a value (see --help)", 2);
    const std::string value = argv[++i];
    char* end = nullptr;
    if (arg == "--model")
      model_path = value;
    else if (arg == "--test")
      test_path = value;
    else if (arg == "--k" || arg == "--limit") {
      const long v = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < 1) return fail(arg + " must be a positive integer", 2);
      (arg == "--k" ? k : limit) = v;
    } else {
      return fail("unknown option " + arg + " (see --help)", 2);
    }
  }
  if (model_path.empty() || test_path.empty()) return fail("--model and --test are required (see --help)", 2);

  std::ifstream in(model_path, std::ios::binary);
  if (!in) return fail(model_path + ": cannot open", 1);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  if (!ranker.ok()) return fail(model_path + ": " + ranker.status().to_string(), 1);
  const auto catalog = static_cast<ItemId>(ranker.value().weights().config.vocab_size);
  auto examples = read_examples_file(test_path, catalog);
  if (!examples.ok()) return fail(examples.status().message(), 1);

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
