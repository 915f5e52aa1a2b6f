#include "vitrine/catalog_index.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "model_file/internal.h"  // hex_digits
#include "vitrine/model_file.h"

namespace vitrine {
namespace {

constexpr uint32_t kHeadMagic = 0x31495456;   // "VTI1"
constexpr uint32_t kShardMagic = 0x31535456;  // "VTS1"
constexpr size_t kHeadFixedBytes = 32;
constexpr size_t kShardFixedBytes = 12;

Status bad(const std::string& what) {
  return Status(StatusCode::kBAD_INPUT, what);
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 0; s < 32; s += 8) out.push_back(static_cast<uint8_t>(v >> s));
}

uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

std::string content_name(const std::vector<uint8_t>& bytes, char prefix, const char* extension) {
  const uint32_t a = crc32c(bytes.data(), bytes.size());
  const uint32_t b = crc32c(bytes.data(), bytes.size(), 0x5bd1e995u);
  return std::string{prefix, '-'} + model_file_internal::hex_digits(a, 8, false) +
         model_file_internal::hex_digits(b, 8, false) + "." + extension;
}

// Whether `name` is one content_name gives with that prefix and extension.
bool is_content_name(const std::string& name, char prefix, const char* extension) {
  if (name.size() != 22 || name[0] != prefix || name[1] != '-' || name[18] != '.' || name.compare(19, 3, extension))
    return false;
  return name.find_first_not_of("0123456789abcdef", 2) == 18;
}

// Each centroid's score against the query's dot table.
std::vector<float> centroid_scores(const ItemQuantizer& q, const float* query,
                                   const std::vector<const uint8_t*>& centroids) {
  std::vector<float> table(size_t{q.subspaces()} * ItemQuantizer::kCentroids), score(centroids.size());
  q.dot_table(query, table.data());
  for (size_t c = 0; c < centroids.size(); ++c) score[c] = q.dot_code(table.data(), centroids[c]);
  return score;
}

// The `probe` best of `score`'s indices, best first, ties to the lower index.
std::vector<uint32_t> best_first(const std::vector<float>& score, size_t probe) {
  std::vector<uint32_t> order(score.size());
  std::iota(order.begin(), order.end(), 0u);
  const size_t count = std::min(probe, score.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                    [&](uint32_t a, uint32_t b) { return score[a] > score[b] || (score[a] == score[b] && a < b); });
  order.resize(count);
  return order;
}

}  // namespace

std::string shard_name(const std::vector<uint8_t>& bytes) {
  return content_name(bytes, 's', "vts");
}

std::string page_name(const std::vector<uint8_t>& bytes) {
  return content_name(bytes, 'p', "vti");
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
  std::vector<const uint8_t*> centroids;
  for (const CatalogCluster& c : head.clusters) centroids.push_back(c.centroid.data());
  return best_first(centroid_scores(q, query, centroids), probe);
}

std::vector<PageCluster> probe_page_clusters(const std::vector<const CatalogIndexHead*>& pages, const ItemQuantizer& q,
                                             const float* query, size_t probe) {
  std::vector<PageCluster> all;
  std::vector<const uint8_t*> centroids;
  for (uint32_t p = 0; p < pages.size(); ++p)
    for (uint32_t c = 0; c < pages[p]->clusters.size(); ++c) {
      all.push_back({p, c});
      centroids.push_back(pages[p]->clusters[c].centroid.data());
    }
  std::vector<PageCluster> out;
  for (uint32_t i : best_first(centroid_scores(q, query, centroids), probe)) out.push_back(all[i]);
  return out;
}

std::vector<uint8_t> write_catalog_head(const CatalogIndexHead& head) {
  std::vector<uint8_t> out;
  for (uint32_t v : {kHeadMagic, head.paged() ? 2u : 1u, uint32_t{head.tag}, head.subspaces, head.code_bytes,
                     static_cast<uint32_t>(head.clusters.size()), head.items, head.probe})
    put_u32(out, v);
  if (head.paged()) put_u32(out, head.page_probe);
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
  const uint32_t version = get_u32(bytes + 4);
  if (version != 1 && version != 2) return bad("catalog index head: version " + std::to_string(version));
  const size_t fixed = version == 2 ? kHeadFixedBytes + 4 : kHeadFixedBytes;
  if (size < fixed) return bad("catalog index head: cut short");
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
  if (clusters == 0 || (size - fixed) / per_cluster != clusters || (size - fixed) % per_cluster)
    return bad("catalog index head: " + std::to_string(size) + " bytes do not hold " + std::to_string(clusters) +
               " entries");
  if (version == 2) {
    head.page_probe = get_u32(bytes + kHeadFixedBytes);
    if (head.page_probe == 0 || head.page_probe > clusters) return bad("catalog index head: page probe out of range");
    if (head.probe == 0) return bad("catalog index head: probe out of range");
  } else if (head.probe == 0 || head.probe > clusters) {
    return bad("catalog index head: probe out of range");
  }
  uint64_t total = 0;
  const uint8_t* at = bytes + fixed;
  head.clusters.resize(clusters);
  for (CatalogCluster& c : head.clusters) {
    c.centroid.assign(at, at + head.subspaces);
    c.items = get_u32(at + head.subspaces);
    total += c.items;
    const char* name = reinterpret_cast<const char*>(at + head.subspaces + 4);
    c.shard.assign(name, strnlen(name, kShardNameBytes));
    while (!c.shard.empty() && c.shard.back() == ' ') c.shard.pop_back();
    if (!(head.paged() ? is_content_name(c.shard, 'p', "vti") : is_content_name(c.shard, 's', "vts")))
      return bad(std::string("catalog index head: a ") + (head.paged() ? "page" : "shard") +
                 " name is not one this index writes");
    at += per_cluster;
  }
  if (total != head.items) return bad("catalog index head: the clusters' items do not add up to the total");
  return head;
}

Result<CatalogIndexHead> parse_catalog_page(const CatalogIndexHead& top, const uint8_t* bytes, size_t size,
                                            size_t* entry) {
  const std::string name = page_name(std::vector<uint8_t>(bytes, bytes + size));
  size_t at = 0;
  while (at < top.clusters.size() && top.clusters[at].shard != name) ++at;
  if (!top.paged() || at == top.clusters.size()) return bad("catalog index page: not a page of this index");
  auto page = parse_catalog_head(bytes, size);
  if (!page.ok()) return page.status();
  if (page.value().paged() || page.value().tag != top.tag || page.value().code_bytes != top.code_bytes)
    return bad("catalog index page: it does not fit its head");
  *entry = at;
  return page;
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
