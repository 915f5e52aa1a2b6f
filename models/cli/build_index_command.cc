// `vitrine build-index`: the catalog-wide top-K index of a model whose catalog is out of its file
// (core/include/vitrine/catalog_index.h): a head every "you may also like" query reads, and one immutable,
// content-named shard per cluster of products, fetched only by the queries that probe it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>

#include "commands.h"
#include "eval/item_codes_file.h"
#include "eval/model_scorer.h"
#include "flags.h"
#include "output_file.h"
#include "vitrine/native/catalog_index_build.h"

namespace vitrine::cli {
namespace {

const char kBuildIndexHelp[] =
    "usage: vitrine build-index --model ENCODER.vtm --item-codes CODES.json --out DIR\n"
    "                           [--products FEED.json] [--clusters N] [--probe P] [--pages G]\n"
    "                           [--page-probe Q] [--seed N]\n"
    "\n"
    "Groups the products of CODES.json (from vitrine export-codes) into clusters by their vectors and\n"
    "writes DIR/index.vti (the clusters' centroids and shard names) and one shard per cluster,\n"
    "DIR/s-<hash>.vts, named by its content: serve them with Cache-Control: immutable. A query reads\n"
    "the P clusters nearest the shopper; by default P is the fewest that hold 99% of the exact top 20\n"
    "for sample queries made from the products' own vectors. Measure it with\n"
    "vitrine eval --model ENCODER.vtm --item-codes CODES.json --index DIR.\n"
    "\n"
    "From 1,024 clusters on, the head is paged: index.vti holds G groups of clusters (about the square\n"
    "root of the clusters), each with its page DIR/p-<hash>.vti (immutable too) naming its clusters'\n"
    "shards, and a query reads the Q pages nearest the shopper before their clusters' shards; by default\n"
    "Q is the fewest pages that lose at most 0.5 point of the unpaged head's recall on those queries.\n"
    "--pages 1 keeps one head.\n"
    "\n"
    "With --products (the shop's product feed, {\"products\": [{\"id\", \"name\", \"url\", ...}]}), each\n"
    "shard gets its products' feed beside it, DIR/s-<hash>.json: the similar and picks widgets then need\n"
    "no feed of the whole catalog, and read only the feeds of the shards their products came from. The\n"
    "feeds change with prices and stock while the shards do not: serve them to be revalidated.\n";
const char kBuildIndexFooter[] = "Exit codes: 0 success, 1 a file is missing or malformed, 2 usage error.";

// The shop's feed records by product id, each as its JSON text; the first of a repeated id is kept.
struct FeedRecords {
  std::unordered_map<std::string, std::string> by_id;
  size_t without_id = 0, repeated = 0;
};

Result<FeedRecords> read_feed(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open the product feed");
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("products") || !doc["products"].is_array())
    return Status(StatusCode::kBAD_INPUT, path + ": a product feed is a JSON object with a \"products\" array");
  FeedRecords feed;
  for (const nlohmann::json& p : doc["products"]) {
    if (!p.is_object() || !p.contains("id") || !p["id"].is_string()) {
      ++feed.without_id;
      continue;
    }
    if (!feed.by_id.emplace(p["id"].get<std::string>(), p.dump()).second) ++feed.repeated;
  }
  return feed;
}

// Each shard's products' records, as a feed of its own beside the shard (s-<hash>.vts -> s-<hash>.json).
std::string write_shard_feeds(const std::string& dir, const CatalogIndex& index, const FeedRecords& feed,
                              size_t* unlisted, size_t* bytes) {
  for (size_t c = 0; c < index.shards.size(); ++c) {
    std::string text = "{\"products\":[";
    bool first = true;
    for (const std::string& id : index.shards[c].ids) {
      const auto it = feed.by_id.find(id);
      if (it == feed.by_id.end()) {
        ++*unlisted;
        continue;
      }
      text += first ? "\n" : ",\n";
      text += it->second;
      first = false;
    }
    text += "\n]}\n";
    *bytes += text.size();
    std::string name = index.head.clusters[c].shard;
    name.replace(name.size() - 4, 4, ".json");
    if (std::string e = write_file_atomically(dir + "/" + name, text); !e.empty()) return e;
  }
  return "";
}

}  // namespace

