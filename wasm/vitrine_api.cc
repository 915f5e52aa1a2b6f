// Implementation of the C API. Thin by design: validate arguments, call the core, turn a Status into a
// vt_status and a last-error message. No Emscripten header here; the ES module exports these symbols by name.
#include "vitrine_api.h"

#include <exception>
#include <new>
#include <string>

#include "vitrine/build_info.h"
#include "vitrine/kernels.h"
#include "vitrine/status.h"

struct vt_engine {
  const vitrine::KernelTable* kernels = &vitrine::select_kernel_table();
  std::string last_error;
  std::string build_info;

  vt_status fail(vt_status code, std::string message) {
    last_error = std::move(message);
    return code;
  }
  vt_status succeed() {
    last_error.clear();
    return VT_OK;
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

}  // namespace

extern "C" {

vt_status vt_engine_create(vt_engine** out_engine) {
  if (out_engine == nullptr) return VT_INVALID_ARGUMENT;
  *out_engine = new (std::nothrow) vt_engine();
  return *out_engine != nullptr ? VT_OK : VT_OUT_OF_MEMORY;
}

void vt_engine_release(vt_engine* engine) { delete engine; }

const char* vt_engine_last_error(const vt_engine* engine) {
  return engine != nullptr ? engine->last_error.c_str() : "engine is NULL";
}

const char* vt_engine_build_info(vt_engine* engine) {
  if (engine == nullptr) return "{}";
  if (engine->build_info.empty()) engine->build_info = vitrine::build_info_json();
  return engine->build_info.c_str();
}

vt_status vt_engine_dot_scores(vt_engine* engine, const float* query, uint32_t dim, const float* rows,
                               uint32_t n_rows, float* out_scores) {
  if (engine == nullptr) return VT_INVALID_ARGUMENT;
  return guarded(engine, [&]() -> vt_status {
    if (dim == 0) return engine->fail(VT_INVALID_ARGUMENT, "dot_scores: dim must be at least 1");
    if (query == nullptr || (n_rows > 0 && (rows == nullptr || out_scores == nullptr)))
      return engine->fail(VT_INVALID_ARGUMENT, "dot_scores: null buffer");
    engine->kernels->f32_dot_rows(query, rows, n_rows, dim, dim, out_scores);
    return engine->succeed();
  });
}

}  // extern "C"
