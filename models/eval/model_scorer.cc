// The trained session model as a SessionScorer: the engine's own Ranker (the code the browser runs), natively.
#include "eval/model_scorer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <numeric>
#include <string>

#include "eval/item_codes_file.h"
#include "vitrine/catalog_index.h"
#include "vitrine/ranker.h"

namespace vitrine::eval {
namespace {

Result<std::vector<uint8_t>> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open");
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A `vitrine build-index` folder, as model items: each cluster's products and its shard's size.
struct LoadedIndex {
  CatalogIndexHead head;                     // every cluster (a paged head's pages' clusters, page after page)
  std::vector<std::vector<uint32_t>> items;  // per cluster
  std::vector<uint64_t> bytes;               // per cluster
  // A paged head: index.vti, its pages, where each page's clusters start in `head` and each page's size.
  CatalogIndexHead top;
  std::vector<CatalogIndexHead> pages;
  std::vector<uint32_t> page_start;
  std::vector<uint64_t> page_bytes;
  std::shared_ptr<IndexStats> stats;

  // The clusters (indices into head.clusters) a query reads, as the browser probes them.
  std::vector<uint32_t> probe(const ItemQuantizer& q, const float* query, uint64_t* pages_read_bytes) const {
    if (!top.paged()) return probe_clusters(head, q, query, head.probe);
    const std::vector<uint32_t> page_ids = probe_clusters(top, q, query, top.page_probe);
    std::vector<const CatalogIndexHead*> read;
    for (uint32_t g : page_ids) {
      read.push_back(&pages[g]);
      *pages_read_bytes += page_bytes[g];
    }
    std::vector<uint32_t> out;
    for (const PageCluster& pc : probe_page_clusters(read, q, query, top.probe))
      out.push_back(page_start[page_ids[pc.page]] + pc.cluster);
    return out;
  }
};

Result<std::unique_ptr<LoadedIndex>> load_index(const std::string& dir, const Ranker& ranker,
                                                std::shared_ptr<IndexStats> stats) {
  auto head_bytes = read_bytes(dir + "/index.vti");
  if (!head_bytes.ok()) return head_bytes.status();
  auto head = parse_catalog_head(head_bytes.value().data(), head_bytes.value().size());
  if (!head.ok()) return Status(head.status().code(), dir + "/index.vti: " + head.status().message());
  if (head.value().tag != ranker.quantizer().tag())
    return Status(StatusCode::kBAD_INPUT, dir + ": the index was built for another model's codes");
  auto index = std::make_unique<LoadedIndex>();
  index->head = std::move(head).value();
  index->stats = stats ? stats : std::make_shared<IndexStats>();
  index->stats->head_bytes = head_bytes.value().size();
  if (index->head.paged()) {
    index->top = std::move(index->head);
    index->head = CatalogIndexHead();
    index->head.code_bytes = index->top.code_bytes;
    index->head.probe = index->top.probe;
    for (const CatalogCluster& entry : index->top.clusters) {
      const std::string path = dir + "/" + entry.shard;
      auto bytes = read_bytes(path);
      if (!bytes.ok()) return bytes.status();
      size_t found = 0;
      auto page = parse_catalog_page(index->top, bytes.value().data(), bytes.value().size(), &found);
      if (!page.ok()) return Status(page.status().code(), path + ": " + page.status().message());
      if (found != index->pages.size()) return Status(StatusCode::kBAD_INPUT, path + ": not the page its name says");
      index->page_start.push_back(static_cast<uint32_t>(index->head.clusters.size()));
      index->page_bytes.push_back(bytes.value().size());
      for (const CatalogCluster& cluster : page.value().clusters) index->head.clusters.push_back(cluster);
      index->pages.push_back(std::move(page).value());
    }
    index->stats->pages = static_cast<uint32_t>(index->pages.size());
    index->stats->page_probe = index->top.page_probe;
  }
  index->stats->probe = index->head.probe;
  index->stats->clusters = static_cast<uint32_t>(index->head.clusters.size());
  for (const CatalogCluster& cluster : index->head.clusters) {
    const std::string path = dir + "/" + cluster.shard;
    auto bytes = read_bytes(path);
    if (!bytes.ok()) return bytes.status();
    auto shard = parse_catalog_shard(bytes.value().data(), bytes.value().size(), index->head.code_bytes);
    if (!shard.ok()) return Status(shard.status().code(), path + ": " + shard.status().message());
    std::vector<uint32_t> items;
    for (const std::string& id : shard.value().ids) {
      const uint32_t item = ranker.item_of(id);
      if (item == 0) return Status(StatusCode::kBAD_INPUT, path + ": product '" + id + "' is not in the codes file");
      items.push_back(item);
    }
    index->items.push_back(std::move(items));
    index->bytes.push_back(bytes.value().size());
    index->stats->all_shard_bytes += bytes.value().size();
  }
  return index;
}

class ModelScorer : public SessionScorer {
 public:
  ModelScorer(std::string name, Ranker ranker, std::unique_ptr<LoadedIndex> index = nullptr)
      : name_(std::move(name)), ranker_(std::move(ranker)), index_(std::move(index)) {}

  std::string name() const override { return name_; }
  ItemId catalog_size() const override { return static_cast<ItemId>(ranker_.weights().config.vocab_size); }

