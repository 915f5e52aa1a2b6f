// CRC-32C, table-driven "slicing by 8": eight bytes per step through eight 256-entry tables, several times
// faster than the byte-at-a-time loop, which matters for a model file of tens of megabytes loaded in a
// browser. CRC-32C rather than a plain hash because a CRC detects every burst error up to 32 bits, so any
// single flipped byte is always caught.
#include <array>
#include <cstdint>

#include "vitrine/model_file.h"

namespace vitrine {

namespace {
constexpr uint32_t kPolynomial = 0x82F63B78u;  // Castagnoli, bit-reversed

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

// Not constexpr, and kept in a function-local static: the tables are computed on first use instead of being stored.
// As data they were 8 KB of the engine's wasm that gzip could not shrink (8.2 KB of its gzip size); computing them
// is a few thousand shifts, once per module.
CrcTables make_tables() {
  CrcTables t{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][n] = c;
  }
  // t[k][n]: the CRC contribution of byte n followed by k zero bytes.
  for (size_t k = 1; k < 8; ++k) {
    for (size_t n = 0; n < 256; ++n) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xffu];
  }
  return t;
}

const CrcTables& tables() {
  static const CrcTables computed = make_tables();
  return computed;
}
}  // namespace

uint32_t crc32c(const uint8_t* data, size_t size, uint32_t crc) {
  uint32_t c = ~crc;
  const CrcTables& t = tables();
  while (size >= 8) {
    // Little-endian assembly keeps the result independent of host byte order.
    const uint32_t lo =
        c ^ (uint32_t{data[0]} | uint32_t{data[1]} << 8 | uint32_t{data[2]} << 16 | uint32_t{data[3]} << 24);
    c = t[7][lo & 0xffu] ^ t[6][(lo >> 8) & 0xffu] ^ t[5][(lo >> 16) & 0xffu] ^ t[4][lo >> 24] ^ t[3][data[4]] ^
        t[2][data[5]] ^ t[1][data[6]] ^ t[0][data[7]];
    data += 8;
    size -= 8;
  }
  while (size > 0) {
    c = (c >> 8) ^ t[0][(c ^ *data) & 0xffu];
    ++data;
    --size;
  }
  return ~c;
}

uint32_t model_file_checksum(const uint8_t* data, size_t size) {
  // The checksum field is bytes 24..27; everything before and after it is covered.
  const uint32_t head = crc32c(data, 24);
  return crc32c(data + 28, size - 28, head);
}

}  // namespace vitrine
