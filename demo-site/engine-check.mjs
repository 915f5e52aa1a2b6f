// Loads the WebAssembly engine and the shop's model, and ranks five of its products for a made-up shopper who
// looked at the first one twice: the engine, the model file and the ranking, entirely in this browser.
import { createEngine } from '/vitrine/engine.mjs';

const $ = (id) => document.getElementById(id);
const MODEL_URL = '/models/shop.vtm';

try {
  const engine = await createEngine({ moduleUrl: new URL('/vitrine/vitrine-engine.mjs', location.href) });
  try {
    const info = engine.buildInfo();
    $('build').textContent = `v${info.version}, kernels ${info.kernels}, SIMD128 ${info.wasm_simd128}`;
    const response = await fetch(MODEL_URL);
    if (!response.ok) throw new Error(`${MODEL_URL}: HTTP ${response.status}`);
    const model = engine.loadModel(new Uint8Array(await response.arrayBuffer()));
    $('model').textContent = `${model.vocab_size} products, dimension ${model.dim}`;
    const products = engine.vocabulary().slice(0, 5);
    const now = Date.now();
    const events = [0, 1].map((i) => ({ kind: 0, item: products[0], t: now - 60_000 * (2 - i) }));
    const { scores } = engine.rank(
      { events, candidates: products.map((id) => ({ id })), nowMs: now },
      { explain: false }
    );
    const order = products.map((id, i) => ({ id, score: scores[i] })).sort((a, b) => b.score - a.score);
    $('scores').textContent = order.map((p) => `${p.id} ${p.score.toFixed(3)}`).join(', ');
    const ok = order.length === 5 && order.every((p) => Number.isFinite(p.score));
    $('status').textContent = ok ? 'engine running: ranked 5 products with the shop model' : 'ranking failed';
    $('status').className = ok ? 'ok' : 'bad';
    document.body.dataset.ranked = JSON.stringify(order);
  } finally {
    engine.release();
  }
} catch (err) {
  $('status').textContent = `engine failed: ${err.message}`;
  $('status').className = 'bad';
}
document.body.dataset.ready = '1';
