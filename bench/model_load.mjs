// How long the shipped engine takes to load a model, in Node: the first load (what a page's new worker pays, its
// wasm functions not yet optimized) and the median of later loads in the same process.
//
//   node bench/model_load.mjs [--dist build/wasm/dist] [--model models/diginetica/model.vtm] [--loads 10]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: 'build/wasm/dist' },
    model: { type: 'string', default: 'models/diginetica/model.vtm' },
    loads: { type: 'string', default: '10' },
  },
});
const dist = path.resolve(values.dist);
const loads = Math.max(3, Number(values.loads));
const { createEngine } = await import(pathToFileURL(path.join(dist, 'engine.mjs')).href);
const engine = await createEngine({
  moduleUrl: pathToFileURL(path.join(dist, 'vitrine-engine.mjs')),
  wasmBinary: readFileSync(path.join(dist, 'vitrine-engine.wasm')),
});
const bytes = readFileSync(values.model);
const times = [];
for (let i = 0; i < loads; ++i) {
  const start = performance.now();
  engine.loadModel(bytes);
  times.push(performance.now() - start);
}
engine.release();
const later = times.slice(2).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    model: values.model,
    bytes: bytes.length,
    first_ms: Number(times[0].toFixed(1)),
    later_median_ms: Number(later[Math.floor((later.length - 1) / 2)].toFixed(1)),
  })
);
