#!/usr/bin/env bash
# The main job: installs what is missing, builds the engine (native CLI and wasm package), builds the demo shop's
# catalog, simulates its shoppers, trains the shop's model on them and serves the storefront on 127.0.0.1.
# Stop it with Ctrl-C.   PORT=9000 tools/demo.sh to pick another port.
#
# Generated files go to build/demo/ (never committed): catalog.json, catalog.tsv and img/ (the catalog), events.csv,
# sessions.txt, shoppers.jsonl and heldout.jsonl (the simulated shoppers), image-features.tsv (photo embeddings of the CNN),
# models/shop.vtm (the trained model, from the shoppers' event log: views, cart adds and purchases). The model is
# only retrained when the catalog, the events or the image features changed (the generators leave unchanged files
# untouched).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8080}
vault_port=${VAULT_PORT:-$((port + 1))} # Vitrine's own origin: the shop under /vault/ keeps the history there
jobs=${VITRINE_JOBS:-$(nproc)}
demo=build/demo
seed=${VITRINE_DEMO_SEED:-2024}

tools/setup.sh
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}  # as tools/test.sh, so the two share build/native and build/wasm

printf '\n==> building the native merchant CLI (build/native, Release)\n'
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j "$jobs" --target vitrine

printf '\n==> building the wasm engine and the package (build/wasm)\n'
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j "$jobs" --target vitrine_engine vitrine_js_package

printf '\n==> building the demo catalog (%s)\n' "$demo"
node tools/build_demo_catalog.mjs --out "$demo" --products 3000 --seed "$seed"

printf '\n==> simulating shoppers\n'
node tools/simulate_shoppers.mjs --catalog "$demo/catalog.json" --out "$demo" --shoppers 2500 --heldout 500 --seed 7

features=$demo/image-features.tsv
if [ ! -f "$features" ] || [ "$demo/catalog.json" -nt "$features" ] || [ build/native/models/vitrine -nt "$features" ]; then
  printf '\n==> training the product-photo CNN on Fashion-MNIST and embedding the catalog photos\n'
  build/native/models/vitrine image-features --catalog "$demo/catalog.json" --out "$features.partial" \
    --summary "$demo/image-features.json" --threads "$jobs" --seed 42
  mv "$features.partial" "$features"
else
  printf '\n==> image features are up to date (%s)\n' "$features"
fi

model=$demo/models/shop.vtm
if [ ! -f "$model" ] || [ "$demo/events.csv" -nt "$model" ] || [ "$demo/train-catalog.tsv" -nt "$model" ] ||
   [ "$features" -nt "$model" ] || [ build/native/models/vitrine -nt "$model" ]; then
  printf "\n==> training the shop model from the shoppers' event log (dim 32, 3 epochs, with image features)\n"
  mkdir -p "$demo/models"
  # The catalog's products are the model's; products nobody viewed yet get no id embedding: they rank by their
  # content (category, brand, price, photo).
  build/native/models/vitrine train --events "$demo/events.csv" --catalog "$demo/train-catalog.tsv" \
    --image-features "$features" --unseen-content-only \
    --out "$model.partial" --dim 32 --epochs 3 --threads "$jobs" --name vitrine-demo-shop --seed 42
  mv "$model.partial" "$model"
else
  printf '\n==> shop model is up to date (%s)\n' "$model"
fi

uplift=$demo/uplift.json
if [ ! -f "$uplift" ] || [ "$model" -nt "$uplift" ] || [ "$demo/heldout.jsonl" -nt "$uplift" ] ||
   [ build/wasm/dist/vitrine-engine.wasm -nt "$uplift" ] || [ tools/uplift.mjs -nt "$uplift" ]; then
  printf '\n==> offline A/B test on the held-out simulated shoppers: personalization off vs on (uplift.json)\n'
  node tools/uplift.mjs --catalog "$demo/catalog.json" --heldout "$demo/heldout.jsonl" --model "$model" \
    --dist build/wasm/dist --out "$uplift"
else
  printf '\n==> uplift results are up to date (%s)\n' "$uplift"
fi

dashboard=$demo/dashboard.json
if [ ! -f "$dashboard" ] || [ build/native/models/vitrine -nt "$dashboard" ] || [ tools/report_simulation.mjs -nt "$dashboard" ] ||
   [ js/src/report.mjs -nt "$dashboard" ]; then
  printf '\n==> merchant dashboard: private outcome reports of 200,000 simulated shoppers through vitrine uplift\n'
  node tools/report_simulation.mjs --dashboard "$dashboard" --shoppers 200000 --epsilons 2 \
    --vitrine build/native/models/vitrine
else
  printf '\n==> merchant dashboard is up to date (%s)\n' "$dashboard"
fi

printf '\n==> building the evaluation lab (%s/lab: a sample of the Diginetica test split, scored natively)\n' "$demo"
# Missing data is no error (the lab page explains how to provide it); malformed data is, but the shop still serves.
node tools/build_lab_data.mjs --out "$demo/lab" --cli build/native/models/vitrine --dist build/wasm/dist ||
  printf 'the evaluation lab could not be built (message above); its page shows why, the shop is unaffected\n'

printf '\n==> serving the demo at http://127.0.0.1:%s/ and, with Vitrine on its own origin (:%s), at http://127.0.0.1:%s/vault/ (Ctrl-C stops it)\n' "$port" "$vault_port" "$port"
# Under a strict CSP (tools/demo/serve_demo.mjs): no inline script, no eval, workers from this origin only.
exec node tools/demo/serve_demo.mjs --port "$port" --vault-port "$vault_port" --demo "$demo" --dist build/wasm/dist