int run_build_index(int argc, char** argv) {
  std::string model_path, codes_path, out_dir, feed_path;
  int64_t clusters = 0, probe = 0, pages = 0, page_probe = 0, seed = 1;
  CLI::App app{kBuildIndexHelp, "vitrine build-index"};
  configure_command_app(app, kBuildIndexFooter, 20);
  add_text(app, "--model", &model_path, "the encoder vitrine export-codes wrote")->required();
  add_text(app, "--item-codes", &codes_path, "the codes file written with it")->required();
  add_text(app, "--out", &out_dir, "folder for index.vti and the shards (created if missing)", "DIR")->required();
  add_text(app, "--products", &feed_path, "the shop's product feed, split into one feed per shard", "FEED.json");
  add_whole_number(app, "--clusters", &clusters, int64_t{1}, int64_t{1'000'000},
                   "clusters, one shard each (default: about 2 x the square root of the products)");
  add_whole_number(app, "--probe", &probe, int64_t{1}, int64_t{1'000'000},
                   "clusters a query reads (default: chosen for recall@20 0.99 on sample queries)");
  add_whole_number(app, "--pages", &pages, int64_t{1}, int64_t{1'000'000},
                   "groups of clusters, one page of the head each (default: none below 1,024 clusters, else about "
                   "their square root; 1: no pages)");
  add_whole_number(app, "--page-probe", &page_probe, int64_t{1}, int64_t{1'000'000},
                   "pages a query reads (default: chosen to keep the unpaged head's recall within 0.5 point)");
  add_whole_number(app, "--seed", &seed, int64_t{0}, int64_t{INT32_MAX}, "seed of the clustering (default 1)");
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;

  // A model that holds its own items is refused here, with the reason (it has no codes to index).
  auto ranker = eval::load_ranker(model_path, codes_path);
  if (!ranker.ok()) return command_error("build-index", ranker.status().message());
  auto codes = eval::read_item_codes_file(codes_path);
  if (!codes.ok()) return command_error("build-index", codes.status().message());
  FeedRecords feed;
  if (!feed_path.empty()) {
    auto read = read_feed(feed_path);
    if (!read.ok()) return command_error("build-index", read.status().message());
    feed = std::move(read.value());
  }
  const Ranker& r = ranker.value();
  CatalogIndexOptions options;
  options.clusters = static_cast<uint32_t>(clusters);
  options.probe = static_cast<uint32_t>(probe);
  options.pages = static_cast<uint32_t>(pages);
  options.page_probe = static_cast<uint32_t>(page_probe);
  options.seed = static_cast<uint64_t>(seed);
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  auto index = build_catalog_index(r.quantizer(), item_code_extras(r.weights().config), codes.value().ids,
                                   codes.value().codes, options);
  if (!index.ok()) return command_error("build-index", codes_path + ": " + index.status().message());
  if (options.probe > index.value().head.clusters.size())
    return command_error("build-index", "--probe " + std::to_string(probe) + " is more than the " +
                                            std::to_string(index.value().head.clusters.size()) + " clusters");

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return command_error("build-index", out_dir + ": " + ec.message());
  size_t shard_bytes = 0, largest = 0;
  for (const CatalogShard& shard : index.value().shards) {
    const std::vector<uint8_t> bytes = write_catalog_shard(shard);
    shard_bytes += bytes.size();
    largest = std::max(largest, bytes.size());
    const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (std::string e = write_file_atomically(out_dir + "/" + shard_name(bytes), text); !e.empty())
      return command_error("build-index", e);
  }
  size_t unlisted = 0, feed_bytes = 0;
  if (!feed_path.empty()) {
    if (std::string e = write_shard_feeds(out_dir, index.value(), feed, &unlisted, &feed_bytes); !e.empty())
      return command_error("build-index", e);
    std::fprintf(stderr,
                 "vitrine build-index: shard feeds %zu bytes; %zu products have no feed record (widgets leave them "
                 "out); the feed has %zu records without an id and %zu repeated ids (the first kept)\n",
                 feed_bytes, unlisted, feed.without_id, feed.repeated);
  }
  // Then the pages, and the head last: a reader that finds a file finds every file it names.
  const CatalogIndex& built = index.value();
  size_t page_bytes = 0;
  for (const CatalogIndexHead& page : built.pages) {
    const std::vector<uint8_t> bytes = write_catalog_head(page);
    page_bytes += bytes.size();
    const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (std::string e = write_file_atomically(out_dir + "/" + page_name(bytes), text); !e.empty())
      return command_error("build-index", e);
  }
  const std::vector<uint8_t> head = write_catalog_head(built.top.paged() ? built.top : built.head);
  const std::string head_text(reinterpret_cast<const char*>(head.data()), head.size());
  if (std::string e = write_file_atomically(out_dir + "/index.vti", head_text); !e.empty())
    return command_error("build-index", e);
  std::fprintf(stderr,
               "vitrine build-index: %zu products in %zu clusters; probe %u; head %zu bytes, shards %zu bytes "
               "(largest %zu)\n",
               codes.value().ids.size(), built.head.clusters.size(), built.head.probe, head.size(), shard_bytes,
               largest);
  if (built.top.paged())
    std::fprintf(stderr,
                 "vitrine build-index: the head in %zu pages (%zu bytes, %zu on average); a query reads %u of them\n",
                 built.pages.size(), page_bytes, page_bytes / built.pages.size(), built.top.page_probe);
  return 0;
}

}  // namespace vitrine::cli
