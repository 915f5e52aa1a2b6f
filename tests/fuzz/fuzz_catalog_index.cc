// libFuzzer entry point; the body is vitrine::fuzz::run_catalog_index in fuzz_targets.h.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!vitrine::fuzz::run_catalog_index(data, size)) __builtin_trap();
  return 0;
}
