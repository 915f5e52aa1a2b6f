// Writes the committed seed corpora: seed_writer <tests/fuzz/corpus>. Small valid inputs the fuzzer mutates from;
// run by `tools/fuzz.sh seeds`.
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "fuzz_inputs.h"
#include "vitrine/native/catalog_index_build.h"
#include "vitrine/wire.h"

namespace {

bool write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus root>\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  bool ok = true;
  const std::pair<const char*, vitrine::DType> storages[] = {
      {"f32", vitrine::DType::kF32}, {"f16", vitrine::DType::kF16}, {"i8", vitrine::DType::kI8}};
  for (const auto& [name, dtype] : storages) {
    const std::vector<uint8_t> model = vitrine::fuzz::tiny_model_bytes(dtype);
    const std::string bytes(model.begin(), model.end());
    ok &= write(root + "/model_file/tiny_" + name + ".vtm", bytes);
    ok &= write(root + "/ranker_load/tiny_" + name + ".vtm", bytes);
  }
  // Stored records, as events.mjs writes them (kind codes from event_kinds.h).
  const std::vector<std::string> events = {
      R"({"kind":0,"t":1733000000000,"item":"sku-1","category":"shoes","brand":"acme","price":49.5,"dwell":4200})",
      R"({"kind":1,"t":1733000001000,"item":"sku-2"},{"kind":2,"t":1733000002000,"item":"sku-3","price":12})",
      R"({"kind":3,"t":1733000003000,"item":"sku-4","brand":"zenith"})",
      R"({"kind":4,"t":1733000004000,"query":"red boots"},{"kind":5,"t":1733000005000,"category":"bags"})",
      "",
  };
  for (size_t i = 0; i < events.size(); ++i) {
    ok &= write(root + "/stored_events/events_" + std::to_string(i) + ".json", events[i]);
    // The same events as the engine receives them: a rank request message (wire_format.h).
    const auto request = vitrine::rank_request_wire_from_json(
        vitrine::fuzz::events_request(reinterpret_cast<const uint8_t*>(events[i].data()), events[i].size()));
    ok &= request.ok() && write(root + "/rank_request/request_" + std::to_string(i) + ".bin",
                                std::string(request.value().begin(), request.value().end()));
  }
  // Item tables (fuzz_item_index): a query and rows of one scale byte and dim int16 values, dim 4, 16 and 33.
  std::mt19937 rng(20261129);
  for (const size_t dim : {4, 16, 33}) {
    std::string bytes = {static_cast<char>(dim - 1), static_cast<char>(dim % 24)};
    for (size_t r = 0; r < 40; ++r) {
      bytes += static_cast<char>(120 + rng() % 16);  // scales near 1
      for (size_t d = 0; d < 2 * dim; ++d) bytes += static_cast<char>(rng() & 0xff);
    }
    ok &= write(root + "/item_index/table_dim" + std::to_string(dim) + ".bin", bytes);
  }
  // Catalog indexes (fuzz_catalog_index): a head (unpaged and paged), a page and shards of 300 products of dim 8 in 3
  // clusters; byte 0 picks the parser, byte 1 the shard's code size (2 + 4 subspaces + 2 for one extra: byte 6).
  {
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> rows(300 * 8);
    for (float& x : rows) x = g(rng);
    const auto q = vitrine::ItemQuantizer::train(rows.data(), 300, 8, 4, 1).value();
    std::vector<std::string> ids, codes;
    std::vector<uint8_t> code(4);
    const float extra = 0.5f;
    for (size_t i = 0; i < 300; ++i) {
      q.encode(rows.data() + i * 8, code.data());
      ids.push_back("sku-" + std::to_string(i));
      codes.push_back(vitrine::format_item_code(q.tag(), code.data(), 4, &extra, 1));
    }
    vitrine::CatalogIndexOptions options;
    options.clusters = 3;
    const auto index = vitrine::build_catalog_index(q, 1, ids, codes, options).value();
    const std::vector<uint8_t> head = vitrine::write_catalog_head(index.head);
    ok &= write(root + "/catalog_index/head.bin", std::string(1, '\0') + std::string(head.begin(), head.end()));
    // A paged head (two pages of its 3 clusters) and one of its pages.
    options.pages = 2;
    const auto paged = vitrine::build_catalog_index(q, 1, ids, codes, options).value();
    const std::vector<uint8_t> top = vitrine::write_catalog_head(paged.top);
    ok &= write(root + "/catalog_index/head_paged.bin", std::string(1, '\0') + std::string(top.begin(), top.end()));
    const std::vector<uint8_t> page = vitrine::write_catalog_head(paged.pages[0]);
    ok &= write(root + "/catalog_index/page.bin", std::string(1, '\0') + std::string(page.begin(), page.end()));
    for (size_t s = 0; s < index.shards.size(); ++s) {
      const std::vector<uint8_t> shard = vitrine::write_catalog_shard(index.shards[s]);
      ok &= write(root + "/catalog_index/shard_" + std::to_string(s) + ".bin",
                  std::string{'\1', '\6'} + std::string(shard.begin(), shard.end()));
    }
  }
  if (!ok) std::fprintf(stderr, "could not write the corpus under %s (do the folders exist?)\n", root.c_str());
  return ok ? 0 : 1;
}
