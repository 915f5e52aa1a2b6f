// The catalog index (catalog_index.h): every product in exactly one shard, content-named shards, probing against a
// brute-force reference, the default probe's recall checked independently, and the byte formats refusing damage.
// Native only: the index is built with the native dense kernels (vitrine/native/catalog_index_build.h); the wasm
// engine's reading of it is tested from JS (tests/js/item_codes.test.mjs).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "vitrine/native/catalog_index_build.h"

using namespace vitrine;

namespace {

struct ClusteredCatalog {
  ItemQuantizer quantizer;
  std::vector<std::string> ids, codes;
  std::vector<float> vectors;  // decoded and normalized, as the index sees them
};

// Products around a few directions, so that clusters mean something; codes from a quantizer trained on them.
ClusteredCatalog clustered_catalog(size_t n, uint32_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> centres(12 * dim), rows(n * dim);
  for (float& x : centres) x = g(rng);
  for (size_t i = 0; i < n; ++i) {
    const float* c = centres.data() + (i % 12) * dim;
    float norm = 0.0f;
    for (uint32_t k = 0; k < dim; ++k) norm += (rows[i * dim + k] = c[k] + 0.6f * g(rng)) * rows[i * dim + k];
    for (uint32_t k = 0; k < dim; ++k) rows[i * dim + k] /= std::sqrt(norm);
  }
  ClusteredCatalog out;
  out.quantizer = ItemQuantizer::train(rows.data(), n, dim, dim / 2, seed).value();
  std::vector<uint8_t> code(dim / 2);
  out.vectors.resize(n * dim);
  const float extra = 0.25f;
  for (size_t i = 0; i < n; ++i) {
    out.ids.push_back("sku-" + std::to_string(i));
    out.quantizer.encode(rows.data() + i * dim, code.data());
    out.codes.push_back(format_item_code(out.quantizer.tag(), code.data(), dim / 2, &extra, 1));
    float* v = out.vectors.data() + i * dim;
    out.quantizer.decode(code.data(), v);
    float norm = 0.0f;
    for (uint32_t k = 0; k < dim; ++k) norm += v[k] * v[k];
    for (uint32_t k = 0; k < dim; ++k) v[k] /= std::sqrt(norm);
  }
  return out;
}

float dot(const float* a, const float* b, size_t n) {
  float s = 0.0f;
  for (size_t k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

// The clusters (cluster_of, by product id) of the catalog's exact top 20 for `query`.
std::vector<size_t> exact_top20_clusters(const ClusteredCatalog& cat, const std::vector<float>& query,
                                         const std::map<std::string, size_t>& cluster_of) {
  const size_t dim = query.size(), n = cat.ids.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::partial_sort(order.begin(), order.begin() + 20, order.end(), [&](uint32_t a, uint32_t b) {
    return dot(query.data(), cat.vectors.data() + a * dim, dim) > dot(query.data(), cat.vectors.data() + b * dim, dim);
  });
  std::vector<size_t> out;
  for (size_t t = 0; t < 20; ++t) out.push_back(cluster_of.at(cat.ids[order[t]]));
  return out;
}

}  // namespace

TEST_CASE("the catalog index puts every product in one content-named shard", "[catalog_index]") {
  const uint32_t dim = 16;
  const ClusteredCatalog cat = clustered_catalog(3000, dim, 5);
  CatalogIndexOptions options;
  auto built = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, options);
  REQUIRE(built.ok());
  const CatalogIndex& index = built.value();
  CHECK(index.head.clusters.size() == default_catalog_clusters(3000));
  CHECK(default_catalog_clusters(3000) == 110);  // ceil(2 sqrt(3000))
  CHECK(default_catalog_clusters(1) == 1);
  CHECK(default_catalog_clusters(3) == 3);  // never more clusters than products
  CHECK(index.head.items == 3000);
  CHECK(index.head.code_bytes == 2 + dim / 2 + 2);
  REQUIRE(index.shards.size() == index.head.clusters.size());

  std::map<std::string, std::string> code_of;
  std::set<std::string> names;
  size_t total = 0;
  for (size_t c = 0; c < index.shards.size(); ++c) {
    const CatalogShard& shard = index.shards[c];
    CHECK(index.head.clusters[c].items == shard.ids.size());
    const std::vector<uint8_t> bytes = write_catalog_shard(shard);
    CHECK(index.head.clusters[c].shard == shard_name(bytes));
    names.insert(index.head.clusters[c].shard);
    auto back = parse_catalog_shard(bytes.data(), bytes.size(), index.head.code_bytes);
    REQUIRE(back.ok());
    CHECK(back.value().ids == shard.ids);
    CHECK(back.value().codes == shard.codes);
    for (size_t i = 0; i < shard.ids.size(); ++i) {
      // The shard's bytes are the code's: its text form is the product's code.
      const std::string text = base64url_encode(shard.codes.data() + i * index.head.code_bytes, index.head.code_bytes);
      CHECK(code_of.emplace(shard.ids[i], text).second);
      ++total;
    }
  }
  CHECK(total == 3000);
  CHECK(names.size() == index.shards.size());
  for (size_t i = 0; i < 3000; i += 97) CHECK(code_of.at(cat.ids[i]) == cat.codes[i]);

  // The same input gives the same index, names included; another seed clusters differently.
  auto again = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, options);
  REQUIRE(again.ok());
  CHECK(write_catalog_head(again.value().head) == write_catalog_head(index.head));
  // Nor does the machine's core count change it: the threads share out fixed blocks of products.
  options.threads = 3;
  auto threaded = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, options);
  REQUIRE(threaded.ok());
  CHECK(write_catalog_head(threaded.value().head) == write_catalog_head(index.head));
  options.threads = 1;
  options.seed = 2;
  auto other = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, options);
  REQUIRE(other.ok());
  CHECK(write_catalog_head(other.value().head) != write_catalog_head(index.head));
}

