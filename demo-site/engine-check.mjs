// Scores 5 fixed product vectors against a shopper vector in wasm and shows them beside a plain JS computation.
import { createEngine } from '/vitrine/engine.mjs';

const $ = (id) => document.getElementById(id);
const query = new Float32Array([0.5, -1, 2, 0.25, 1, 0, -0.5, 3]);
const rows = Float32Array.from({ length: 5 * query.length }, (_, i) => ((i * 13) % 7) / 7 - 0.4);

function jsScores() {
  const out = [];
  for (let r = 0; r < rows.length / query.length; ++r) {
    let s = 0;
    for (let k = 0; k < query.length; ++k) s += query[k] * rows[r * query.length + k];
    out.push(s);
  }
  return out;
}

const fmt = (xs) => Array.from(xs, (x) => x.toFixed(4)).join(', ');
try {
  const engine = await createEngine({ moduleUrl: new URL('/vitrine/vitrine-engine.mjs', location.href) });
  const scores = engine.dotScores(query, rows);
  const info = engine.buildInfo();
  engine.release();
  $('build').textContent = `v${info.version}, kernels ${info.kernels}, SIMD128 ${info.wasm_simd128}`;
  $('scores').textContent = fmt(scores);
  $('expected').textContent = fmt(jsScores());
  const agree = jsScores().every((x, i) => Math.abs(x - scores[i]) < 1e-5);
  $('status').textContent = agree ? 'engine running: wasm and JS agree' : 'MISMATCH between wasm and JS';
  $('status').className = agree ? 'ok' : 'bad';
  document.body.dataset.wasmScores = JSON.stringify(Array.from(scores));
} catch (err) {
  $('status').textContent = `engine failed to load: ${err.message}`;
  $('status').className = 'bad';
}
document.body.dataset.ready = '1';
