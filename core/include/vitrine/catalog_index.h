// The catalog-wide top-K for a model whose catalog is out of its file (item_codes.h): an inverted-file index over
// the products' codes, split into immutable shards that a browser fetches only when a query needs them.
//
//   clusters   the products' vectors are grouped by spherical k-means (unit centroids, nearest by inner product);
//              each cluster's products, with their codes, are one shard
//   head       what every query reads first: the index's shape, each cluster's centroid (as an item code of the
//              model's own codebook, so it costs M bytes) and its shard's name and size
//   query      the session vector s scores the centroids; the `probe` best clusters' shards hold the candidates,
//              which the ranker then scores as any coded product (their codes come with them)
//
// Shards are named by their content (shard_name: two CRC-32C of the bytes), so a new index never reuses a name with
// other contents and a browser may cache a shard for good (Cache-Control: immutable).
//
// Byte layouts (little-endian):
//   head   "VTI1", version (u32, 1), tag (u32: the codebook's, item_codes.h), subspaces M, code_bytes, clusters C,
//          items, probe (u32: the clusters a query reads by default); then per cluster: centroid (M bytes),
//          items (u32), shard name (kShardNameBytes ASCII)
//   shard  "VTS1", items n, code_bytes (u32); n + 1 u32 end offsets of the ids (the first is 0), the ids' UTF-8 bytes,
//          then n codes of code_bytes each (the same bytes as an item code's text form decodes to)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/item_codes.h"
#include "vitrine/shopper.h"
#include "vitrine/status.h"

namespace vitrine {

inline constexpr size_t kShardNameBytes = 24;  // "s-" + 16 hex digits + ".vts" + padding to 24

struct CatalogCluster {
  std::vector<uint8_t> centroid;  // M bytes: the centroid's code
  uint32_t items = 0;
  std::string shard;  // the shard's file name
};

struct CatalogIndexHead {
  uint16_t tag = 0;
  uint32_t subspaces = 0, code_bytes = 0, items = 0, probe = 0;
  std::vector<CatalogCluster> clusters;
};

struct CatalogShard {
  std::vector<std::string> ids;
  std::vector<uint8_t> codes;  // ids.size() x code_bytes
  uint32_t code_bytes = 0;
};

// Everything `vitrine build-index` writes: the head and the shards, shards[k] being cluster k's. The builder is
// native only: vitrine/native/catalog_index_build.h.
struct CatalogIndex {
  CatalogIndexHead head;
  std::vector<CatalogShard> shards;
};

// The formats above, and back. Parsing checks every count and offset (BAD_INPUT naming the problem).
std::vector<uint8_t> write_catalog_head(const CatalogIndexHead& head);
Result<CatalogIndexHead> parse_catalog_head(const uint8_t* bytes, size_t size);
std::vector<uint8_t> write_catalog_shard(const CatalogShard& shard);
Result<CatalogShard> parse_catalog_shard(const uint8_t* bytes, size_t size, uint32_t code_bytes);
// "s-" + 16 hex digits of the bytes' two CRC-32C + ".vts".
std::string shard_name(const std::vector<uint8_t>& bytes);

// The shard's products as ranking candidates: each id with its code's text form (Ranker::rank reads it).
void append_shard_candidates(const CatalogShard& shard, std::vector<Candidate>& out);

// The `probe` clusters whose centroids score highest against `query` (dim floats), best first.
std::vector<uint32_t> probe_clusters(const CatalogIndexHead& head, const ItemQuantizer& q, const float* query,
                                     size_t probe);

}  // namespace vitrine