TEST_CASE("probing follows the centroids, and the default probe holds the exact top 20", "[catalog_index]") {
  const uint32_t dim = 16;
  const size_t n = 4000;
  const ClusteredCatalog cat = clustered_catalog(n, dim, 9);
  auto built = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, CatalogIndexOptions());
  REQUIRE(built.ok());
  const CatalogIndex& index = built.value();
  std::map<std::string, size_t> cluster_of;
  for (size_t c = 0; c < index.shards.size(); ++c)
    for (const std::string& id : index.shards[c].ids) cluster_of[id] = c;

  std::mt19937 rng(Catch::rngSeed());
  INFO("seed " << Catch::rngSeed());
  std::normal_distribution<float> g(0.0f, 1.0f);
  size_t found = 0, wanted = 0;
  for (int q = 0; q < 60; ++q) {
    // Queries near a product, not the products themselves (the builder's own sample uses those).
    std::vector<float> query(cat.vectors.begin() + (q * 61 % n) * dim, cat.vectors.begin() + (q * 61 % n + 1) * dim);
    for (float& x : query) x += 0.2f * g(rng);
    // Reference: every centroid decoded and scored, best first, ties to the lower cluster.
    std::vector<float> centroid(dim), score(index.head.clusters.size());
    for (size_t c = 0; c < score.size(); ++c) {
      cat.quantizer.decode(index.head.clusters[c].centroid.data(), centroid.data());
      score[c] = dot(query.data(), centroid.data(), dim);
    }
    const std::vector<uint32_t> probed = probe_clusters(index.head, cat.quantizer, query.data(), index.head.probe);
    REQUIRE(probed.size() == index.head.probe);
    for (size_t r = 1; r < probed.size(); ++r) CHECK(score[probed[r - 1]] >= score[probed[r]] - 1e-5f);
    const float floor = score[probed.back()];
    for (size_t c = 0; c < score.size(); ++c)
      if (std::find(probed.begin(), probed.end(), c) == probed.end()) CHECK(score[c] <= floor + 1e-5f);

    for (size_t c : exact_top20_clusters(cat, query, cluster_of)) {
      found += std::find(probed.begin(), probed.end(), c) != probed.end() ? 1 : 0;
      ++wanted;
    }
  }
  CHECK(static_cast<double>(found) / static_cast<double>(wanted) >= 0.95);
  // Probing every cluster finds everything.
  CHECK(probe_clusters(index.head, cat.quantizer, cat.vectors.data(), 100000).size() == index.head.clusters.size());
}

