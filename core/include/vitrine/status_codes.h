/* Status codes shared by the C++ core, the C API in wasm/ and the JS package.
 *
 * This list is the single source: the C API's vt_status enum and the C++ StatusCode enum are expanded from it,
 * and tests/js/status_codes.test.mjs checks that js/src/status.mjs matches it value by value.
 * Codes are stable: never renumber, only append. Plain C so that the C API header can include it. */
#ifndef VITRINE_STATUS_CODES_H_
#define VITRINE_STATUS_CODES_H_

/* X(NAME, value, "what it means") */
#define VITRINE_STATUS_CODES(X)                                                       \
  X(OK, 0, "success")                                                                 \
  X(INVALID_ARGUMENT, 1, "an argument is out of range or a required pointer is null") \
  X(MODEL_TRUNCATED, 2, "the model file ends before its declared contents")           \
  X(MODEL_CORRUPT, 3, "the model file fails its checksum or holds inconsistent data") \
  X(MODEL_VERSION, 4, "the model file has a format version this build does not read") \
  X(LIMIT_EXCEEDED, 5, "a size is past the configured sane limits")                   \
  X(NO_MODEL, 6, "the call needs a loaded model and none is loaded")                  \
  X(OUT_OF_MEMORY, 7, "an allocation failed")                                         \
  X(BAD_INPUT, 8, "malformed input data (events, stored state, session text)")        \
  X(INTERNAL, 9, "an unexpected internal error")

#endif /* VITRINE_STATUS_CODES_H_ */
