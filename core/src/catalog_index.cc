#include "vitrine/catalog_index.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>

#include "vitrine/model_file.h"
#include "vitrine/session_model.h"  // dot_lanes: the clustering's products vectorize
#include "vitrine/splitmix64.h"

namespace vitrine {
namespace {

constexpr uint32_t kHeadMagic = 0x31495456;   // "VTI1"
constexpr uint32_t kShardMagic = 0x31535456;  // "VTS1"
constexpr size_t kHeadFixedBytes = 32;
constexpr size_t kShardFixedBytes = 12;
// The default probe reaches this recall@20 on the index's sample queries. Not 0.95: a ranking loses about as many
// hits as its top 20 loses products, and keeping HR@20 within 0.3 point of the exact scan needs about 0.99
// (docs/QUALITY.md has the Diginetica curve).
constexpr size_t kRecallDepth = 20;
constexpr double kRecallGoal = 0.99;

Status bad(const std::string& what) {
  return Status(StatusCode::kBAD_INPUT, what);
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 0; s < 32; s += 8) out.push_back(static_cast<uint8_t>(v >> s));
}

uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void normalize(float* x, size_t n) {
  const float norm = std::sqrt(dot_lanes(x, x, n));
  const float inv = norm > 1e-12f ? 1.0f / norm : 0.0f;
  for (size_t k = 0; k < n; ++k) x[k] *= inv;
}

// The centroid nearest x by inner product; ties to the lower index.
uint32_t nearest_centroid(const float* x, const std::vector<float>& centroids, size_t d, float* score) {
  uint32_t best = 0;
  float best_s = -std::numeric_limits<float>::infinity();
  for (size_t c = 0; c * d < centroids.size(); ++c) {
    const float s = dot_lanes(x, centroids.data() + c * d, d);
    if (s > best_s) {
      best_s = s;
      best = static_cast<uint32_t>(c);
    }
  }
  if (score != nullptr) *score = best_s;
  return best;
}

// Spherical k-means on rows[sample] (unit rows): unit centroids, each the normalized mean of the rows nearest it.
std::vector<float> spherical_kmeans(const std::vector<float>& rows, size_t d, const std::vector<size_t>& sampled,
                                    size_t clusters, uint32_t iterations) {
  std::vector<float> centroids(clusters * d);
  for (size_t c = 0; c < clusters; ++c)
    std::copy_n(rows.data() + sampled[c % sampled.size()] * d, d, centroids.data() + c * d);
  std::vector<uint32_t> assigned(sampled.size());
  std::vector<float> score(sampled.size());
  std::vector<double> sums(clusters * d);
  std::vector<size_t> counts(clusters), worst(sampled.size());
  for (uint32_t it = 0; it < iterations; ++it) {
    for (size_t i = 0; i < sampled.size(); ++i)
      assigned[i] = nearest_centroid(rows.data() + sampled[i] * d, centroids, d, &score[i]);
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), size_t{0});
    for (size_t i = 0; i < sampled.size(); ++i) {
      ++counts[assigned[i]];
      const float* x = rows.data() + sampled[i] * d;
      for (size_t k = 0; k < d; ++k) sums[assigned[i] * d + k] += x[k];
    }
    // An empty cluster restarts at the rows its neighbours serve worst.
    std::iota(worst.begin(), worst.end(), size_t{0});
    std::stable_sort(worst.begin(), worst.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
    size_t next = 0;
    for (size_t c = 0; c < clusters; ++c) {
      float* centroid = centroids.data() + c * d;
      if (counts[c] == 0) {
        std::copy_n(rows.data() + sampled[worst[next++ % worst.size()]] * d, d, centroid);
        continue;
      }
      for (size_t k = 0; k < d; ++k) centroid[k] = static_cast<float>(sums[c * d + k]);
      normalize(centroid, d);
    }
  }
  return centroids;
}

}  // namespace

std::string shard_name(const std::vector<uint8_t>& bytes) {
  const uint32_t a = crc32c(bytes.data(), bytes.size());
  const uint32_t b = crc32c(bytes.data(), bytes.size(), 0x5bd1e995u);
  char text[32];
  std::snprintf(text, sizeof text, "s-%08x%08x.vts", a, b);
  return text;
}

