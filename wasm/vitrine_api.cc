// Implementation of the C API. Thin by design: validate arguments, call the core, turn a Status into a
// vt_status and a last-error message. No Emscripten header here; the ES module exports these symbols by name.
#include "vitrine_api.h"

#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vitrine/build_info.h"
#include "vitrine/catalog_index.h"
#include "vitrine/kernels.h"
#include "vitrine/model_file.h"
#include "vitrine/ranker.h"
#include "vitrine/shopper.h"
#include "vitrine/status.h"
#include "vitrine/wire.h"

struct vt_engine {
  const vitrine::KernelTable* kernels = &vitrine::select_kernel_table();
  std::unique_ptr<vitrine::Ranker> ranker;           // null until a model is loaded
  std::unique_ptr<vitrine::CatalogIndexHead> index;  // a coded model's catalog index head, or null
  // A paged head's pages by entry; a page not loaded yet has no clusters (a parsed head always has some).
  std::vector<vitrine::CatalogIndexHead> index_pages;
  std::string last_error;
  std::string build_info;
  std::string output;                 // text handed out by the last call that returns text; owned here
  std::vector<uint8_t> wire_output;   // wire message handed out by the last call that returns one; owned here
  vitrine::ModelLimits model_limits;  // what load_model accepts (set_model_limit)

  vt_status fail(const vitrine::Status& status) {
    return fail(static_cast<vt_status>(status.code()), status.message());
  }
  vt_status fail(vt_status code, std::string message) {
    last_error = std::move(message);
    return code;
  }
  vt_status succeed() {
    last_error.clear();
    return VT_OK;
  }
  // The session ranker, or why a session call cannot run.
  vt_status need_ranker() {
    if (ranker) return VT_OK;
    return fail(VT_NO_MODEL, "no model is loaded");
  }
};

namespace {

// Runs `body` and maps anything it throws (allocation failure, a bug) to a status instead of unwinding. Natively
// (tests, CLI) that is what happens; the shipped wasm is built without exceptions (CMakeLists.txt), so there a failed
// allocation aborts the module instead, and engine.mjs reports the engine as stopped.
template <class Body>
vt_status guarded(vt_engine* engine, Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return engine->fail(VT_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return engine->fail(VT_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return engine->fail(VT_INTERNAL, "internal error");
  }
}

// Decodes a request or says why it could not be decoded.
vitrine::Result<vitrine::RankRequest> decode(const uint8_t* request, size_t size) {
  if (request == nullptr && size > 0) return vitrine::Status(vitrine::StatusCode::kINVALID_ARGUMENT, "request is null");
  return vitrine::decode_rank_request(request, size);
}

// Hands out `message` (kept by the engine until its next call) through the caller's two out-parameters.
vt_status hand_out(vt_engine* engine, std::vector<uint8_t> message, const uint8_t** out, uint32_t* out_size) {
  engine->wire_output = std::move(message);
  *out = engine->wire_output.data();
  *out_size = static_cast<uint32_t>(engine->wire_output.size());
  return engine->succeed();
}

}  // namespace

extern "C" {

vt_status vt_engine_create(vt_engine** out_engine) {
  if (out_engine == nullptr) return VT_INVALID_ARGUMENT;
  *out_engine = new (std::nothrow) vt_engine();
  return *out_engine != nullptr ? VT_OK : VT_OUT_OF_MEMORY;
}

void vt_engine_release(vt_engine* engine) {
  delete engine;
}

const char* vt_engine_last_error(const vt_engine* engine) {
  return engine != nullptr ? engine->last_error.c_str() : "engine is NULL";
}

const char* vt_engine_build_info(vt_engine* engine) {
  if (engine == nullptr) return "{}";
  if (engine->build_info.empty()) engine->build_info = vitrine::build_info_json();
  return engine->build_info.c_str();
}

vt_status vt_engine_load_model(vt_engine* engine, const uint8_t* bytes, size_t size) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (bytes == nullptr && size > 0) return engine->fail(VT_INVALID_ARGUMENT, "load_model: bytes is null");
    auto file = vitrine::ModelFile::parse(bytes, size, engine->model_limits);
    if (!file.ok()) return engine->fail(file.status());
    auto ranker = vitrine::Ranker::from_file(std::move(file).value(), *engine->kernels);
    if (!ranker.ok()) return engine->fail(ranker.status());
    engine->ranker = std::make_unique<vitrine::Ranker>(std::move(ranker).value());
    engine->index.reset();  // an index belongs to the model it was built for
    engine->index_pages.clear();
    return engine->succeed();
  });
}

