#include "vitrine/native/catalog_index_build.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>

#include "vitrine/native/dense.h"
#include "vitrine/splitmix64.h"

namespace vitrine {
namespace {

// The default probe reaches this recall@20 on the index's sample queries. Not 0.95: a ranking loses about as many
// hits as its top 20 loses products, and keeping HR@20 within 0.3 point of the exact scan needs about 0.99
// (docs/QUALITY.md has the Diginetica curve).
constexpr size_t kRecallDepth = 20;
constexpr double kRecallGoal = 0.99;
// Rows per GEMM call. Fixed, so that a row's scores come from the same call shape whatever the thread count, and
// the index is the same on every machine count of cores.
constexpr size_t kBlockRows = 512;

void normalize(float* x, size_t n) {
  double sum = 0.0;
  for (size_t k = 0; k < n; ++k) sum += double{x[k]} * x[k];
  const float inv = sum > 1e-24 ? static_cast<float>(1.0 / std::sqrt(sum)) : 0.0f;
  for (size_t k = 0; k < n; ++k) x[k] *= inv;
}

// Runs work(block) for every block of kBlockRows rows of `rows`, on up to `threads` threads.
template <typename Work>
void for_each_block(size_t rows, uint32_t threads, const Work& work) {
  const size_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t b = next++; b < blocks; b = next++) work(b * kBlockRows, std::min(rows, (b + 1) * kBlockRows));
  };
  std::vector<std::thread> pool;
  for (uint32_t t = 1; t < std::min<size_t>(threads, blocks); ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();
}

// For each of `count` unit rows, the centroid with the largest inner product (ties to the lower index) and it.
void assign_nearest(const float* rows, size_t count, size_t d, const std::vector<float>& centroids, uint32_t threads,
                    uint32_t* nearest, float* best_score) {
  const DenseKernels& dense = native_dense_kernels();
  const size_t clusters = centroids.size() / d;
  for_each_block(count, threads, [&](size_t from, size_t to) {
    std::vector<float> scores((to - from) * clusters);
    dense.f32_gemm_nt(to - from, clusters, d, 1.0f, rows + from * d, d, centroids.data(), d, scores.data(), clusters);
    for (size_t i = from; i < to; ++i) {
      const float* s = scores.data() + (i - from) * clusters;
      const size_t best = static_cast<size_t>(std::max_element(s, s + clusters) - s);  // the first of equals
      nearest[i] = static_cast<uint32_t>(best);
      if (best_score != nullptr) best_score[i] = s[best];
    }
  });
}

// Spherical k-means on `sample` (unit rows, contiguous): unit centroids, each the normalized mean of its rows.
std::vector<float> spherical_kmeans(const std::vector<float>& sample, size_t d, size_t clusters, uint32_t iterations,
                                    uint32_t threads) {
  const size_t n = sample.size() / d;
  std::vector<float> centroids(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(clusters * d));
  std::vector<uint32_t> assigned(n);
  std::vector<float> score(n);
  std::vector<double> sums(clusters * d);
  std::vector<size_t> counts(clusters), worst(n);
  for (uint32_t it = 0; it < iterations; ++it) {
    assign_nearest(sample.data(), n, d, centroids, threads, assigned.data(), score.data());
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), size_t{0});
    for (size_t i = 0; i < n; ++i) {
      ++counts[assigned[i]];
      const float* x = sample.data() + i * d;
      for (size_t k = 0; k < d; ++k) sums[assigned[i] * d + k] += x[k];
    }
    // An empty cluster restarts at the rows its neighbours serve worst.
    std::iota(worst.begin(), worst.end(), size_t{0});
    std::stable_sort(worst.begin(), worst.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
    size_t next = 0;
    for (size_t c = 0; c < clusters; ++c) {
      float* centroid = centroids.data() + c * d;
      if (counts[c] == 0) {
        std::copy_n(sample.data() + worst[next++ % n] * d, d, centroid);
        continue;
      }
      for (size_t k = 0; k < d; ++k) centroid[k] = static_cast<float>(sums[c * d + k]);
      normalize(centroid, d);
    }
  }
  return centroids;
}

// Sample queries (products' own vectors, which live where session vectors do) and, for each, the clusters of its
// exact top 20 products: what the default probe and page probe are measured on.
struct SampleQueries {
  size_t count = 0, depth = 0;
  std::vector<float> rows;             // count x d
  std::vector<uint32_t> top_clusters;  // count x depth
};