  // `vitrine train` numbers model items by the dataset's item ids, so a prefix maps to the encoder's input
  // directly. Ranker is const and keeps no per-call state, so threads can share it.
  Status score(const std::vector<ItemId>& prefix, float* scores) const override {
    std::vector<SessionEvent> session;
    session.reserve(prefix.size());
    for (ItemId item : prefix) session.push_back({static_cast<uint32_t>(item), 0});
    score_session(session, scores);
    return Status();
  }

  // The whole prefix with its kinds, as the browser feeds the engine (impressions included where the model reads
  // them).
  Result<TargetRank> rank_example(const SessionExample& example, float* scratch) const override {
    if (example.kinds.empty()) return rank(example.prefix, example.label, scratch);
    const ItemId n = catalog_size();
    if (example.label < 1 || example.label > n)
      return Status(StatusCode::kINVALID_ARGUMENT,
                    "label " + std::to_string(example.label) + " is outside the catalog");
    std::vector<SessionEvent> session;
    session.reserve(example.prefix.size());
    for (size_t i = 0; i < example.prefix.size(); ++i)
      session.push_back({static_cast<uint32_t>(example.prefix[i]), example.kinds[i]});
    score_session(session, scratch);
    return rank_of_target(scratch + 1, static_cast<size_t>(n), static_cast<size_t>(example.label - 1));
  }

 private:
  // The catalog's scores; with an index, -infinity for every product outside the probed shards and the session.
  void score_session(const std::vector<SessionEvent>& session, float* scores) const {
    ranker_.score_catalog(session, scores);
    if (!index_) return;
    const size_t n = ranker_.weights().config.vocab_size, d = ranker_.weights().config.dim;
    std::vector<float> query(d);
    ranker_.encode(session, query.data());
    std::vector<char> kept(n + 1, 0);
    uint64_t bytes = 0, page_bytes = 0;
    const std::vector<uint32_t> probed = index_->probe(ranker_.quantizer(), query.data(), &page_bytes);
    for (uint32_t c : probed) {
      for (uint32_t item : index_->items[c]) kept[item] = 1;
      bytes += index_->bytes[c];
    }
    for (const SessionEvent& e : session)
      if (e.item <= n) kept[e.item] = 1;  // their codes come with the shopper's events
    // Recall@20 against the exact scan, before the products outside are dropped.
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 1u);
    const size_t depth = std::min<size_t>(20, n);
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(depth), order.end(),
        [&](uint32_t a, uint32_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); });
    size_t found = 0;
    for (size_t t = 0; t < depth; ++t) found += kept[order[t]] ? 1 : 0;
    for (size_t j = 1; j <= n; ++j)
      if (!kept[j]) scores[j] = -std::numeric_limits<float>::infinity();
    std::lock_guard<std::mutex> lock(index_->stats->mutex);
    index_->stats->queries += 1;
    index_->stats->recall_sum += depth > 0 ? static_cast<double>(found) / static_cast<double>(depth) : 1.0;
    index_->stats->shards += probed.size();
    index_->stats->bytes += bytes;
    index_->stats->pages_read += index_->top.page_probe;
    index_->stats->page_bytes += page_bytes;
  }

  std::string name_;
  Ranker ranker_;
  std::unique_ptr<LoadedIndex> index_;
};

}  // namespace

Result<Ranker> load_ranker(const std::string& path, const std::string& item_codes_path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open the model file");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  if (!ranker.ok()) return Status(ranker.status().code(), path + ": " + ranker.status().message());
  const bool coded = ranker.value().weights().config.coded_items();
  if (item_codes_path.empty() && coded)
    return Status(StatusCode::kBAD_INPUT, path +
                                              ": the model's items are coded: give the codes file written with it "
                                              "(--item-codes)");
  if (item_codes_path.empty()) return ranker;
  if (!coded) return Status(StatusCode::kBAD_INPUT, path + ": the model holds its own items; it takes no --item-codes");
  auto codes = read_item_codes_file(item_codes_path);
  if (!codes.ok()) return codes.status();
  Status added = ranker.value().add_items(codes.value().ids, codes.value().codes);
  if (!added.ok()) return Status(added.code(), item_codes_path + ": " + added.message());
  return ranker;
}

Result<std::unique_ptr<SessionScorer>> load_model_scorer(const std::string& path, ItemId catalog_size,
                                                         const std::string& item_codes_path,
                                                         const std::string& index_dir,
                                                         std::shared_ptr<IndexStats> stats) {
  auto ranker = load_ranker(path, item_codes_path);
  if (!ranker.ok()) return ranker.status();
  const auto vocab = static_cast<ItemId>(ranker.value().weights().config.vocab_size);
  if (vocab != catalog_size)
    return Status(StatusCode::kBAD_INPUT, path + ": the model knows " + std::to_string(vocab) +
                                              " items but the training sessions have " + std::to_string(catalog_size) +
                                              ": was it trained on this dataset?");
  const size_t slash = path.find_last_of('/');
  std::string name = "model (" + (slash == std::string::npos ? path : path.substr(slash + 1)) + ")";
  std::unique_ptr<LoadedIndex> index;
  if (!index_dir.empty()) {
    if (!ranker.value().weights().config.coded_items())
      return Status(StatusCode::kBAD_INPUT, "--index needs a model with coded items and its --item-codes");
    auto loaded = load_index(index_dir, ranker.value(), std::move(stats));
    if (!loaded.ok()) return loaded.status();
    index = std::move(loaded).value();
    name += " via index";
  }
  return std::unique_ptr<SessionScorer>(new ModelScorer(std::move(name), std::move(ranker).value(), std::move(index)));
}

}  // namespace vitrine::eval
