#include "vitrine/build_info.h"

#include <nlohmann/json.hpp>

#include "vitrine/kernels.h"

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
  info["compiler"] = __VERSION__;
  return info.dump();
}

}  // namespace vitrine
