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
#include "vitrine/item_index.h"
#include "vitrine/kernels.h"
#include "vitrine/mlp.h"
#include "vitrine/mlp_model_io.h"
#include "vitrine/model_file.h"
#include "vitrine/ranker.h"
#include "vitrine/shopper.h"
#include "vitrine/status.h"

namespace {

// A loaded "mlp" model: the prepared scorer plus what model_info / vocabulary report.
struct MlpModel {
  vitrine::MlpScorer scorer;
  std::string info_json;
  std::string outputs;  // output names joined by '\n'
};

}  // namespace

struct vt_engine {
  const vitrine::KernelTable* kernels = &vitrine::select_kernel_table();
  // At most one of the two is set: the engine holds one model at a time.
  std::unique_ptr<vitrine::Ranker> ranker;
  std::unique_ptr<MlpModel> mlp;
  // Item table of vt_engine_top_k_dot (dim 0 until set_item_vectors).
  vitrine::ItemIndex items;
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
    if (mlp) return fail(VT_NO_MODEL, "the loaded model is an MLP feature scorer; this call needs a session model");
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

vitrine::Result<std::unique_ptr<MlpModel>> load_mlp(const vitrine::ModelFile& file,
                                                    const vitrine::KernelTable& kernels) {
  auto weights = vitrine::read_mlp_model(file);
  if (!weights.ok()) return weights.status();
  const vitrine::MlpModelWeights& w = weights.value();
  auto scorer = vitrine::MlpScorer::create(w.layer_specs(), kernels);
  if (!scorer.ok()) return scorer.status();
  auto model = std::make_unique<MlpModel>();
  model->scorer = std::move(scorer).value();
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : w.layers)
    layers.push_back({{"in", l.in}, {"out", l.out}, {"activation", vitrine::activation_name(l.activation)}});
  model->info_json = nlohmann::json{
      {"kind", file.kind()},
      {"input_dim", model->scorer.input_dim()},
      {"output_dim", model->scorer.output_dim()},
      {"layers", std::move(layers)},
      {"outputs", w.output_names},
      {"kernels", kernels.name},
      {"file_bytes", file.file_bytes()},
      {"training",
       file.training()}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (const std::string& name : w.output_names) model->outputs.append(name).push_back('\n');
  if (!model->outputs.empty()) model->outputs.pop_back();
  return model;
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

vt_status vt_engine_dot_scores(vt_engine* engine, const float* query, uint32_t dim, const float* rows, uint32_t n_rows,
                               float* out_scores) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (dim == 0) return engine->fail(VT_INVALID_ARGUMENT, "dot_scores: dim must be at least 1");
    if (query == nullptr || (n_rows > 0 && (rows == nullptr || out_scores == nullptr)))
      return engine->fail(VT_INVALID_ARGUMENT, "dot_scores: null buffer");
    engine->kernels->f32_dot_rows(query, rows, n_rows, dim, dim, out_scores);
    return engine->succeed();
  });
}

vt_status vt_engine_set_item_vectors(vt_engine* engine, const float* vectors, uint32_t n_items, uint32_t dim) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    // Built aside, so that a failure keeps the previous table; build() checks dim, null rows and the row limit.
    auto index = vitrine::ItemIndex::build(vectors, n_items, dim, vitrine::ModelLimits().max_rows);
    if (!index.ok()) return engine->fail(index.status());
    engine->items = std::move(index).value();
    return engine->succeed();
  });
}

vt_status vt_engine_top_k_dot(vt_engine* engine, const float* query, uint32_t dim, uint32_t k, uint32_t* out_items,
                              float* out_scores, uint32_t* out_count) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (engine->items.dim() == 0) return engine->fail(VT_NO_MODEL, "top_k_dot: no item table (set_item_vectors)");
    if (dim != engine->items.dim())
      return engine->fail(VT_INVALID_ARGUMENT, "top_k_dot: query has dim " + std::to_string(dim) +
                                                   ", the item table has " + std::to_string(engine->items.dim()));
    if (query == nullptr || out_count == nullptr || (k > 0 && (out_items == nullptr || out_scores == nullptr)))
      return engine->fail(VT_INVALID_ARGUMENT, "top_k_dot: null buffer");
    *out_count = static_cast<uint32_t>(engine->items.top_k(query, k, *engine->kernels, out_items, out_scores));
    return engine->succeed();
  });
}

vt_status vt_engine_load_model(vt_engine* engine, const uint8_t* bytes, size_t size) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (bytes == nullptr && size > 0) return engine->fail(VT_INVALID_ARGUMENT, "load_model: bytes is null");
    auto file = vitrine::ModelFile::parse(bytes, size, engine->model_limits);
    if (!file.ok()) return engine->fail(file.status());
    if (file.value().kind() == vitrine::kMlpModelKind) {
      auto mlp = load_mlp(file.value(), *engine->kernels);
      if (!mlp.ok()) return engine->fail(mlp.status());
      engine->mlp = std::move(mlp).value();
      engine->ranker.reset();
      return engine->succeed();
    }
    auto ranker = vitrine::Ranker::from_file(std::move(file).value(), *engine->kernels);
    if (!ranker.ok()) return engine->fail(ranker.status());
    engine->ranker = std::make_unique<vitrine::Ranker>(std::move(ranker).value());
    engine->mlp.reset();
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

vt_status vt_engine_score_features(vt_engine* engine, const float* features, uint32_t n, uint32_t dim,
                                   float* out_scores) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (!engine->mlp) {
      return engine->fail(VT_NO_MODEL, engine->ranker ? "score_features needs an MLP model; a session model is loaded"
                                                      : "no model is loaded");
    }
    vitrine::MlpScorer& scorer = engine->mlp->scorer;
    if (dim != scorer.input_dim())
      return engine->fail(VT_INVALID_ARGUMENT, "score_features: rows have " + std::to_string(dim) +
                                                   " features, the model takes " + std::to_string(scorer.input_dim()));
    if (n > 0 && (features == nullptr || out_scores == nullptr))
      return engine->fail(VT_INVALID_ARGUMENT, "score_features: null buffer");
    const vitrine::Status status = scorer.score(features, n, out_scores);
    if (!status.ok()) return engine->fail(status);
    return engine->succeed();
  });
}

vt_status vt_engine_model_info(vt_engine* engine, const char** out_json) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (out_json == nullptr) return engine->fail(VT_INVALID_ARGUMENT, "model_info: out_json is null");
    if (engine->mlp) {
      *out_json = engine->mlp->info_json.c_str();
      return engine->succeed();
    }
    if (!engine->ranker) return engine->fail(VT_NO_MODEL, "no model is loaded");
    engine->output = engine->ranker->info_json();
    *out_json = engine->output.c_str();
    return engine->succeed();
  });
}

vt_status vt_engine_vocabulary(vt_engine* engine, const char** out_ids) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (out_ids == nullptr) return engine->fail(VT_INVALID_ARGUMENT, "vocabulary: out_ids is null");
    if (engine->mlp) {
      *out_ids = engine->mlp->outputs.c_str();
      return engine->succeed();
    }
    if (!engine->ranker) return engine->fail(VT_NO_MODEL, "no model is loaded");
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
