// Item codes: the catalog outside the model file.
//
// A model file with config.item_subspaces = M > 0 holds the encoder and a codebook, not the item table. Each
// product's unit vector n_i (d floats, session_model.h) travels with the product instead, as a short code the
// shop's pages carry (`data-vitrine-code`, written from `vitrine export-codes`):
//
//   product quantization  n_i is cut into M sub-vectors of d/M floats; each is replaced by the index of the nearest
//                         of 256 centroids learned for its subspace (k-means on the catalog's vectors), so the vector
//                         costs M bytes and decodes as the M centroids side by side, renormalized like any item vector.
//   extras                the per-item scalars the scorer reads besides the vector (the item prior, the conversion
//                         head's two rates), each an IEEE half.
//   tag                   16 bits of the codebook's checksum, first: a code made for another model's codebook would
//                         decode to a wrong vector, so the ranker refuses it instead (the product then ranks as one
//                         the model does not know).
//
// Text form: base64url without padding of [tag lo, tag hi][M code bytes][extras, 2 bytes each, little-endian]. With
// M = 16 and no extras that is 24 characters.
//
// Training is seeded and deterministic: the same vectors, M and seed give the same codebook on every machine
// (no library random distributions, no floating-point reductions whose order depends on threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/status.h"

namespace vitrine {

class ItemQuantizer {
 public:
  static constexpr uint32_t kCentroids = 256;  // one byte per subspace

  ItemQuantizer() = default;
  // From a stored codebook ([M][256][d/M] floats). INVALID_ARGUMENT when M does not divide d or the size is wrong.
  static Result<ItemQuantizer> from_codebook(uint32_t dim, uint32_t subspaces, std::vector<float> codebook);

  // Learns the codebook from `n` rows of `dim` floats (k-means per subspace, `iterations` rounds of Lloyd's
  // algorithm from centroids drawn from the rows with `seed`; at most `max_rows` rows, drawn the same way, take
  // part). With fewer than 256 distinct sub-vectors some centroids repeat. INVALID_ARGUMENT for n = 0, M not
  // dividing d, or M = 0.
  static Result<ItemQuantizer> train(const float* rows, size_t n, uint32_t dim, uint32_t subspaces, uint64_t seed,
                                     uint32_t iterations = 20, size_t max_rows = 65536);

  uint32_t dim() const { return dim_; }
  uint32_t subspaces() const { return subspaces_; }
  uint32_t sub_dim() const { return subspaces_ == 0 ? 0 : dim_ / subspaces_; }
  const std::vector<float>& codebook() const { return codebook_; }
  // 16 bits of CRC-32C over the codebook's floats (little-endian bytes): what a code carries first. Computed on each
  // call (a pass over the codebook): keep it, do not call it per product.
  uint16_t tag() const;

  // The nearest centroid per subspace (L2; ties to the lower index): M bytes into `code`.
  void encode(const float* row, uint8_t* code) const;
  // The centroids of `code` side by side: dim floats into `row`, not normalized.
  void decode(const uint8_t* code, float* row) const;
  // For a query q, table[m * 256 + c] = q_m . centroid(m, c), so that q . decode(code) is the sum over m of
  // table[m * 256 + code[m]] (dot_code): a catalog scan without decoding a vector.
  void dot_table(const float* query, float* table) const;
  float dot_code(const float* table, const uint8_t* code) const;

 private:
  uint32_t dim_ = 0, subspaces_ = 0;
  std::vector<float> codebook_;  // [M][256][d/M]
};

// One product's code, decoded.
struct ItemCode {
  std::vector<uint8_t> centroids;  // M bytes
  std::vector<float> extras;       // the model's per-item scalars, in the order the model lists them
};

// The text form of a code (header comment). `extras` are rounded to half precision.
std::string format_item_code(uint16_t tag, const uint8_t* centroids, uint32_t subspaces, const float* extras,
                             size_t n_extras);
// Reads a code for a model whose codebook has `tag`, `subspaces` and `n_extras` scalars. BAD_INPUT, naming the
// problem, for text that is not base64url, has the wrong length, or carries another codebook's tag.
Result<ItemCode> parse_item_code(std::string_view text, uint16_t tag, uint32_t subspaces, size_t n_extras);

// base64url (RFC 4648 section 5) without padding, and back; decoding refuses any other character, padding, and
// trailing bits that are not zero (so every code has exactly one text).
std::string base64url_encode(const uint8_t* bytes, size_t n);
Result<std::vector<uint8_t>> base64url_decode(std::string_view text);

}  // namespace vitrine
