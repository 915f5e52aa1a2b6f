// Building a catalog index (vitrine/catalog_index.h), offline: `vitrine build-index`, the tests and the fuzz seeds.
// Native only, because it clusters with the native dense kernels (vitrine/native/dense.h): a million products in
// a few thousand clusters is a few hundred GFLOP of inner products, minutes with plain loops, seconds with GEMM.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vitrine/catalog_index.h"

namespace vitrine {

struct CatalogIndexOptions {
  uint32_t clusters = 0;  // 0: default_catalog_clusters(products), about 2 sqrt(products)
  uint32_t probe = 0;     // 0: the fewest clusters whose recall@20 on the index's own sample queries reaches 0.99
  // Pages of the head (catalog_index.h): 0 chooses (paged_head_pages: none below kPagedHeadClusters clusters),
  // 1 is a head without pages.
  uint32_t pages = 0;
  uint32_t page_probe = 0;  // 0: the fewest pages whose recall@20 is within kPagedRecallLoss of the unpaged head's
  uint64_t seed = 1;
  uint32_t iterations = 12;
  // k-means runs on a seeded sample of max(this, kTrainingRowsPerCluster x clusters) products, all of them if fewer.
  size_t max_training_rows = 65536;
  uint32_t threads =
      1;  // for the products' assignment and the probe's sample queries; the result does not depend on it
};

// Fewer sample rows per centroid than this leaves k-means' centroids mostly noise.
inline constexpr size_t kTrainingRowsPerCluster = 40;

// The default number of clusters for a catalog of `products`.
uint32_t default_catalog_clusters(size_t products);

// From this many clusters on, the head is paged by default: below it the whole head is under about 50 KB gzip, and
// pages would add a round trip before a first widget's shards for little.
inline constexpr uint32_t kPagedHeadClusters = 1024;
// What the default page probe may lose of the unpaged head's recall@20 on the sample queries.
inline constexpr double kPagedRecallLoss = 0.005;
// The default number of pages for a head of `clusters`: 1 (no pages) below kPagedHeadClusters, else about
// sqrt(clusters), which makes the head and each page about the same size.
uint32_t paged_head_pages(size_t clusters);

// Builds the index of `ids` with their code texts (as `vitrine export-codes` wrote them) for the quantizer `q`.
// BAD_INPUT naming the product for a code q cannot read.
Result<CatalogIndex> build_catalog_index(const ItemQuantizer& q, size_t n_extras, const std::vector<std::string>& ids,
                                         const std::vector<std::string>& codes, const CatalogIndexOptions& options);

}  // namespace vitrine
