// What this build of the core is: version, compiler, SIMD and kernel table, as a JSON object.
#pragma once

#include <string>

namespace vitrine {

// {"version":"0.1.0","kernels":"wasmsimd","wasm_simd128":true,"compiler":"...","xnnpack":false}
std::string build_info_json();

}  // namespace vitrine
