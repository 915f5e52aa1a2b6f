#!/usr/bin/env bash
# The main job: installs what is missing, builds the wasm engine and the package, and serves the demo
# storefront on 127.0.0.1. Stop it with Ctrl-C.   PORT=9000 tools/demo.sh to pick another port.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8080}
jobs=${VITRINE_JOBS:-$(nproc)}

tools/setup.sh
printf '\n==> building the wasm engine and the package (build/wasm)\n'
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j "$jobs"

printf '\n==> serving the demo (Ctrl-C stops it)\n'
exec node tools/serve.mjs --port "$port" /=demo-site /vitrine=build/wasm/dist