SampleQueries sample_queries(const ItemQuantizer& q, const std::vector<float>& rows,
                             const std::vector<uint32_t>& cluster_of, SplitMix64& rng, uint32_t threads) {
  const size_t d = q.dim(), n = rows.size() / d;
  SampleQueries sample;
  sample.depth = std::min(kRecallDepth, n);
  sample.count = std::min<size_t>(n, n > 200'000 ? 100 : 300);
  const size_t queries = sample.count, depth = sample.depth;
  const std::vector<size_t> chosen = seeded_sample(n, queries, rng);
  sample.rows.resize(queries * d);
  for (size_t i = 0; i < queries; ++i) std::copy_n(rows.data() + chosen[i] * d, d, sample.rows.data() + i * d);

  // Each query's exact top 20: products in blocks, each block's best kept per query; merged below.
  std::vector<std::vector<std::pair<float, uint32_t>>> block_best((n + kBlockRows - 1) / kBlockRows);
  const DenseKernels& dense = native_dense_kernels();
  auto better = [](const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  for_each_block(n, threads, [&](size_t from, size_t to) {
    const size_t m = to - from;
    std::vector<float> scores(queries * m);
    dense.f32_gemm_nt(queries, m, d, 1.0f, sample.rows.data(), d, rows.data() + from * d, d, scores.data(), m);
    std::vector<std::pair<float, uint32_t>>& best = block_best[from / kBlockRows];
    std::vector<std::pair<float, uint32_t>> one(m);
    const size_t keep = std::min(depth, m);
    for (size_t qi = 0; qi < queries; ++qi) {
      for (size_t j = 0; j < m; ++j) one[j] = {scores[qi * m + j], static_cast<uint32_t>(from + j)};
      std::partial_sort(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(keep), one.end(), better);
      best.insert(best.end(), one.begin(), one.begin() + static_cast<std::ptrdiff_t>(keep));
    }
  });
  std::vector<std::pair<float, uint32_t>> merged;
  sample.top_clusters.resize(queries * depth);
  for (size_t qi = 0; qi < queries; ++qi) {
    merged.clear();
    for (const auto& best : block_best) {
      const size_t keep = best.size() / queries;
      merged.insert(merged.end(), best.begin() + static_cast<std::ptrdiff_t>(qi * keep),
                    best.begin() + static_cast<std::ptrdiff_t>((qi + 1) * keep));
    }
    std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(depth), merged.end(), better);
    for (size_t t = 0; t < depth; ++t) sample.top_clusters[qi * depth + t] = cluster_of[merged[t].second];
  }
  return sample;
}

// Recall@20 per probe depth: found[p] is the share of the sample's exact top 20 in the p clusters (1..C) nearest by
// the centroids' codes, as the browser probes.
std::vector<double> recall_by_probe(const CatalogIndexHead& head, const ItemQuantizer& q, const SampleQueries& sample) {
  const size_t clusters = head.clusters.size(), d = q.dim();
  std::vector<double> found(clusters + 1, 0.0);
  std::vector<uint32_t> cluster_rank(clusters);
  for (size_t qi = 0; qi < sample.count; ++qi) {
    const std::vector<uint32_t> order = probe_clusters(head, q, sample.rows.data() + qi * d, clusters);
    for (size_t r = 0; r < order.size(); ++r) cluster_rank[order[r]] = static_cast<uint32_t>(r);
    for (size_t t = 0; t < sample.depth; ++t)
      found[cluster_rank[sample.top_clusters[qi * sample.depth + t]] + 1] +=
          1.0 / static_cast<double>(sample.depth * sample.count);
  }
  for (size_t p = 1; p <= clusters; ++p) found[p] += found[p - 1];
  return found;
}

// The fewest clusters whose shards hold kRecallGoal of the sample's exact top 20.
uint32_t default_probe(const std::vector<double>& recall) {
  for (size_t p = 1; p < recall.size(); ++p)
    if (recall[p] >= kRecallGoal) return static_cast<uint32_t>(p);
  return static_cast<uint32_t>(recall.size() - 1);
}

// Recall@20 of a paged head read as the browser reads it: the `page_probe` nearest pages, then `probe` clusters.
double paged_recall(const CatalogIndex& index, const ItemQuantizer& q, const SampleQueries& sample,
                    uint32_t page_probe) {
  const size_t d = q.dim();
  double found = 0.0;
  std::vector<char> read(index.head.clusters.size());
  for (size_t qi = 0; qi < sample.count; ++qi) {
    const float* query = sample.rows.data() + qi * d;
    std::vector<const CatalogIndexHead*> pages;
    std::vector<uint32_t> page_ids = probe_clusters(index.top, q, query, page_probe);
    for (uint32_t g : page_ids) pages.push_back(&index.pages[g]);
    std::fill(read.begin(), read.end(), 0);
    for (const PageCluster& pc : probe_page_clusters(pages, q, query, index.top.probe))
      read[index.page_clusters[page_ids[pc.page]][pc.cluster]] = 1;
    for (size_t t = 0; t < sample.depth; ++t) found += read[sample.top_clusters[qi * sample.depth + t]] ? 1.0 : 0.0;
  }
  return found / static_cast<double>(sample.depth * sample.count);
}

// Groups the clusters into `pages` pages by spherical k-means on their centroids, and writes index.top: each page's
// centroid as a code, the products under it and its name.
void page_the_head(CatalogIndex& index, const ItemQuantizer& q, const std::vector<float>& centroids, uint32_t pages,
                   uint32_t iterations, uint32_t threads) {
  const size_t d = q.dim(), clusters = index.head.clusters.size();
  const std::vector<float> groups = spherical_kmeans(centroids, d, pages, iterations, threads);
  std::vector<uint32_t> group_of(clusters);
  assign_nearest(centroids.data(), clusters, d, groups, threads, group_of.data(), nullptr);
  CatalogIndexHead& top = index.top;
  top = CatalogIndexHead();
  top.tag = index.head.tag;
  top.subspaces = index.head.subspaces;
  top.code_bytes = index.head.code_bytes;
  top.items = index.head.items;
  top.probe = index.head.probe;
  for (uint32_t g = 0; g < pages; ++g) {
    std::vector<uint32_t> members;
    for (uint32_t c = 0; c < clusters; ++c)
      if (group_of[c] == g) members.push_back(c);
    if (members.empty()) continue;  // k-means left it without clusters
    CatalogIndexHead page;
    page.tag = top.tag;
    page.subspaces = top.subspaces;
    page.code_bytes = top.code_bytes;
    for (uint32_t c : members) {
      page.clusters.push_back(index.head.clusters[c]);
      page.items += index.head.clusters[c].items;
    }
    page.probe = std::min<uint32_t>(top.probe, static_cast<uint32_t>(members.size()));
    CatalogCluster entry;
    entry.centroid.resize(top.subspaces);
    q.encode(groups.data() + size_t{g} * d, entry.centroid.data());
    entry.items = page.items;
    entry.shard = page_name(write_catalog_head(page));
    top.clusters.push_back(std::move(entry));
    index.pages.push_back(std::move(page));
    index.page_clusters.push_back(std::move(members));
  }
}

}  // namespace

