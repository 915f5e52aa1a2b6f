// The benchmark's wasm module (bench/run.mjs, tests/js/bench_kernels.test.mjs): the entry points that only the
// benchmark calls, kept out of the shipped engine (wasm/vitrine_api.h) so that no shopper downloads them:
//  - the roofline tile of core/include/vitrine/kernels.h, the one-core SIMD128 ceiling;
//  - the reference MLP ("mlp" model files, core/include/vitrine/mlp_model_io.h) on the same fully connected
//    kernels, to compare with onnxruntime-web and TF.js;
//  - the int8 item index (core/include/vitrine/item_index.h): exact catalog top-K by dot product.
// It follows the engine's rules: one opaque handle from vt_bench_create(), released by vt_bench_release(); every
// fallible call returns a status code of status_codes.h and leaves its message in vt_bench_last_error(); buffers
// are the caller's; one call per batch; no global state.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "vitrine/item_index.h"
#include "vitrine/kernels.h"
#include "vitrine/mlp.h"
#include "vitrine/mlp_model_io.h"
#include "vitrine/model_file.h"
#include "vitrine/status.h"

struct vt_bench {
  const vitrine::KernelTable* kernels = &vitrine::select_kernel_table();
  std::unique_ptr<vitrine::MlpScorer> mlp;  // null until vt_bench_load_mlp succeeds
  vitrine::ItemIndex items;                 // dim 0 until vt_bench_set_item_vectors succeeds
  std::string last_error;

  int fail(const vitrine::Status& status) {
    last_error = status.message();
    return static_cast<int>(status.code());
  }
  int fail(vitrine::StatusCode code, std::string message) { return fail(vitrine::Status(code, std::move(message))); }
  int succeed() {
    last_error.clear();
    return 0;
  }
};

namespace {

using vitrine::StatusCode;

// Maps anything `body` throws to a status instead of unwinding into JS.
template <class Body>
int guarded(vt_bench* bench, Body&& body) {
  if (bench == nullptr) return static_cast<int>(StatusCode::kINVALID_ARGUMENT);
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return bench->fail(StatusCode::kOUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return bench->fail(StatusCode::kINTERNAL, std::string("internal error: ") + e.what());
  }
}

}  // namespace

extern "C" {

// A new handle in *out (the caller releases it with vt_bench_release); 0 on success.
int vt_bench_create(vt_bench** out) {
  if (out == nullptr) return static_cast<int>(StatusCode::kINVALID_ARGUMENT);
  *out = new (std::nothrow) vt_bench();
  return *out != nullptr ? 0 : static_cast<int>(StatusCode::kOUT_OF_MEMORY);
}

void vt_bench_release(vt_bench* bench) {
  delete bench;
}

// Message of the last failed call ("" after a success); owned by the handle, valid until its next call.
const char* vt_bench_last_error(const vt_bench* bench) {
  return bench != nullptr ? bench->last_error.c_str() : "bench handle is NULL";
}

// c[4][8] += the 4x8 tile over a[kc][4], b[kc][8], `repeats` times (f32_gemm_roofline_wasmsimd). Returns its
// FLOP count, so JS need not duplicate the formula. Needs no handle: it touches only its arguments.
double vt_bench_roofline(const float* a, const float* b, size_t kc, size_t repeats, float* c) {
  vitrine::f32_gemm_roofline_wasmsimd(a, b, kc, repeats, c);
  return vitrine::f32_gemm_roofline_flops(kc, repeats);
}

// Loads an "mlp" model file (bytes are copied) on the selected fully connected kernels; on failure the previous
// MLP stays. *out_input_dim and *out_output_dim receive its widths.
int vt_bench_load_mlp(vt_bench* bench, const uint8_t* bytes, size_t size, uint32_t* out_input_dim,
                      uint32_t* out_output_dim) {
  return guarded(bench, [&] {
    if ((bytes == nullptr && size > 0) || out_input_dim == nullptr || out_output_dim == nullptr)
      return bench->fail(StatusCode::kINVALID_ARGUMENT, "load_mlp: null buffer");
    auto file = vitrine::ModelFile::parse(bytes, size, vitrine::ModelLimits());
    if (!file.ok()) return bench->fail(file.status());
    auto weights = vitrine::read_mlp_model(file.value());
    if (!weights.ok()) return bench->fail(weights.status());
    auto scorer = vitrine::MlpScorer::create(weights.value().layer_specs(), vitrine::select_fc_kernel_table());
    if (!scorer.ok()) return bench->fail(scorer.status());
    bench->mlp = std::make_unique<vitrine::MlpScorer>(std::move(scorer).value());
    *out_input_dim = static_cast<uint32_t>(bench->mlp->input_dim());
    *out_output_dim = static_cast<uint32_t>(bench->mlp->output_dim());
    return bench->succeed();
  });
}

// Scores n rows of `dim` features with the loaded MLP: out_scores[r * output_dim + j] is output j of row r.
int vt_bench_score_features(vt_bench* bench, const float* features, uint32_t n, uint32_t dim, float* out_scores) {
  return guarded(bench, [&] {
    if (!bench->mlp) return bench->fail(StatusCode::kNO_MODEL, "score_features: no MLP is loaded");
    if (dim != bench->mlp->input_dim())
      return bench->fail(StatusCode::kINVALID_ARGUMENT, "score_features: rows have " + std::to_string(dim) +
                                                            " features, the model takes " +
                                                            std::to_string(bench->mlp->input_dim()));
    if (n > 0 && (features == nullptr || out_scores == nullptr))
      return bench->fail(StatusCode::kINVALID_ARGUMENT, "score_features: null buffer");
    const vitrine::Status status = bench->mlp->score(features, n, out_scores);
    return status.ok() ? bench->succeed() : bench->fail(status);
  });
}

// Keeps a copy of an item table ([n_items][dim] floats, row-major) for vt_bench_top_k_dot; on failure the
// previous table stays.
int vt_bench_set_item_vectors(vt_bench* bench, const float* vectors, uint32_t n_items, uint32_t dim) {
  return guarded(bench, [&] {
    auto index = vitrine::ItemIndex::build(vectors, n_items, dim, vitrine::ModelLimits().max_rows);
    if (!index.ok()) return bench->fail(index.status());
    bench->items = std::move(index).value();
    return bench->succeed();
  });
}

// The k rows with the largest dot(query, row), best first, exactly as a float scan ranks them (item_index.h).
// out_items / out_scores have room for k entries; *out_count receives how many were written.
int vt_bench_top_k_dot(vt_bench* bench, const float* query, uint32_t dim, uint32_t k, uint32_t* out_items,
                       float* out_scores, uint32_t* out_count) {
  return guarded(bench, [&] {
    if (bench->items.dim() == 0) return bench->fail(StatusCode::kNO_MODEL, "top_k_dot: no item table");
    if (dim != bench->items.dim())
      return bench->fail(StatusCode::kINVALID_ARGUMENT, "top_k_dot: query has dim " + std::to_string(dim) +
                                                            ", the item table has " +
                                                            std::to_string(bench->items.dim()));
    if (query == nullptr || out_count == nullptr || (k > 0 && (out_items == nullptr || out_scores == nullptr)))
      return bench->fail(StatusCode::kINVALID_ARGUMENT, "top_k_dot: null buffer");
    *out_count = static_cast<uint32_t>(bench->items.top_k(query, k, *bench->kernels, out_items, out_scores));
    return bench->succeed();
  });
}

}  // extern "C"