vt_status vt_engine_set_model_limit(vt_engine* engine, uint32_t max_file_bytes) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  if (max_file_bytes == 0)
    return engine->fail(VT_INVALID_ARGUMENT, "set_model_limit: the limit must be at least 1 byte");
  engine->model_limits.max_file_bytes = max_file_bytes;
  return engine->succeed();
}

vt_status vt_engine_model_info(vt_engine* engine, const char** out_json) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (out_json == nullptr) return engine->fail(VT_INVALID_ARGUMENT, "model_info: out_json is null");
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    engine->output = engine->ranker->info_json();
    *out_json = engine->output.c_str();
    return engine->succeed();
  });
}

vt_status vt_engine_vocabulary(vt_engine* engine, const char** out_ids) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (out_ids == nullptr) return engine->fail(VT_INVALID_ARGUMENT, "vocabulary: out_ids is null");
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    engine->output.clear();
    for (std::string_view id : engine->ranker->vocabulary()) {
      engine->output.append(id);
      engine->output.push_back('\n');
    }
    if (!engine->output.empty()) engine->output.pop_back();
    *out_ids = engine->output.c_str();
    return engine->succeed();
  });
}

vt_status vt_engine_rank(vt_engine* engine, const uint8_t* request, size_t request_size, float* out_scores,
                         uint32_t n_candidates, float* out_conversion, const uint8_t** out_explanations,
                         uint32_t* out_explanations_size) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    auto decoded = decode(request, request_size);
    if (!decoded.ok()) return engine->fail(decoded.status());
    const vitrine::RankRequest& r = decoded.value();
    if (r.candidates.size() != n_candidates)
      return engine->fail(VT_INVALID_ARGUMENT, "rank: request has " + std::to_string(r.candidates.size()) +
                                                   " candidates, out_scores has room for " +
                                                   std::to_string(n_candidates));
    if (n_candidates > 0 && out_scores == nullptr) return engine->fail(VT_INVALID_ARGUMENT, "rank: out_scores is null");
    if (out_explanations != nullptr && out_explanations_size == nullptr)
      return engine->fail(VT_INVALID_ARGUMENT, "rank: out_explanations_size is null");
    std::vector<vitrine::Explanation> explanations;
    const vitrine::Status status =
        engine->ranker->rank(r, out_scores, out_explanations != nullptr ? &explanations : nullptr, out_conversion);
    if (!status.ok()) return engine->fail(status);
    if (out_explanations == nullptr) return engine->succeed();
    auto message = vitrine::encode_explanations(explanations);
    if (!message.ok()) return engine->fail(message.status());
    return hand_out(engine, std::move(message).value(), out_explanations, out_explanations_size);
  });
}

vt_status vt_engine_top_k(vt_engine* engine, const uint8_t* request, size_t request_size, uint32_t k,
                          uint32_t* out_items, float* out_scores, uint32_t* out_count) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    if (out_count == nullptr || (k > 0 && (out_items == nullptr || out_scores == nullptr)))
      return engine->fail(VT_INVALID_ARGUMENT, "top_k: null output buffer");
    auto decoded = decode(request, request_size);
    if (!decoded.ok()) return engine->fail(decoded.status());
    const auto session = engine->ranker->session_events(decoded.value().events, decoded.value().now_ms);
    *out_count = static_cast<uint32_t>(engine->ranker->top_k(session, k, out_items, out_scores));
    return engine->succeed();
  });
}

