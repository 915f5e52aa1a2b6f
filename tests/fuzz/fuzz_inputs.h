// Shared by the fuzz targets and the seed writer: one small valid session model (built in memory, no I/O) and the
// JSON wrappers that turn fuzz bytes into a rank request.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"

namespace vitrine::fuzz {

// A 6-item model with every content feature. Deterministic: fixed weights, so every run sees the same model.
inline std::vector<uint8_t> tiny_model_bytes(DType storage = DType::kF32) {
  SessionModelConfig c;
  c.vocab_size = 6;
  c.dim = 4;
  c.max_length = 3;
  c.num_categories = 2;
  c.num_brands = 2;
  c.num_price_bands = 2;
  auto weights = SessionModelWeights::zeros(c).value();
  int k = 0;
  weights.for_each_param([&](const char*, std::vector<float>& p) {
    for (float& v : p) v = 0.5f * std::sin(0.7f * static_cast<float>(++k));
  });
  std::vector<std::string> vocab;
  for (uint32_t i = 1; i <= c.vocab_size; ++i) {
    weights.item_category[i] = static_cast<int32_t>(1 + i % 2);
    weights.item_brand[i] = static_cast<int32_t>(1 + i % 2);
    weights.item_price_band[i] = static_cast<int32_t>(1 + i % 2);
    vocab.push_back("sku-" + std::to_string(i));
  }
  SessionModelContent content{{"shoes", "bags"}, {"acme", "zenith"}, {30.0f}};
  SessionModelExport options;
  options.item_storage = storage;
  return write_session_model(weights, vocab, content, options).value();
}

// A copy of fuzz bytes with the model checksum made right, so mutations reach the header and tensor checks
// instead of all stopping at the CRC (which has its own tests).
inline std::vector<uint8_t> with_valid_checksum(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (size >= kModelPreambleBytes) {
    const uint32_t crc = model_file_checksum(bytes.data(), size);
    for (size_t i = 0; i < 4; ++i) bytes[24 + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
  return bytes;
}

// Fuzz bytes as the events array of a request, the way stored records reach the engine.
inline std::string events_request(const uint8_t* data, size_t size) {
  return R"({"now":1733000000000,"events":[)" + std::string(reinterpret_cast<const char*>(data), size) +
         R"(],"candidates":[{"id":"sku-1","category":"shoes"},{"id":"sku-2","brand":"acme","price":25},)"
         R"({"id":"new"}]})";
}

}  // namespace vitrine::fuzz
