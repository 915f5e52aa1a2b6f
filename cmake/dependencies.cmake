# Third-party dependencies, all from Debian packages (tools/setup.sh installs them).
#
# Under emcmake the toolchain sets CMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY, so a plain find_package() looks only in
# the Emscripten sysroot and fails. HINTS + NO_CMAKE_FIND_ROOT_PATH finds Debian's config files; natively it is a
# no-op.
find_package(nlohmann_json 3.11 REQUIRED HINTS /usr/share/cmake/nlohmann_json NO_CMAKE_FIND_ROOT_PATH)
if(VITRINE_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED HINTS /usr/lib/cmake/Catch2 NO_CMAKE_FIND_ROOT_PATH)
endif()

if(EMSCRIPTEN)
  # nlohmann_json and Catch2 export INTERFACE_INCLUDE_DIRECTORIES=/usr/include. As -isystem that puts glibc's
  # headers in front of Emscripten's libc ("bits/libc-header-start.h not found"). Point them at a folder that
  # holds only links to their own header trees.
  set(VITRINE_SHIM_INCLUDE "${CMAKE_BINARY_DIR}/_shim_include")
  file(MAKE_DIRECTORY "${VITRINE_SHIM_INCLUDE}")
  foreach(dir nlohmann catch2)
    if(NOT EXISTS "${VITRINE_SHIM_INCLUDE}/${dir}")
      file(CREATE_LINK "/usr/include/${dir}" "${VITRINE_SHIM_INCLUDE}/${dir}" SYMBOLIC)
    endif()
  endforeach()
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                                                "${VITRINE_SHIM_INCLUDE}")
  if(TARGET Catch2::Catch2)
    set_target_properties(Catch2::Catch2 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${VITRINE_SHIM_INCLUDE}")
  endif()
else()
  # Eigen is native-only: it has no wasm backend, and the wasm build uses our own SIMD128 kernels instead.
  find_package(Eigen3 3.4 REQUIRED NO_MODULE)
endif()

set(VITRINE_HAVE_XNNPACK OFF)
if(NOT EMSCRIPTEN AND VITRINE_USE_XNNPACK)
  # Debian's libxnnpack-dev (0.0~git20220216) ships no CMake or pkg-config files.
  find_path(XNNPACK_INCLUDE_DIR xnnpack.h)
  find_library(XNNPACK_LIBRARY XNNPACK)
  find_library(PTHREADPOOL_LIBRARY pthreadpool)
  if(XNNPACK_INCLUDE_DIR AND XNNPACK_LIBRARY AND PTHREADPOOL_LIBRARY)
    add_library(vitrine_xnnpack INTERFACE IMPORTED)
    target_include_directories(vitrine_xnnpack INTERFACE "${XNNPACK_INCLUDE_DIR}")
    target_link_libraries(vitrine_xnnpack INTERFACE "${XNNPACK_LIBRARY}" "${PTHREADPOOL_LIBRARY}")
    set(VITRINE_HAVE_XNNPACK ON)
  else()
    message(WARNING "libxnnpack-dev not found: native fully connected layers fall back to Eigen")
  endif()
endif()
message(STATUS "vitrine: EMSCRIPTEN=${EMSCRIPTEN} ARCH=${VITRINE_ARCH} XNNPACK=${VITRINE_HAVE_XNNPACK} SANITIZE=${VITRINE_SANITIZE}")
