/* Vitrine's flat C API: the only boundary between JavaScript and the wasm engine.
 *
 * Rules of the boundary:
 *  - Opaque handles come in create/release pairs. Whoever calls *_create owns the handle and must call
 *    *_release exactly once; release accepts NULL.
 *  - Every fallible call returns a vt_status (status_codes.h). On failure the handle keeps a message that names
 *    the problem: vt_engine_last_error(). The message is owned by the engine and stays valid until the next
 *    call on that engine.
 *  - Input buffers are owned by the caller and only read during the call. Output buffers are owned by the caller,
 *    sized as each comment says, and written only on success.
 *  - One call handles a whole batch (all candidates of a page, the whole catalog): JS crosses once per batch.
 *  - Only what the shipped package calls is here. Benchmark entry points (the reference MLP, the int8 item index)
 *    live in bench/bench_module.cc, a module of their own, so no shopper downloads them.
 *  - No global state: everything lives in the vt_engine, so two engines never interfere.
 *  - The shipped wasm is built without C++ exceptions: there, an allocation that fails inside a call aborts the
 *    module (a trap JS sees as WebAssembly.RuntimeError; js/src/engine.mjs then reports the engine as stopped)
 *    instead of returning VT_OUT_OF_MEMORY, which native builds return.
 *
 * The same file compiles natively (tests, CLI) and to wasm (the ES module exports every vt_* function). */
#ifndef VITRINE_API_H_
#define VITRINE_API_H_

#include <stddef.h>
#include <stdint.h>

#include "vitrine/status_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vt_status {
#define VT_STATUS_ENUM(name, value, text) VT_##name = value,
  VITRINE_STATUS_CODES(VT_STATUS_ENUM)
#undef VT_STATUS_ENUM
} vt_status;

typedef struct vt_engine vt_engine;

/* Creates an engine with no model. On VT_OK *out_engine is a new handle the caller releases with
 * vt_engine_release(); on failure *out_engine is NULL. */
vt_status vt_engine_create(vt_engine** out_engine);

/* Frees the engine and everything it owns (model, scratch, messages). NULL is a no-op. */
void vt_engine_release(vt_engine* engine);

/* Message of the last failed call on this engine ("" after a success). Owned by the engine; valid until the next
 * call on it. Never NULL for a non-NULL engine. */
const char* vt_engine_last_error(const vt_engine* engine);

/* JSON text describing this build (version, kernel table, SIMD). Owned by the engine; valid until release. */
const char* vt_engine_build_info(vt_engine* engine);

/* ---- models ---------------------------------------------------------------------------------------------- */

/* Loads a session model file (model_file.h, kind "session_attn", written by `vitrine train`). `bytes` is
 * caller-owned and copied. The file is validated completely first: on failure the engine keeps the model it had
 * (or none) and the last error names the problem (VT_MODEL_TRUNCATED, VT_MODEL_CORRUPT, VT_MODEL_VERSION,
 * VT_LIMIT_EXCEEDED; a file of another kind, such as the benchmark's "mlp", is VT_MODEL_CORRUPT). On success the
 * new model replaces the old one: the engine holds one model at a time. */
vt_status vt_engine_load_model(vt_engine* engine, const uint8_t* bytes, size_t size);

/* The largest model file vt_engine_load_model accepts from now on (a page's data-max-model-bytes); a larger one
 * fails with VT_LIMIT_EXCEEDED before anything in it is read. Default: model_file.h's ModelLimits (512 MiB).
 * 0 is VT_INVALID_ARGUMENT. */
vt_status vt_engine_set_model_limit(vt_engine* engine, uint32_t max_file_bytes);

/* JSON describing the loaded model: kind, vocab_size, dim, content features, kernels, training metadata.
 * *out_json is owned by the engine and valid until the next call on it. VT_NO_MODEL without a model. */
vt_status vt_engine_model_info(vt_engine* engine, const char** out_json);

/* Product ids of the model's catalog, joined by '\n', in model item order (line k is item k+1). Owned by the
 * engine, valid until the next call on it. Lets JS map top-K items to ids with one crossing. */
vt_status vt_engine_vocabulary(vt_engine* engine, const char** out_ids);

/* ---- the session model ---------------------------------------------------------------------------------- */

