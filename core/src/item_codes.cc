#include "vitrine/item_codes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "vitrine/model_file.h"
#include "vitrine/splitmix64.h"

namespace vitrine {
namespace {

float squared_distance(const float* a, const float* b, size_t n) {
  float s = 0.0f;
  for (size_t k = 0; k < n; ++k) {
    const float t = a[k] - b[k];
    s += t * t;
  }
  return s;
}

// The nearest of `count` centroids ([count][n]) to x; ties to the lower index. Its distance into *distance.
uint32_t nearest(const float* x, const float* centroids, uint32_t count, size_t n, float* distance) {
  uint32_t best = 0;
  float best_d = std::numeric_limits<float>::infinity();
  for (uint32_t c = 0; c < count; ++c) {
    const float d = squared_distance(x, centroids + size_t{c} * n, n);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (distance != nullptr) *distance = best_d;
  return best;
}

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

Result<ItemQuantizer> ItemQuantizer::from_codebook(uint32_t dim, uint32_t subspaces, std::vector<float> codebook) {
  if (subspaces == 0 || dim == 0 || dim % subspaces != 0)
    return Status(StatusCode::kINVALID_ARGUMENT, "item codes: " + std::to_string(subspaces) +
                                                     " subspaces do not divide dimension " + std::to_string(dim));
  if (codebook.size() != size_t{kCentroids} * dim)
    return Status(StatusCode::kINVALID_ARGUMENT, "item codes: the codebook has " + std::to_string(codebook.size()) +
                                                     " floats, needs " + std::to_string(size_t{kCentroids} * dim));
  ItemQuantizer q;
  q.dim_ = dim;
  q.subspaces_ = subspaces;
  q.codebook_ = std::move(codebook);
  return q;
}

Result<ItemQuantizer> ItemQuantizer::train(const float* rows, size_t n, uint32_t dim, uint32_t subspaces, uint64_t seed,
                                           uint32_t iterations, size_t max_rows) {
  if (n == 0 || rows == nullptr)
    return Status(StatusCode::kINVALID_ARGUMENT, "item codes: no vectors to learn a codebook from");
  auto q = from_codebook(dim, subspaces, std::vector<float>(size_t{kCentroids} * dim, 0.0f));
  if (!q.ok()) return q.status();
  ItemQuantizer out = std::move(q).value();
  const size_t ds = out.sub_dim();

  // The rows that take part: all, or max_rows of them drawn without replacement (a partial Fisher-Yates shuffle).
  SplitMix64 rng{seed};
  const std::vector<size_t> order = seeded_sample(n, std::max<size_t>(max_rows, 1), rng);
  const size_t used = order.size();

  std::vector<float> data(used * ds), distance(used);
  std::vector<uint32_t> assigned(used);
  std::vector<double> sums(size_t{kCentroids} * ds);
  std::vector<size_t> counts(kCentroids), by_distance(used);
  for (uint32_t m = 0; m < subspaces; ++m) {
    for (size_t i = 0; i < used; ++i) std::copy_n(rows + order[i] * dim + m * ds, ds, data.data() + i * ds);
    float* centroids = out.codebook_.data() + size_t{m} * kCentroids * ds;
    // Start from rows of the (already shuffled) sample; a sample under 256 rows repeats itself.
    for (uint32_t c = 0; c < kCentroids; ++c) std::copy_n(data.data() + (c % used) * ds, ds, centroids + c * ds);
    for (uint32_t it = 0; it < iterations; ++it) {
      for (size_t i = 0; i < used; ++i)
        assigned[i] = nearest(data.data() + i * ds, centroids, kCentroids, ds, &distance[i]);
      std::fill(sums.begin(), sums.end(), 0.0);
      std::fill(counts.begin(), counts.end(), size_t{0});
      for (size_t i = 0; i < used; ++i) {
        ++counts[assigned[i]];
        for (size_t k = 0; k < ds; ++k) sums[assigned[i] * ds + k] += data[i * ds + k];
      }
      // An empty centroid moves to the rows worst served so far, farthest first: it then takes part next round.
      std::iota(by_distance.begin(), by_distance.end(), size_t{0});
      size_t next_far = 0;
      bool sorted = false;
      for (uint32_t c = 0; c < kCentroids; ++c) {
        float* centroid = centroids + size_t{c} * ds;
        if (counts[c] > 0) {
          for (size_t k = 0; k < ds; ++k)
            centroid[k] = static_cast<float>(sums[c * ds + k] / static_cast<double>(counts[c]));
          continue;
        }
        if (used <= kCentroids) continue;  // every row already has a centroid of its own
        if (!sorted) {
          std::stable_sort(by_distance.begin(), by_distance.end(),
                           [&](size_t a, size_t b) { return distance[a] > distance[b]; });
          sorted = true;
        }
        std::copy_n(data.data() + by_distance[next_far++ % used] * ds, ds, centroid);
      }
    }
  }
  // Rounded to half precision here, as model files store it: codes are chosen against the codebook the browser reads.
  for (float& v : out.codebook_) v = f16_to_f32(f32_to_f16(v));
  return out;
}

uint16_t ItemQuantizer::tag() const {
  uint32_t crc = 0;
  for (float v : codebook_) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const uint8_t bytes[4] = {static_cast<uint8_t>(bits), static_cast<uint8_t>(bits >> 8),
                              static_cast<uint8_t>(bits >> 16), static_cast<uint8_t>(bits >> 24)};
    crc = crc32c(bytes, 4, crc);
  }
  return static_cast<uint16_t>(crc ^ (crc >> 16));
}

void ItemQuantizer::encode(const float* row, uint8_t* code) const {
  const size_t ds = sub_dim();
  for (uint32_t m = 0; m < subspaces_; ++m)
    code[m] = static_cast<uint8_t>(
        nearest(row + m * ds, codebook_.data() + size_t{m} * kCentroids * ds, kCentroids, ds, nullptr));
}

void ItemQuantizer::decode(const uint8_t* code, float* row) const {
  const size_t ds = sub_dim();
  for (uint32_t m = 0; m < subspaces_; ++m)
    std::copy_n(codebook_.data() + (size_t{m} * kCentroids + code[m]) * ds, ds, row + m * ds);
}

void ItemQuantizer::dot_table(const float* query, float* table) const {
  const size_t ds = sub_dim();
  for (uint32_t m = 0; m < subspaces_; ++m) {
    const float* q = query + m * ds;
    for (uint32_t c = 0; c < kCentroids; ++c) {
      const float* centroid = codebook_.data() + (size_t{m} * kCentroids + c) * ds;
      float s = 0.0f;
      for (size_t k = 0; k < ds; ++k) s += q[k] * centroid[k];
      table[size_t{m} * kCentroids + c] = s;
    }
  }
}

float ItemQuantizer::dot_code(const float* table, const uint8_t* code) const {
  float s = 0.0f;
  for (uint32_t m = 0; m < subspaces_; ++m) s += table[size_t{m} * kCentroids + code[m]];
  return s;
}

std::string format_item_code(uint16_t tag, const uint8_t* centroids, uint32_t subspaces, const float* extras,
                             size_t n_extras) {
  std::vector<uint8_t> bytes;
  bytes.reserve(2 + subspaces + 2 * n_extras);
  bytes.push_back(static_cast<uint8_t>(tag));
  bytes.push_back(static_cast<uint8_t>(tag >> 8));
  bytes.insert(bytes.end(), centroids, centroids + subspaces);
  for (size_t i = 0; i < n_extras; ++i) {
    const uint16_t h = f32_to_f16(extras[i]);
    bytes.push_back(static_cast<uint8_t>(h));
    bytes.push_back(static_cast<uint8_t>(h >> 8));
  }
  return base64url_encode(bytes.data(), bytes.size());
}

Result<ItemCode> parse_item_code(std::string_view text, uint16_t tag, uint32_t subspaces, size_t n_extras) {
  auto bytes = base64url_decode(text);
  if (!bytes.ok()) return bytes.status();
  const std::vector<uint8_t>& b = bytes.value();
  const size_t want = 2 + size_t{subspaces} + 2 * n_extras;
  if (b.size() != want)
    return Status(StatusCode::kBAD_INPUT,
                  "item code holds " + std::to_string(b.size()) + " bytes, this model's hold " + std::to_string(want));
  const auto code_tag = static_cast<uint16_t>(b[0] | b[1] << 8);
  if (code_tag != tag)
    return Status(StatusCode::kBAD_INPUT, "item code was made for another model (codebook tag " +
                                              std::to_string(code_tag) + ", this model's is " + std::to_string(tag) +
                                              "): run vitrine export-codes for the model the page loads");
  ItemCode code;
  code.centroids.assign(b.begin() + 2, b.begin() + 2 + subspaces);
  for (size_t i = 0; i < n_extras; ++i) {
    const size_t at = 2 + subspaces + 2 * i;
    const float v = f16_to_f32(static_cast<uint16_t>(b[at] | b[at + 1] << 8));
    if (!std::isfinite(v)) return Status(StatusCode::kBAD_INPUT, "item code holds a value that is not finite");
    code.extras.push_back(v);
  }
  return code;
}

std::string base64url_encode(const uint8_t* bytes, size_t n) {
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = uint32_t{bytes[i]} << 16 | uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Url[(v >> shift) & 63]);
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t{bytes[i]} << 16;
    out.push_back(kBase64Url[(v >> 18) & 63]);
    out.push_back(kBase64Url[(v >> 12) & 63]);
  } else if (n - i == 2) {
    const uint32_t v = uint32_t{bytes[i]} << 16 | uint32_t{bytes[i + 1]} << 8;
    out.push_back(kBase64Url[(v >> 18) & 63]);
    out.push_back(kBase64Url[(v >> 12) & 63]);
    out.push_back(kBase64Url[(v >> 6) & 63]);
  }
  return out;
}

Result<std::vector<uint8_t>> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1)
    return Status(StatusCode::kBAD_INPUT, "item code is not base64url: " + std::to_string(text.size()) +
                                              " characters cannot encode whole bytes");
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int v = base64url_value(text[i]);
    if (v < 0)
      return Status(StatusCode::kBAD_INPUT,
                    "item code is not base64url: character " + std::to_string(i) + " is not A-Z, a-z, 0-9, - or _");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return Status(StatusCode::kBAD_INPUT, "item code is not base64url: its last character has stray bits");
  return out;
}

}  // namespace vitrine