Result<CatalogIndex> build_catalog_index(const ItemQuantizer& q, size_t n_extras, const std::vector<std::string>& ids,
                                         const std::vector<std::string>& codes, const CatalogIndexOptions& options) {
  const size_t n = ids.size(), d = q.dim(), m = q.subspaces();
  if (n == 0 || codes.size() != n)
    return Status(StatusCode::kINVALID_ARGUMENT, "catalog index: needs one code per product, and some products");
  const uint32_t code_bytes = static_cast<uint32_t>(2 + m + 2 * n_extras);
  std::vector<float> rows(n * d);
  std::vector<uint8_t> raw(n * code_bytes);
  for (size_t i = 0; i < n; ++i) {
    auto code = parse_item_code(codes[i], q.tag(), q.subspaces(), n_extras);
    if (!code.ok()) return bad("product '" + ids[i] + "': " + code.status().message());
    q.decode(code.value().centroids.data(), rows.data() + i * d);
    normalize(rows.data() + i * d, d);
    auto bytes = base64url_decode(codes[i]);
    std::copy(bytes.value().begin(), bytes.value().end(), raw.begin() + static_cast<std::ptrdiff_t>(i * code_bytes));
  }

  const size_t clusters =
      options.clusters > 0 ? std::min<size_t>(options.clusters, n) : std::max<size_t>(1, (n + 127) / 128);
  SplitMix64 rng{options.seed};
  const std::vector<size_t> training = seeded_sample(n, std::max(options.max_training_rows, clusters), rng);
  const std::vector<float> centroids = spherical_kmeans(rows, d, training, clusters, options.iterations);
  std::vector<uint32_t> cluster_of(n);
  for (size_t i = 0; i < n; ++i) cluster_of[i] = nearest_centroid(rows.data() + i * d, centroids, d, nullptr);

  CatalogIndex index;
  CatalogIndexHead& head = index.head;
  head.tag = q.tag();
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

  // The default probe: sample queries (products' own vectors, which live where session vectors do), each with its
  // exact top 20 over the whole catalog; the probe is the fewest clusters whose shards hold 95% of them on average.
  head.probe = options.probe;
  if (head.probe == 0) {
    const size_t queries = std::min<size_t>(n, n > 200'000 ? 100 : 300);
    const std::vector<size_t> chosen = seeded_sample(n, queries, rng);
    std::vector<double> found_by_probe(clusters + 1, 0.0);
    std::vector<float> scores(n);
    std::vector<uint32_t> top(n), cluster_rank(clusters), by_centroid(clusters);
    for (size_t query : chosen) {
      const float* x = rows.data() + query * d;
      for (size_t j = 0; j < n; ++j) scores[j] = dot_lanes(x, rows.data() + j * d, d);
      std::iota(top.begin(), top.end(), 0u);
      const size_t depth = std::min(kRecallDepth, n);
      std::partial_sort(
          top.begin(), top.begin() + static_cast<std::ptrdiff_t>(depth), top.end(),
          [&](uint32_t a, uint32_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); });
      const std::vector<uint32_t> order = probe_clusters(head, q, x, clusters);
      for (size_t r = 0; r < order.size(); ++r) cluster_rank[order[r]] = static_cast<uint32_t>(r);
      for (size_t t = 0; t < depth; ++t) found_by_probe[cluster_rank[cluster_of[top[t]]] + 1] += 1.0 / double(depth);
    }
    double found = 0.0;
    head.probe = static_cast<uint32_t>(clusters);
    for (size_t p = 1; p <= clusters; ++p) {
      found += found_by_probe[p] / static_cast<double>(chosen.size());
      if (found >= kRecallGoal) {
        head.probe = static_cast<uint32_t>(p);
        break;
      }
    }
  }
  return index;
}

void append_shard_candidates(const CatalogShard& shard, std::vector<Candidate>& out) {
  for (size_t i = 0; i < shard.ids.size(); ++i) {
    Candidate c;
    c.id = shard.ids[i];
    c.code = base64url_encode(shard.codes.data() + i * shard.code_bytes, shard.code_bytes);
    out.push_back(std::move(c));
  }
}

std::vector<uint32_t> probe_clusters(const CatalogIndexHead& head, const ItemQuantizer& q, const float* query,
                                     size_t probe) {
  const size_t clusters = head.clusters.size();
  std::vector<float> table(size_t{q.subspaces()} * ItemQuantizer::kCentroids), score(clusters);
  q.dot_table(query, table.data());
  for (size_t c = 0; c < clusters; ++c) score[c] = q.dot_code(table.data(), head.clusters[c].centroid.data());
  std::vector<uint32_t> order(clusters);
  std::iota(order.begin(), order.end(), 0u);
  const size_t count = std::min(probe, clusters);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                    [&](uint32_t a, uint32_t b) { return score[a] > score[b] || (score[a] == score[b] && a < b); });
  order.resize(count);
  return order;
}

std::vector<uint8_t> write_catalog_head(const CatalogIndexHead& head) {
  std::vector<uint8_t> out;
  for (uint32_t v : {kHeadMagic, 1u, uint32_t{head.tag}, head.subspaces, head.code_bytes,
                     static_cast<uint32_t>(head.clusters.size()), head.items, head.probe})
    put_u32(out, v);
  for (const CatalogCluster& c : head.clusters) {
    out.insert(out.end(), c.centroid.begin(), c.centroid.end());
    put_u32(out, c.items);
    std::string name = c.shard;
    name.resize(kShardNameBytes, ' ');
    out.insert(out.end(), name.begin(), name.end());
  }
  return out;
}

