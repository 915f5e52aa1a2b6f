#!/usr/bin/env bash
# Installs what Vitrine needs and is missing, and nothing else:
#   - Debian packages, with apt-get, only those not installed yet;
#   - npm packages, from the committed package-lock.json (npm ci), only when node_modules is missing or stale.
# Safe to run again: a second run installs nothing. Never downloads anything but Debian and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

# Debian packages, by purpose.
packages=(
  cmake g++ make ninja-build pkg-config gzip              # native build (tools/test.sh builds with Ninja)
  zlib1g-dev                                              # vitrine image-features reads the .gz dataset
  libeigen3-dev nlohmann-json3-dev catch2                 # core dependencies
  libcli11-dev                                            # the vitrine CLI's flag parsing (header-only)
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev        # native fully connected kernels
  emscripten                                              # WebAssembly build (3.1.6)
  chromium                                                # browser tests and benchmarks
  clang libclang-rt-14-dev                                # libFuzzer targets and sanitizer runtime
  clang-format-14                                         # tests/js/format.test.mjs checks the C++ style
  dataset-fashion-mnist                                   # product photos for the demo catalog
)
# tools/test.sh also cross-compiles the native tree for 64-bit ARM (suite "targets"): Debian's cross compiler, arm64
# zlib beside the amd64 one (multiarch), and qemu-user, which runs Catch2's test discovery on the arm64 binary.
cross_arm64=0
if [ "$(dpkg --print-architecture)" = amd64 ]; then
  cross_arm64=1
  packages+=(g++-aarch64-linux-gnu qemu-user zlib1g-dev:arm64)
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  if [ "$cross_arm64" = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo_cmd[@]}" dpkg --add-architecture arm64
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
else
  say "Debian packages: all ${#packages[@]} present"
fi

# npm: install exactly the locked versions. Lifecycle scripts stay off: nothing may download at install time.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --ignore-scripts
else
  say "npm packages: up to date with package-lock.json"
fi
