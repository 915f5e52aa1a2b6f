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

// Builds the index of `ids` with their code texts (as `vitrine export-codes` wrote them) for the quantizer `q`.
// BAD_INPUT naming the product for a code q cannot read.
Result<CatalogIndex> build_catalog_index(const ItemQuantizer& q, size_t n_extras, const std::vector<std::string>& ids,
                                         const std::vector<std::string>& codes, const CatalogIndexOptions& options);

}  // namespace vitrine