Result<CatalogIndexHead> parse_catalog_head(const uint8_t* bytes, size_t size) {
  if (size < kHeadFixedBytes || get_u32(bytes) != kHeadMagic) return bad("catalog index head: not a VTI1 file");
  if (get_u32(bytes + 4) != 1) return bad("catalog index head: version " + std::to_string(get_u32(bytes + 4)));
  CatalogIndexHead head;
  const uint32_t tag = get_u32(bytes + 8);
  if (tag > 0xFFFF) return bad("catalog index head: tag out of range");
  head.tag = static_cast<uint16_t>(tag);
  head.subspaces = get_u32(bytes + 12);
  head.code_bytes = get_u32(bytes + 16);
  const uint32_t clusters = get_u32(bytes + 20);
  head.items = get_u32(bytes + 24);
  head.probe = get_u32(bytes + 28);
  if (head.subspaces == 0 || head.subspaces > 1024 || head.code_bytes < 2 + head.subspaces ||
      (head.code_bytes - 2 - head.subspaces) % 2 != 0)
    return bad("catalog index head: subspaces and code bytes do not fit together");
  const size_t per_cluster = head.subspaces + 4 + kShardNameBytes;
  if (clusters == 0 || (size - kHeadFixedBytes) / per_cluster != clusters || (size - kHeadFixedBytes) % per_cluster)
    return bad("catalog index head: " + std::to_string(size) + " bytes do not hold " + std::to_string(clusters) +
               " clusters");
  if (head.probe == 0 || head.probe > clusters) return bad("catalog index head: probe out of range");
  uint64_t total = 0;
  const uint8_t* at = bytes + kHeadFixedBytes;
  head.clusters.resize(clusters);
  for (CatalogCluster& c : head.clusters) {
    c.centroid.assign(at, at + head.subspaces);
    c.items = get_u32(at + head.subspaces);
    total += c.items;
    const char* name = reinterpret_cast<const char*>(at + head.subspaces + 4);
    c.shard.assign(name, strnlen(name, kShardNameBytes));
    while (!c.shard.empty() && c.shard.back() == ' ') c.shard.pop_back();
    if (c.shard.empty() || c.shard.find_first_not_of("0123456789abcdefs-.vt") != std::string::npos)
      return bad("catalog index head: a shard name is not one this index writes");
    at += per_cluster;
  }
  if (total != head.items) return bad("catalog index head: the clusters' items do not add up to the total");
  return head;
}

std::vector<uint8_t> write_catalog_shard(const CatalogShard& shard) {
  std::vector<uint8_t> out;
  put_u32(out, kShardMagic);
  put_u32(out, static_cast<uint32_t>(shard.ids.size()));
  put_u32(out, shard.code_bytes);
  uint32_t end = 0;
  put_u32(out, 0);
  for (const std::string& id : shard.ids) put_u32(out, end += static_cast<uint32_t>(id.size()));
  for (const std::string& id : shard.ids) out.insert(out.end(), id.begin(), id.end());
  out.insert(out.end(), shard.codes.begin(), shard.codes.end());
  return out;
}

Result<CatalogShard> parse_catalog_shard(const uint8_t* bytes, size_t size, uint32_t code_bytes) {
  if (size < kShardFixedBytes + 4 || get_u32(bytes) != kShardMagic) return bad("catalog shard: not a VTS1 file");
  const uint32_t n = get_u32(bytes + 4);
  if (get_u32(bytes + 8) != code_bytes)
    return bad("catalog shard: codes of " + std::to_string(get_u32(bytes + 8)) + " bytes, the index's have " +
               std::to_string(code_bytes));
  const size_t offsets_at = kShardFixedBytes;
  if (n > (size - offsets_at - 4) / 4) return bad("catalog shard: cut short");
  const size_t text_at = offsets_at + 4 * (size_t{n} + 1);
  const uint32_t text_bytes = get_u32(bytes + offsets_at + 4 * size_t{n});
  if (get_u32(bytes + offsets_at) != 0 || size < text_at || size - text_at < text_bytes ||
      size - text_at - text_bytes != size_t{n} * code_bytes)
    return bad("catalog shard: its sizes do not add up");
  CatalogShard shard;
  shard.code_bytes = code_bytes;
  shard.ids.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t from = get_u32(bytes + offsets_at + 4 * size_t{i}), to = get_u32(bytes + offsets_at + 4 * (i + 1));
    if (to < from || to > text_bytes || to == from) return bad("catalog shard: product " + std::to_string(i) + "'s id");
    shard.ids.emplace_back(reinterpret_cast<const char*>(bytes + text_at + from), to - from);
  }
  shard.codes.assign(bytes + text_at + text_bytes, bytes + size);
  return shard;
}

}  // namespace vitrine