/* Ranks one batch. `request` is a rank request message (vitrine/wire_format.h, "VTQ1") of `request_size` bytes,
 * caller-owned: the events, the candidates, blend and rank_by. `out_scores` (caller-owned) receives one float per
 * candidate; `n_candidates` must equal the request's candidate count. If `out_conversion` is non-NULL (caller-owned,
 * 2 * n_candidates floats) it receives the conversion head's probabilities: [0, n) that each candidate is added to
 * the cart in this visit, [n, 2n) that it is bought; NaN where the model has no such output. If `out_explanations`
 * is non-NULL it receives an explanations message ("VTX1": per candidate its score, cart and purchase
 * probabilities and its factors, strongest first) owned by the engine and valid until the next call on it, and
 * `*out_explanations_size` (non-NULL then) its byte count. rank_by "conversion" or "value" on a model without the
 * head is VT_BAD_INPUT. */
vt_status vt_engine_rank(vt_engine* engine, const uint8_t* request, size_t request_size, float* out_scores,
                         uint32_t n_candidates, float* out_conversion, const uint8_t** out_explanations,
                         uint32_t* out_explanations_size);

/* Best `k` products of the whole catalog for the request's events (a "VTQ1" message; its candidates are ignored).
 * out_items and out_scores are caller-owned, k entries each; out_items get model items (1-based: line item-1
 * of vt_engine_vocabulary). *out_count receives how many were written (<= k). */
vt_status vt_engine_top_k(vt_engine* engine, const uint8_t* request, size_t request_size, uint32_t k,
                          uint32_t* out_items, float* out_scores, uint32_t* out_count);

/* ---- the catalog index of a model whose catalog is out of its file (vitrine/catalog_index.h) ---------------- */
/* Loads an index head ("VTI1", from `vitrine build-index`; caller-owned, copied) for the loaded model, which must
 * take its items as codes (VT_INVALID_ARGUMENT otherwise) from the codebook the index was built for (VT_BAD_INPUT).
 * Replaces the previous head; loading a model drops it. */
vt_status vt_engine_load_index(vt_engine* engine, const uint8_t* bytes, size_t size);
/* The shards a catalog-wide top-K for the request's events (a "VTQ1" message; candidates ignored) reads: the `probe`
 * clusters nearest the shopper (0: the index's own probe), best first, as shard file names joined by '\n'.
 * *out_names is owned by the engine and valid until the next call on it. VT_NO_MODEL without a loaded head.
 * A paged head (catalog_index.h) names, while any is missing, the pages this query needs that are not loaded
 * ("p-<hash>.vti" instead of "s-<hash>.vts"): load them with vt_engine_load_index_page and probe again. */
vt_status vt_engine_probe(vt_engine* engine, const uint8_t* request, size_t request_size, uint32_t probe,
                          const char** out_names);
/* Loads one page of the loaded paged head (a file vt_engine_probe named; caller-owned, copied). The engine keeps
 * it until the head is replaced. Bytes that are not one of the head's pages are VT_BAD_INPUT; a head without pages
 * is VT_NO_MODEL. */
vt_status vt_engine_load_index_page(vt_engine* engine, const uint8_t* bytes, size_t size);
/* What out_shards holds for a product that no given shard holds (one of the request's own). */
#define VT_NO_SHARD 0xFFFFFFFFu
/* Best `k` products among the shards' (n_shards files laid end to end in `shards`, shard_sizes[i] bytes each; all
 * caller-owned) and the request's own coded products, ranked as vt_engine_rank ranks candidates with the request's
 * events at blend 0 (no shop's order among them): product ids best first joined by '\n' in *out_ids (engine-owned,
 * valid until the next call), scores in out_scores and, in out_shards, the index of the first shard holding each
 * product or VT_NO_SHARD (both caller-owned, k entries; a widget finds the product's feed by its shard), the count
 * in *out_count. A shard that is not one of this index's is VT_BAD_INPUT. */
vt_status vt_engine_top_k_shards(vt_engine* engine, const uint8_t* request, size_t request_size, const uint8_t* shards,
                                 const uint32_t* shard_sizes, uint32_t n_shards, uint32_t k, const char** out_ids,
                                 float* out_scores, uint32_t* out_shards, uint32_t* out_count);
/* The shopper profile built from the request's events (a "VTQ1" message; no model needed): category, brand and
 * price affinities with time decay, and the current session's intent, as a profile message ("VTP1") owned by the
 * engine and valid until the next call on it; *out_size receives its byte count. */
vt_status vt_engine_profile(vt_engine* engine, const uint8_t* request, size_t request_size, const uint8_t** out_profile,
                            uint32_t* out_size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VITRINE_API_H_ */