TEST_CASE("the index formats refuse damage and the builder refuses codes it cannot read", "[catalog_index]") {
  const ClusteredCatalog cat = clustered_catalog(600, 8, 3);
  auto built = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, CatalogIndexOptions());
  REQUIRE(built.ok());
  const std::vector<uint8_t> head = write_catalog_head(built.value().head);
  auto parsed = parse_catalog_head(head.data(), head.size());
  REQUIRE(parsed.ok());
  CHECK(write_catalog_head(parsed.value()) == head);
  for (size_t cut = 0; cut < head.size(); cut += 7)
    CHECK(parse_catalog_head(head.data(), cut).status().code() == StatusCode::kBAD_INPUT);
  std::vector<uint8_t> wrong_total = head;
  wrong_total[24] ^= 1;  // items
  CHECK_FALSE(parse_catalog_head(wrong_total.data(), wrong_total.size()).ok());

  const std::vector<uint8_t> shard = write_catalog_shard(built.value().shards[0]);
  for (size_t cut = 0; cut < shard.size(); cut += 5)
    CHECK(parse_catalog_shard(shard.data(), cut, built.value().head.code_bytes).status().code() ==
          StatusCode::kBAD_INPUT);
  CHECK_FALSE(parse_catalog_shard(shard.data(), shard.size(), built.value().head.code_bytes + 2).ok());

  std::vector<std::string> codes = cat.codes;
  codes[33] = "AAAA";
  auto refused = build_catalog_index(cat.quantizer, 1, cat.ids, codes, CatalogIndexOptions());
  CHECK(refused.status().code() == StatusCode::kBAD_INPUT);
  CHECK(refused.status().message().find("'sku-33'") != std::string::npos);
}

