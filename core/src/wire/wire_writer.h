// Writes one message of wire_format.h: fixed-size records first, then the string table. Not part of the public API.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vitrine::wire_internal {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the wire format is little-endian, as wasm, x86-64 and aarch64 are; a big-endian host would swap here");

// A value stored at `at`, with no alignment needed.
template <class T>
T load(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

class WireWriter {
 public:
  // `fixed_bytes`: the header and every record, zeroed; put() fills them in.
  explicit WireWriter(size_t fixed_bytes) : bytes_(fixed_bytes, 0) {}

  template <class T>
  void put(size_t at, T value) {
    std::memcpy(bytes_.data() + at, &value, sizeof value);
  }

  // The ref of `text` (0 for the empty string); equal texts share one entry.
  uint32_t ref(std::string_view text) {
    if (text.empty()) return 0;
    const auto [it, added] = index_.emplace(std::string(text), static_cast<uint32_t>(order_.size() + 1));
    if (added) order_.push_back(&it->first);
    return it->second;
  }

  uint32_t string_count() const { return static_cast<uint32_t>(order_.size()); }

  // The message: the records, the end offsets of the strings, their bytes.
  std::vector<uint8_t> finish() && {
    uint32_t end = 0;
    for (const std::string* s : order_) {
      end += static_cast<uint32_t>(s->size());
      append(end);
    }
    for (const std::string* s : order_) bytes_.insert(bytes_.end(), s->begin(), s->end());
    return std::move(bytes_);
  }

 private:
  void append(uint32_t value) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof value);
    std::memcpy(bytes_.data() + at, &value, sizeof value);
  }

  std::vector<uint8_t> bytes_;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<const std::string*> order_;  // refs 1.. in order; keys of index_, whose nodes never move
};

}  // namespace vitrine::wire_internal
