# Fixes for Debian's Emscripten 3.1.6 under CMake. Each was verified on this toolchain (see
# ../shared/toolchain/RECIPE.md, section 4). Natively this file does nothing.
if(NOT EMSCRIPTEN)
  return()
endif()

# emcmake passes CMAKE_CROSSCOMPILING_EMULATOR="node;--experimental-wasm-threads". Node 20 rejects that flag, so
# every ctest run fails and catch_discover_tests() silently discovers zero tests.
list(REMOVE_ITEM CMAKE_CROSSCOMPILING_EMULATOR --experimental-wasm-threads)

# Debian's emcc runs acorn-optimizer.js when linking at -O2 and above; acorn comes from Debian's node-acorn.
if(NOT DEFINED ENV{NODE_PATH} AND EXISTS "/usr/share/nodejs/acorn")
  set(CMAKE_CXX_LINKER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
endif()

# The test runners emcc writes are CommonJS. Pin the module type for the build tree so that a package.json with
# "type": "module" higher up can never turn them into ES modules.
file(WRITE "${CMAKE_BINARY_DIR}/package.json" "{ \"type\": \"commonjs\" }\n")