vt_status vt_engine_load_index(vt_engine* engine, const uint8_t* bytes, size_t size) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    if (bytes == nullptr && size > 0) return engine->fail(VT_INVALID_ARGUMENT, "load_index: bytes is null");
    if (!engine->ranker->weights().config.coded_items())
      return engine->fail(VT_INVALID_ARGUMENT, "load_index: the model holds its own items; it has no catalog index");
    auto head = vitrine::parse_catalog_head(bytes, size);
    if (!head.ok()) return engine->fail(head.status());
    if (head.value().tag != engine->ranker->quantizer().tag() ||
        head.value().subspaces != engine->ranker->weights().config.item_subspaces)
      return engine->fail(VT_BAD_INPUT, "load_index: the index was built for another model's codes");
    engine->index = std::make_unique<vitrine::CatalogIndexHead>(std::move(head).value());
    engine->index_pages.clear();  // (clear and resize: assign would copy heads, and link a copy of them)
    engine->index_pages.resize(engine->index->paged() ? engine->index->clusters.size() : 0);
    return engine->succeed();
  });
}

vt_status vt_engine_load_index_page(vt_engine* engine, const uint8_t* bytes, size_t size) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    if (!engine->index || !engine->index->paged())
      return engine->fail(VT_NO_MODEL, "load_index_page: no paged catalog index head is loaded");
    if (bytes == nullptr && size > 0) return engine->fail(VT_INVALID_ARGUMENT, "load_index_page: bytes is null");
    size_t entry = 0;
    auto page = vitrine::parse_catalog_page(*engine->index, bytes, size, &entry);
    if (!page.ok()) return engine->fail(page.status());
    engine->index_pages[entry] = std::move(page).value();
    return engine->succeed();
  });
}

vt_status vt_engine_probe(vt_engine* engine, const uint8_t* request, size_t request_size, uint32_t probe,
                          const char** out_names) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    if (!engine->index) return engine->fail(VT_NO_MODEL, "probe: no catalog index is loaded");
    if (out_names == nullptr) return engine->fail(VT_INVALID_ARGUMENT, "probe: out_names is null");
    auto decoded = decode(request, request_size);
    if (!decoded.ok()) return engine->fail(decoded.status());
    std::vector<float> query(engine->ranker->weights().config.dim);
    engine->ranker->session_vector(decoded.value(), query.data());
    const vitrine::CatalogIndexHead& head = *engine->index;
    const vitrine::ItemQuantizer& q = engine->ranker->quantizer();
    const uint32_t clusters = probe == 0 ? head.probe : probe;
    engine->output.clear();
    if (!head.paged()) {
      for (uint32_t c : vitrine::probe_clusters(head, q, query.data(), clusters))
        engine->output.append(head.clusters[c].shard).push_back('\n');
    } else {
      // The pages first: those not loaded yet are named instead of shards, for the caller to load.
      const std::vector<uint32_t> wanted = vitrine::probe_clusters(head, q, query.data(), head.page_probe);
      std::vector<const vitrine::CatalogIndexHead*> pages;
      for (uint32_t g : wanted) {
        if (engine->index_pages[g].clusters.empty()) engine->output.append(head.clusters[g].shard).push_back('\n');
        pages.push_back(&engine->index_pages[g]);
      }
      if (engine->output.empty())
        for (const vitrine::PageCluster& pc : vitrine::probe_page_clusters(pages, q, query.data(), clusters))
          engine->output.append(pages[pc.page]->clusters[pc.cluster].shard).push_back('\n');
    }
    if (!engine->output.empty()) engine->output.pop_back();
    *out_names = engine->output.c_str();
    return engine->succeed();
  });
}

