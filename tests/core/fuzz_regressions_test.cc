// Replays committed fuzz inputs through the same code as the libFuzzer targets (tests/fuzz/fuzz_targets.h):
// every crash the fuzzer found (tests/fuzz/regressions/<target>/) and every seed (tests/fuzz/corpus/<target>/).
// Runs natively, under ASan+UBSan and in wasm, so a fix cannot regress on any of them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.h"

namespace {

namespace fs = std::filesystem;
using TargetFn = bool (*)(const uint8_t*, size_t);

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs every file under tests/fuzz/<kind>/<target>/ and returns how many there were.
size_t replay(const std::string& kind, const std::string& target, TargetFn run) {
  const fs::path dir = fs::path(VITRINE_FUZZ_DIR) / kind / target;
  size_t files = 0;
  if (!fs::is_directory(dir)) return 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::vector<uint8_t> bytes = read_bytes(entry.path());
    INFO(entry.path().string() << " (" << bytes.size() << " bytes)");
    CHECK(run(bytes.data(), bytes.size()));
    ++files;
  }
  return files;
}

struct Target {
  const char* name;
  TargetFn run;
};
const Target kTargets[] = {
    {"model_file", vitrine::fuzz::run_model_file},     {"ranker_load", vitrine::fuzz::run_ranker_load},
    {"rank_request", vitrine::fuzz::run_rank_request}, {"stored_events", vitrine::fuzz::run_stored_events},
    {"item_index", vitrine::fuzz::run_item_index},     {"catalog_index", vitrine::fuzz::run_catalog_index}};

}  // namespace

TEST_CASE("fuzz seeds and every crash input the fuzzer found replay cleanly", "[fuzz]") {
  for (const Target& target : kTargets) {
    INFO(target.name);
    CHECK(replay("corpus", target.name, target.run) >= 3);
    // tools/fuzz.sh moves each crash input here; an empty folder means the fuzzer has found nothing in this target.
    replay("regressions", target.name, target.run);
  }
  // The seeds must be valid inputs, or the fuzzer starts from nothing useful.
  for (const fs::directory_entry& entry : fs::directory_iterator(fs::path(VITRINE_FUZZ_DIR) / "corpus/ranker_load")) {
    const std::vector<uint8_t> bytes = read_bytes(entry.path());
    auto ranker = vitrine::Ranker::load(bytes.data(), bytes.size());
    INFO(entry.path().string() << ": " << ranker.status().to_string());
    CHECK(ranker.ok());
  }
}
