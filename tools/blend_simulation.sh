#!/usr/bin/env bash
# Does the weight of the shop's order that `vitrine train` learns (models/train/blend_fit.h) serve simulated shoppers
# well? Four simulated shops, each logged with its category pages as impressions with places:
#   featured / popular   the shop's own order knows nothing of the shoppers / is a bestseller order (information)
#   shuffle 0 / 0.3      every page shown in the shop's order / 30% of pages shown in a random order
# For each: simulate (tools/simulate_shoppers.mjs --lists 60), train on the log (the learned weight goes into the
# model), then run the offline A/B test (tools/uplift.mjs) on the held-out shoppers with the learned weight and with
# the fixed weights 0 (personal order only) and 1 (the default when nothing is learned). Simulated shoppers only.
#
#   tools/blend_simulation.sh [OUT]      (default build/blend-sim; needs build/demo/catalog.json from tools/demo.sh,
#                                         the native CLI and the wasm engine)
# Writes OUT/<order>-<shuffle>/{events.csv, model.vtm, uplift-*.json} and prints one table; OUT/summary.json keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/blend-sim}
catalog=build/demo/catalog.json
vitrine=build/native/models/vitrine
[ -f "$catalog" ] || { echo "blend_simulation: $catalog is missing: run tools/demo.sh once" >&2; exit 1; }
[ -x "$vitrine" ] || { echo "blend_simulation: $vitrine is missing: build the native tree" >&2; exit 1; }
mkdir -p "$out"
for order in featured popular; do
  for shuffle in 0 0.3; do
    dir=$out/$order-$shuffle
    mkdir -p "$dir"
    node tools/simulate_shoppers.mjs --catalog "$catalog" --out "$dir" --shoppers 1000 --heldout 500 --seed 7 \
      --lists 60 --merchant-order "$order" --shuffle "$shuffle" >/dev/null
    "$vitrine" train --events "$dir/events.csv" --catalog "$dir/train-catalog.tsv" --unseen-content-only \
      --out "$dir/model.vtm" --dim 32 --epochs 3 --seed 42 --quiet
    for blend in -1 0 1; do
      node tools/uplift.mjs --catalog "$catalog" --heldout "$dir/heldout.jsonl" --model "$dir/model.vtm" \
        --merchant-order "$order" --trained "$dir/shoppers.jsonl" --blend "$blend" \
        --out "$dir/uplift$blend.json" >/dev/null
    done
  done
done
node --input-type=module - "$out" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import { createNodeEngine } from './tests/support/node_engine.mjs';
const out = process.argv[2];
const engine = await createNodeEngine();
const pct = (m) => `${(100 * m.estimate).toFixed(1)}% [${(100 * m.lower).toFixed(1)}, ${(100 * m.upper).toFixed(1)}]`;
const rows = [];
for (const order of ['featured', 'popular'])
  for (const shuffle of ['0', '0.3']) {
    const dir = `${out}/${order}-${shuffle}`;
    const fit = engine.loadModel(readFileSync(`${dir}/model.vtm`)).training.blend;
    const arms = {};
    for (const [name, blend] of [['learned', -1], ['personal', 0], ['fixed 1', 1]]) {
      const m = JSON.parse(readFileSync(`${dir}/uplift${blend}.json`, 'utf8')).metrics;
      arms[name] = { conversion: m.conversion.relative, clickThrough: m.clickThrough.relative };
    }
    rows.push({ order, shuffle: Number(shuffle), fit, arms });
    const weight = fit.fitted ? fit.blend.toFixed(2) : `not fitted (${fit.reason})`;
    console.log(`${order} order, ${shuffle} of pages shuffled: learned weight ${weight}; a ${fit.a?.value.toFixed(3)}` +
      ` b ${fit.b?.value.toFixed(3)}${fit.c ? ` c ${fit.c.value.toFixed(3)}` : ''}`);
    for (const [name, arm] of Object.entries(arms))
      console.log(`  ${name.padEnd(9)} conversion ${pct(arm.conversion).padEnd(22)} click-through ${pct(arm.clickThrough)}`);
  }
engine.release();
writeFileSync(`${out}/summary.json`, JSON.stringify({ notice: 'Simulated shoppers, not real people.', rows }, null, 2) + '\n');
EOF
