// Entry translation unit of the ES module. The module has no main(); everything it exports is the C API in
// vitrine_api.h, listed by wasm/CMakeLists.txt. This file only exists because a link needs a source.
#include "vitrine_api.h"