vt_status vt_engine_top_k_shards(vt_engine* engine, const uint8_t* request, size_t request_size, const uint8_t* shards,
                                 const uint32_t* shard_sizes, uint32_t n_shards, uint32_t k, const char** out_ids,
                                 float* out_scores, uint32_t* out_shards, uint32_t* out_count) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (engine->need_ranker() != VT_OK) return VT_NO_MODEL;
    if (!engine->index) return engine->fail(VT_NO_MODEL, "top_k_shards: no catalog index is loaded");
    if (out_ids == nullptr || out_count == nullptr || (k > 0 && (out_scores == nullptr || out_shards == nullptr)) ||
        (n_shards > 0 && (shards == nullptr || shard_sizes == nullptr)))
      return engine->fail(VT_INVALID_ARGUMENT, "top_k_shards: null buffer");
    auto decoded = decode(request, request_size);
    if (!decoded.ok()) return engine->fail(decoded.status());
    vitrine::RankRequest& r = decoded.value();
    r.candidates.clear();
    // The shopper's own coded products are candidates too: coming back to a product is what shoppers do most.
    for (const vitrine::ShopperEvent& e : r.events) {
      if (e.item.empty() || e.code.empty()) continue;
      vitrine::Candidate c;
      c.id = e.item;
      c.code = e.code;
      r.candidates.push_back(std::move(c));
    }
    std::vector<uint32_t> source(r.candidates.size(), VT_NO_SHARD);
    size_t at = 0;
    for (uint32_t s = 0; s < n_shards; ++s) {
      auto shard = vitrine::parse_catalog_shard(shards + at, shard_sizes[s], engine->index->code_bytes);
      if (!shard.ok())
        return engine->fail(VT_BAD_INPUT, "shard " + std::to_string(s) + ": " + shard.status().message());
      vitrine::append_shard_candidates(shard.value(), r.candidates);
      source.resize(r.candidates.size(), s);
      at += shard_sizes[s];
    }
    // A product in several places is ranked once, where it first occurs (no shop's order applies among them), and
    // is said to come from the first shard that holds it: its feed is there.
    std::vector<vitrine::Candidate> unique;
    std::vector<uint32_t> unique_source;
    {
      std::unordered_map<std::string, size_t> first;
      for (size_t i = 0; i < r.candidates.size(); ++i) {
        auto [it, added] = first.emplace(r.candidates[i].id, unique.size());
        if (added) {
          unique.push_back(std::move(r.candidates[i]));
          unique_source.push_back(source[i]);
        } else if (unique_source[it->second] == VT_NO_SHARD) {
          unique_source[it->second] = source[i];
        }
      }
    }
    r.candidates = std::move(unique);
    r.blend = 0.0f;
    std::vector<uint32_t> index(std::min<size_t>(k, r.candidates.size()));
    auto count = engine->ranker->top_candidates(r, k, index.data(), out_scores);
    if (!count.ok()) return engine->fail(count.status());
    engine->output.clear();
    for (size_t i = 0; i < count.value(); ++i) {
      engine->output.append(r.candidates[index[i]].id).push_back('\n');
      out_shards[i] = unique_source[index[i]];
    }
    if (!engine->output.empty()) engine->output.pop_back();
    *out_ids = engine->output.c_str();
    *out_count = static_cast<uint32_t>(count.value());
    return engine->succeed();
  });
}

vt_status vt_engine_profile(vt_engine* engine, const uint8_t* request, size_t request_size, const uint8_t** out_profile,
                            uint32_t* out_size) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (out_profile == nullptr || out_size == nullptr)
      return engine->fail(VT_INVALID_ARGUMENT, "profile: null output pointer");
    auto decoded = decode(request, request_size);
    if (!decoded.ok()) return engine->fail(decoded.status());
    const vitrine::Profile profile = vitrine::build_profile(decoded.value().events, decoded.value().now_ms);
    return hand_out(engine, vitrine::encode_profile(profile), out_profile, out_size);
  });
}

}  // extern "C"
