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
 *  - One call handles a whole batch (all candidates of a page, all rows of a table): JS crosses once per batch.
 *  - No global state: everything lives in the vt_engine, so two engines never interfere.
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

/* Scores a batch of rows against one query: out_scores[r] = dot(query, rows[r*dim .. r*dim+dim)).
 * query: dim floats; rows: n_rows*dim floats, row-major; out_scores: n_rows floats. All caller-owned.
 * Uses the engine's kernel table (SIMD128 in wasm). */
vt_status vt_engine_dot_scores(vt_engine* engine, const float* query, uint32_t dim, const float* rows,
                               uint32_t n_rows, float* out_scores);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VITRINE_API_H_ */
