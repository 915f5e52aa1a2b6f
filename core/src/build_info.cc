#include "vitrine/build_info.h"

#include "vitrine/json_value.h"
#include "vitrine/kernels.h"
#if defined(VITRINE_HAVE_NATIVE_KERNELS)
#include "vitrine/native/dense.h"
#endif

namespace vitrine {

std::string build_info_json() {
  // Keys in alphabetical order, as the text read before (nlohmann/json sorts them) had them.
  JsonValue info = JsonValue::object();
#if defined(VITRINE_HAVE_NATIVE_KERNELS)
  info.set("arch", JsonValue::string(VITRINE_ARCH_STRING));  // what the build targets: portable, native or -march
#endif
  info.set("compiler", JsonValue::string(__VERSION__));
#if defined(VITRINE_HAVE_NATIVE_KERNELS)
  info.set("dense_isa", JsonValue::string(native_dense_kernels().isa));  // the dense kernels' copy this CPU runs
#endif
  info.set("kernels", JsonValue::string(select_kernel_table().name));
  info.set("version", JsonValue::string(VITRINE_VERSION_STRING));
#if defined(__wasm_simd128__)
  info.set("wasm_simd128", JsonValue::boolean(true));
#else
  info.set("wasm_simd128", JsonValue::boolean(false));
#endif
#if defined(VITRINE_HAVE_XNNPACK)
  info.set("xnnpack", JsonValue::boolean(true));
#else
  info.set("xnnpack", JsonValue::boolean(false));
#endif
  return write_json(info);
}

}  // namespace vitrine