TEST_CASE("a paged head splits the clusters into content-named pages, and probing through them keeps the recall",
          "[catalog_index]") {
  CHECK(paged_head_pages(kPagedHeadClusters - 1) == 1);
  CHECK(paged_head_pages(kPagedHeadClusters) == 32);
  CHECK(paged_head_pages(2000) == 45);  // a million products: ceil(sqrt(2000))

  const uint32_t dim = 16;
  const size_t n = 4000;
  const ClusteredCatalog cat = clustered_catalog(n, dim, 9);
  auto flat = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, CatalogIndexOptions());
  REQUIRE(flat.ok());
  CHECK(flat.value().pages.empty());  // 127 clusters: below kPagedHeadClusters
  CHECK_FALSE(flat.value().top.paged());
  CatalogIndexOptions options;
  options.pages = 8;
  auto built = build_catalog_index(cat.quantizer, 1, cat.ids, cat.codes, options);
  REQUIRE(built.ok());
  const CatalogIndex& index = built.value();
  // Paging changes nothing below the head: the same clusters, shards and probe.
  CHECK(write_catalog_head(index.head) == write_catalog_head(flat.value().head));

  const CatalogIndexHead& top = index.top;
  REQUIRE(top.paged());
  REQUIRE(top.clusters.size() == index.pages.size());
  CHECK(index.pages.size() >= 2);
  CHECK(index.pages.size() <= 8);
  CHECK(top.page_probe >= 1);
  CHECK(top.page_probe <= top.clusters.size());
  CHECK(top.probe == index.head.probe);
  CHECK(top.items == n);
  std::vector<int> seen(index.head.clusters.size(), 0);
  for (size_t g = 0; g < index.pages.size(); ++g) {
    const CatalogIndexHead& page = index.pages[g];
    const std::vector<uint8_t> bytes = write_catalog_head(page);
    CHECK(top.clusters[g].shard == page_name(bytes));
    CHECK(top.clusters[g].items == page.items);
    auto back = parse_catalog_head(bytes.data(), bytes.size());
    REQUIRE(back.ok());
    CHECK_FALSE(back.value().paged());
    size_t entry = SIZE_MAX;
    REQUIRE(parse_catalog_page(top, bytes.data(), bytes.size(), &entry).ok());
    CHECK(entry == g);
    REQUIRE(page.clusters.size() == index.page_clusters[g].size());
    for (size_t i = 0; i < page.clusters.size(); ++i) {
      const uint32_t c = index.page_clusters[g][i];
      ++seen[c];
      CHECK(page.clusters[i].shard == index.head.clusters[c].shard);
      CHECK(page.clusters[i].centroid == index.head.clusters[c].centroid);
    }
  }
  CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<std::ptrdiff_t>(seen.size()));  // each in one page

  // The paged head's own format: version 2, written back as read; damage refused; a page name where a shard's
  // belongs (or the reverse) is not a head this index writes.
  const std::vector<uint8_t> head = write_catalog_head(top);
  auto parsed = parse_catalog_head(head.data(), head.size());
  REQUIRE(parsed.ok());
  CHECK(parsed.value().page_probe == top.page_probe);
  CHECK(write_catalog_head(parsed.value()) == head);
  for (size_t cut = 0; cut < head.size(); cut += 5)
    CHECK(parse_catalog_head(head.data(), cut).status().code() == StatusCode::kBAD_INPUT);
  std::vector<uint8_t> unpaged = head;
  unpaged[4] = 1;  // version 1, whose entries name shards
  CHECK_FALSE(parse_catalog_head(unpaged.data(), unpaged.size()).ok());

  // What is not one of its pages is refused: a shard, the unpaged head, a page with a byte changed.
  size_t entry = 0;
  const std::vector<uint8_t> shard = write_catalog_shard(index.shards[0]);
  const std::vector<uint8_t> whole = write_catalog_head(index.head);
  std::vector<uint8_t> changed = write_catalog_head(index.pages[0]);
  changed.back() ^= 1;
  for (const std::vector<uint8_t>* wrong : {&shard, &whole, static_cast<const std::vector<uint8_t>*>(&changed)})
    CHECK(parse_catalog_page(top, wrong->data(), wrong->size(), &entry).status().code() == StatusCode::kBAD_INPUT);

  // Every page read: the same clusters, in the same order, as the unpaged head's probe.
  std::mt19937 rng(Catch::rngSeed());
  INFO("seed " << Catch::rngSeed());
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::map<std::string, size_t> cluster_of;
  for (size_t c = 0; c < index.shards.size(); ++c)
    for (const std::string& id : index.shards[c].ids) cluster_of[id] = c;
  size_t found_flat = 0, found_paged = 0, wanted = 0;
  for (int q = 0; q < 60; ++q) {
    std::vector<float> query(cat.vectors.begin() + (q * 67 % n) * dim, cat.vectors.begin() + (q * 67 % n + 1) * dim);
    for (float& x : query) x += 0.2f * g(rng);
    const std::vector<uint32_t> flat_probe = probe_clusters(index.head, cat.quantizer, query.data(), index.head.probe);
    const auto through = [&](size_t page_probe) {
      const std::vector<uint32_t> page_ids = probe_clusters(top, cat.quantizer, query.data(), page_probe);
      std::vector<const CatalogIndexHead*> pages;
      for (uint32_t p : page_ids) pages.push_back(&index.pages[p]);
      std::vector<uint32_t> out;
      for (const PageCluster& pc : probe_page_clusters(pages, cat.quantizer, query.data(), top.probe))
        out.push_back(index.page_clusters[page_ids[pc.page]][pc.cluster]);
      return out;
    };
    std::vector<uint32_t> all_pages = through(index.pages.size());
    // Equal scores may fall in either order across pages; the sets and the scores' order must agree.
    std::vector<uint32_t> a = all_pages, b = flat_probe;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    CHECK(a == b);
    const std::vector<uint32_t> paged = through(top.page_probe);
    CHECK(paged.size() == flat_probe.size());

    for (size_t c : exact_top20_clusters(cat, query, cluster_of)) {
      found_flat += std::find(flat_probe.begin(), flat_probe.end(), c) != flat_probe.end() ? 1 : 0;
      found_paged += std::find(paged.begin(), paged.end(), c) != paged.end() ? 1 : 0;
      ++wanted;
    }
  }
  const double recall_flat = static_cast<double>(found_flat) / static_cast<double>(wanted);
  const double recall_paged = static_cast<double>(found_paged) / static_cast<double>(wanted);
  INFO("recall@20 unpaged " << recall_flat << ", paged " << recall_paged << " reading " << top.page_probe << " of "
                            << index.pages.size() << " pages");
  CHECK(recall_paged >= recall_flat - 0.03);
}
