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
//   pages      a head of C clusters costs every new shopper C x (M + 28) bytes before a first widget (a million
//              products: 2,000 clusters, 98 KB gzip). A paged head holds instead G groups of clusters, each with its
//              centroid and its page: a head of its own over that group's clusters. A query scores the groups, reads
//              the `page_probe` best pages and probes the clusters among theirs (probe_page_clusters), so a widget
//              reads the G entries and a few pages of about C / G clusters each.
//
// Shards and pages are named by their content (content_name: two CRC-32C of the bytes), so a new index never reuses
// a name with other contents and a browser may cache them for good (Cache-Control: immutable).
//
// Byte layouts (little-endian):
//   head   "VTI1", version (u32: 1, or 2 for a paged head), tag (u32: the codebook's, item_codes.h), subspaces M,
//          code_bytes, entries E, items, probe (u32: the clusters a query reads by default); version 2 adds
//          page_probe (u32: the pages a query reads). Then per entry: centroid (M bytes), items (u32), the file's
//          name (kShardNameBytes ASCII): a cluster's shard "s-<16 hex>.vts" in version 1, a page "p-<16 hex>.vti"
//          (a version 1 head) in version 2
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

inline constexpr size_t kShardNameBytes = 24;  // "s-" or "p-" + 16 hex digits + ".vts" or ".vti" + padding to 24

struct CatalogCluster {
  std::vector<uint8_t> centroid;  // M bytes: the centroid's code
  uint32_t items = 0;
  std::string shard;  // the file it names: its shard, or in a paged head its page
};

struct CatalogIndexHead {
  uint16_t tag = 0;
  uint32_t subspaces = 0, code_bytes = 0, items = 0, probe = 0;
  // 0: clusters[] are clusters, each naming its shard. Otherwise clusters[] are groups of clusters, each naming its
  // page, and a query reads the `page_probe` best pages.
  uint32_t page_probe = 0;
  std::vector<CatalogCluster> clusters;

  bool paged() const { return page_probe > 0; }
};

struct CatalogShard {
  std::vector<std::string> ids;
  std::vector<uint8_t> codes;  // ids.size() x code_bytes
  uint32_t code_bytes = 0;
};

// Everything `vitrine build-index` writes: the head and the shards, shards[k] being cluster k's. The builder is
// native only: vitrine/native/catalog_index_build.h.
struct CatalogIndex {
  CatalogIndexHead head;  // every cluster; index.vti when the head is not paged
  std::vector<CatalogShard> shards;
  // A paged head: index.vti is `top`, and pages[g] (top.clusters[g]'s file) holds the clusters page_clusters[g]
  // of `head`, in that order. Empty when the head is not paged.
  CatalogIndexHead top;
  std::vector<CatalogIndexHead> pages;
  std::vector<std::vector<uint32_t>> page_clusters;
};

// The formats above, and back. Parsing checks every count and offset (BAD_INPUT naming the problem).
std::vector<uint8_t> write_catalog_head(const CatalogIndexHead& head);
Result<CatalogIndexHead> parse_catalog_head(const uint8_t* bytes, size_t size);
std::vector<uint8_t> write_catalog_shard(const CatalogShard& shard);
Result<CatalogShard> parse_catalog_shard(const uint8_t* bytes, size_t size, uint32_t code_bytes);
// One page of the paged head `top` (a file its probe named): found among top's entries by its content name, which
// proves it is that page, parsed, and checked to fit the head (an unpaged head of the same codes). *entry receives
// the index of its entry in top.clusters. BAD_INPUT otherwise.
Result<CatalogIndexHead> parse_catalog_page(const CatalogIndexHead& top, const uint8_t* bytes, size_t size,
                                            size_t* entry);
// "s-" + 16 hex digits of the bytes' two CRC-32C + ".vts"; page_name: "p-" ... ".vti".
std::string shard_name(const std::vector<uint8_t>& bytes);
std::string page_name(const std::vector<uint8_t>& bytes);

// The shard's products as ranking candidates: each id with its code's text form (Ranker::rank reads it).
void append_shard_candidates(const CatalogShard& shard, std::vector<Candidate>& out);

// The `probe` clusters whose centroids score highest against `query` (dim floats), best first (ties: lower index).
// On a paged head: the pages to read, with probe = head.page_probe.
std::vector<uint32_t> probe_clusters(const CatalogIndexHead& head, const ItemQuantizer& q, const float* query,
                                     size_t probe);

// A cluster of one of several pages: pages[page].clusters[cluster].
struct PageCluster {
  uint32_t page = 0, cluster = 0;
};
// The `probe` clusters of `pages` (the pages a paged head's probe_clusters named, each parsed; ties: earlier page,
// then lower index) whose centroids score highest against `query`, best first.
std::vector<PageCluster> probe_page_clusters(const std::vector<const CatalogIndexHead*>& pages, const ItemQuantizer& q,
                                             const float* query, size_t probe);

}  // namespace vitrine
