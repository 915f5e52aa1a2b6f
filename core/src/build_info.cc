#include "vitrine/build_info.h"

#include <nlohmann/json.hpp>

#include "vitrine/kernels.h"
#if defined(VITRINE_HAVE_NATIVE_KERNELS)
#include "vitrine/native/dense.h"
#endif

namespace vitrine {

std::string build_info_json() {
  nlohmann::json info;
  info["version"] = VITRINE_VERSION_STRING;
  info["kernels"] = select_kernel_table().name;
#if defined(__wasm_simd128__)
  info["wasm_simd128"] = true;
#else
  info["wasm_simd128"] = false;
#endif
#if defined(VITRINE_HAVE_XNNPACK)
  info["xnnpack"] = true;
#else
  info["xnnpack"] = false;
#endif
#if defined(VITRINE_HAVE_NATIVE_KERNELS)
  info["arch"] = VITRINE_ARCH_STRING;              // what the build targets: portable, native or a -march value
  info["dense_isa"] = native_dense_kernels().isa;  // the copy of the dense kernels this CPU runs
#endif
  info["compiler"] = __VERSION__;
  return info.dump();
}

}  // namespace vitrine
