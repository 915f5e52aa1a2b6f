// The trained session model as a SessionScorer for `vitrine eval --model FILE`.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "eval/scorer.h"
#include "vitrine/ranker.h"
#include "vitrine/session_data.h"

namespace vitrine::eval {

// Loads a model file as the engine does. With `item_codes_path` (a codes file of `vitrine export-codes`), the model
// is an encoder whose catalog is out of it, and the file's products, in its order, become its items 1, 2, ...
Result<Ranker> load_ranker(const std::string& path, const std::string& item_codes_path = "");

// What the catalog index did over an evaluation (load_model_scorer with an index): per query, the share of the exact
// scan's top 20 that the probed shards (and the session's own products) held, and the shards and bytes it read.
struct IndexStats {
  std::mutex mutex;
  uint64_t queries = 0, shards = 0, bytes = 0;
  double recall_sum = 0.0;
  uint32_t probe = 0, clusters = 0;
  uint64_t head_bytes = 0, all_shard_bytes = 0;
  // A paged head: its pages, and the pages and their bytes that the queries read.
  uint32_t pages = 0, page_probe = 0;
  uint64_t pages_read = 0, page_bytes = 0;
};

// Loads the model (load_ranker) and checks it against the evaluation catalog (ids 1..catalog_size). With
// `index_dir` (a `vitrine build-index` folder for that encoder and codes), the model ranks only the products of the
// shards its probe reads, plus the session's own, as the browser does; `stats` then collects what the index did.
Result<std::unique_ptr<SessionScorer>> load_model_scorer(const std::string& path, ItemId catalog_size,
                                                         const std::string& item_codes_path = "",
                                                         const std::string& index_dir = "",
                                                         std::shared_ptr<IndexStats> stats = nullptr);

}  // namespace vitrine::eval