uint32_t paged_head_pages(size_t clusters) {
  if (clusters < kPagedHeadClusters) return 1;
  return static_cast<uint32_t>(std::ceil(std::sqrt(static_cast<double>(clusters))));
}

uint32_t default_catalog_clusters(size_t products) {
  // Every shopper reads the head (C centroids) once, and each query reads `probe` shards of n / C products. More
  // clusters make shards smaller but the head bigger, and the probe grows with C too; about 2 sqrt(n) keeps the
  // head near the first query's shards (a million products: 2,000 clusters, a head of 120 KB; docs/QUALITY.md).
  const double clusters = std::ceil(2.0 * std::sqrt(static_cast<double>(products)));
  return static_cast<uint32_t>(std::clamp<double>(clusters, 1.0, static_cast<double>(std::max<size_t>(products, 1))));
}

Result<CatalogIndex> build_catalog_index(const ItemQuantizer& q, size_t n_extras, const std::vector<std::string>& ids,
                                         const std::vector<std::string>& codes, const CatalogIndexOptions& options) {
  const size_t n = ids.size(), d = q.dim(), m = q.subspaces();
  if (n == 0 || codes.size() != n)
    return Status(StatusCode::kINVALID_ARGUMENT, "catalog index: needs one code per product, and some products");
  const uint32_t code_bytes = static_cast<uint32_t>(2 + m + 2 * n_extras);
  std::vector<float> rows(n * d);
  std::vector<uint8_t> raw(n * code_bytes);
  const uint16_t tag = q.tag();  // a checksum of the whole codebook: once, not per product
  for (size_t i = 0; i < n; ++i) {
    auto code = parse_item_code(codes[i], tag, q.subspaces(), n_extras);
    if (!code.ok()) return Status(StatusCode::kBAD_INPUT, "product '" + ids[i] + "': " + code.status().message());
    q.decode(code.value().centroids.data(), rows.data() + i * d);
    normalize(rows.data() + i * d, d);
    auto bytes = base64url_decode(codes[i]);
    std::copy(bytes.value().begin(), bytes.value().end(), raw.begin() + static_cast<std::ptrdiff_t>(i * code_bytes));
  }

  const size_t clusters =
      options.clusters > 0 ? std::min<size_t>(options.clusters, n) : size_t{default_catalog_clusters(n)};
  const uint32_t threads = std::max<uint32_t>(1, options.threads);
  SplitMix64 rng{options.seed};
  const std::vector<size_t> training =
      seeded_sample(n, std::max({options.max_training_rows, kTrainingRowsPerCluster * clusters, clusters}), rng);
  std::vector<float> sample(training.size() * d);
  for (size_t i = 0; i < training.size(); ++i) std::copy_n(rows.data() + training[i] * d, d, sample.data() + i * d);
  const std::vector<float> centroids = spherical_kmeans(sample, d, clusters, options.iterations, threads);
  std::vector<uint32_t> cluster_of(n);
  assign_nearest(rows.data(), n, d, centroids, threads, cluster_of.data(), nullptr);

  CatalogIndex index;
  CatalogIndexHead& head = index.head;
  head.tag = tag;
  head.subspaces = static_cast<uint32_t>(m);
  head.code_bytes = code_bytes;
  head.items = static_cast<uint32_t>(n);
  index.shards.resize(clusters);
  head.clusters.resize(clusters);
  for (size_t c = 0; c < clusters; ++c) {
    head.clusters[c].centroid.resize(m);
    q.encode(centroids.data() + c * d, head.clusters[c].centroid.data());
    index.shards[c].code_bytes = code_bytes;
  }
  for (size_t i = 0; i < n; ++i) {
    CatalogShard& shard = index.shards[cluster_of[i]];
    shard.ids.push_back(ids[i]);
    shard.codes.insert(shard.codes.end(), raw.begin() + static_cast<std::ptrdiff_t>(i * code_bytes),
                       raw.begin() + static_cast<std::ptrdiff_t>((i + 1) * code_bytes));
  }
  for (size_t c = 0; c < clusters; ++c) {
    head.clusters[c].items = static_cast<uint32_t>(index.shards[c].ids.size());
    head.clusters[c].shard = shard_name(write_catalog_shard(index.shards[c]));
  }
  const uint32_t pages = std::min<uint32_t>(options.pages > 0 ? options.pages : paged_head_pages(clusters),
                                            static_cast<uint32_t>(clusters));
  if (options.probe > 0 && pages <= 1 && options.page_probe == 0) {
    head.probe = options.probe;
    return index;
  }
  const SampleQueries queries = sample_queries(q, rows, cluster_of, rng, threads);
  const std::vector<double> recall = recall_by_probe(head, q, queries);
  head.probe = options.probe > 0 ? options.probe : default_probe(recall);
  if (pages <= 1) return index;
  page_the_head(index, q, centroids, pages, options.iterations, threads);
  const uint32_t groups = static_cast<uint32_t>(index.pages.size());
  if (options.page_probe > 0) {
    index.top.page_probe = std::min(options.page_probe, groups);
  } else {
    const double goal = recall[std::min<size_t>(head.probe, recall.size() - 1)] - kPagedRecallLoss;
    index.top.page_probe = groups;
    for (uint32_t p = 1; p < groups; ++p)
      if (paged_recall(index, q, queries, p) >= goal) {
        index.top.page_probe = p;
        break;
      }
  }
  return index;
}

}  // namespace vitrine
