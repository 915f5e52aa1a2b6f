# Cross-compiles the native tree for 64-bit ARM with Debian's g++-aarch64-linux-gnu, and runs its tests under
# qemu-user (tools/test.sh, suite "targets"):
#   cmake -S . -B build/target-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DVITRINE_USE_XNNPACK=OFF
# Libraries come from Debian's arm64 packages installed beside the amd64 ones (multiarch: zlib1g-dev:arm64).
# libxnnpack-dev cannot be installed for two architectures at once, so this build uses the Eigen fallback.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
