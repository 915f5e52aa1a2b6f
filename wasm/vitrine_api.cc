// Implementation of the C API. Thin by design: validate arguments, call the core, turn a Status into a
// vt_status and a last-error message. No Emscripten header here; the ES module exports these symbols by name.
#include "vitrine_api.h"

#include <cmath>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/build_info.h"
#include "vitrine/kernels.h"
#include "vitrine/model_file.h"
#include "vitrine/ranker.h"
#include "vitrine/shopper.h"
#include "vitrine/status.h"

struct vt_engine {
  const vitrine::KernelTable* kernels = &vitrine::select_kernel_table();
  std::unique_ptr<vitrine::Ranker> ranker;  // null until a model is loaded
  std::string last_error;
  std::string build_info;
  std::string output;                 // JSON handed out by the last call that returns text; owned here
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

// Runs `body` and maps anything it throws (allocation failure, a bug) to a status instead of unwinding into JS.
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

// Decodes a request or records why it could not be decoded.
vitrine::Result<vitrine::RankRequest> decode(const char* request, size_t size) {
  if (request == nullptr && size > 0) return vitrine::Status(vitrine::StatusCode::kINVALID_ARGUMENT, "request is null");
  return vitrine::decode_rank_request(std::string_view(request == nullptr ? "" : request, size));
}

nlohmann::json explanations_json(const std::vector<vitrine::Explanation>& explanations) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& ex : explanations) {
    nlohmann::json factors = nlohmann::json::array();
    for (const auto& f : ex.factors) {
      nlohmann::json factor = {
          {"kind", f.kind}, {"name", f.name}, {"contribution", f.contribution}, {"events", f.events}};
      if (f.probability >= 0.0f) factor["probability"] = f.probability;
      factors.push_back(std::move(factor));
    }
    nlohmann::json entry = {{"score", ex.score}, {"factors", std::move(factors)}};
    // NaN has no JSON form: an output the model lacks is left out.
    if (std::isfinite(ex.cart)) entry["cart"] = ex.cart;
    if (std::isfinite(ex.purchase)) entry["purchase"] = ex.purchase;
    out.push_back(std::move(entry));
  }
  return out;
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

vt_status vt_engine_rank(vt_engine* engine, const char* request, size_t request_size, float* out_scores,
                         uint32_t n_candidates, float* out_conversion, const char** out_explanations) {
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
    std::vector<vitrine::Explanation> explanations;
    const vitrine::Status status =
        engine->ranker->rank(r, out_scores, out_explanations != nullptr ? &explanations : nullptr, out_conversion);
    if (!status.ok()) return engine->fail(status);
    if (out_explanations != nullptr) {
      engine->output = explanations_json(explanations).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      *out_explanations = engine->output.c_str();
    }
    return engine->succeed();
  });
}

vt_status vt_engine_top_k(vt_engine* engine, const char* request, size_t request_size, uint32_t k, uint32_t* out_items,
                          float* out_scores, uint32_t* out_count) {
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

vt_status vt_engine_profile(vt_engine* engine, const char* request, size_t request_size, const char** out_json) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (out_json == nullptr) return engine->fail(VT_INVALID_ARGUMENT, "profile: out_json is null");
    auto decoded = decode(request, request_size);
    if (!decoded.ok()) return engine->fail(decoded.status());
    engine->output = vitrine::profile_to_json(vitrine::build_profile(decoded.value().events, decoded.value().now_ms));
    *out_json = engine->output.c_str();
    return engine->succeed();
  });
}

}  // extern "C"
