// The "mlp" model kind in the wasm engine under Node: the reference MLP written by `vitrine make-reference-mlp`
// scores feature batches like a plain JS computation of the same layers; the catalog top-K by dot product; and
// switching between model kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { EngineError, Status } from '../../js/src/status.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { mulberry32 as rng } from '../../tools/random.mjs';
import { tinyModel, vitrineCli } from '../support/test_model.mjs';

function referenceModel(seed) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-mlp-'));
  try {
    execFileSync(vitrineCli, [
      'make-reference-mlp',
      '--out',
      path.join(dir, 'm.vtm'),
      '--weights-json',
      path.join(dir, 'm.json'),
      '--seed',
      String(seed),
    ]);
    return {
      bytes: readFileSync(path.join(dir, 'm.vtm')),
      layers: JSON.parse(readFileSync(path.join(dir, 'm.json'), 'utf8')).layers,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The MLP in float64, written out plainly: y = act(x . W + b) per layer.
function plainMlp(layers, x, n) {
  let input = Array.from(x),
    width = layers[0].in;
  for (const l of layers) {
    const y = [];
    for (let r = 0; r < n; ++r) {
      for (let j = 0; j < l.out; ++j) {
        let s = l.bias[j];
        for (let k = 0; k < width; ++k) s += input[r * width + k] * l.weights[k * l.out + j];
        y.push(l.activation === 'relu' ? Math.max(0, s) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s);
      }
    }
    input = y;
    width = l.out;
  }
  return input;
}

function randomFeatures(n, dim, seed) {
  const r = rng(seed);
  return Float32Array.from({ length: n * dim }, () => 2 * r() - 1);
}

test('the reference MLP scores batches like the plain JS computation within 1e-5', async () => {
  const model = referenceModel(7);
  assert.deepEqual(
    model.layers.map((l) => [l.in, l.out, l.activation]),
    [
      [128, 64, 'relu'],
      [64, 32, 'relu'],
      [32, 1, 'sigmoid'],
    ]
  );
  const engine = await createNodeEngine();
  try {
    const info = engine.loadModel(model.bytes);
    assert.equal(info.kind, 'mlp');
    assert.equal(info.input_dim, 128);
    assert.equal(info.output_dim, 1);
    assert.deepEqual(engine.vocabulary(), ['score']);
    for (const n of [1, 3, 4, 5, 63, 64, 65, 300]) {
      const features = randomFeatures(n, 128, n);
      const scores = engine.scoreFeatures(features, 128);
      assert.ok(scores instanceof Float32Array);
      assert.equal(scores.length, n);
      const expected = plainMlp(model.layers, features, n);
      for (let r = 0; r < n; ++r) {
        assert.ok(Math.abs(scores[r] - expected[r]) <= 1e-5, `n=${n} row ${r}: ${scores[r]} vs ${expected[r]}`);
      }
    }
    assert.equal(engine.scoreFeatures(new Float32Array(0), 128).length, 0);
  } finally {
    engine.release();
  }
});

test('different seeds give different models; bad input is refused with a status', async () => {
  const a = referenceModel(1),
    b = referenceModel(2);
  assert.notDeepEqual(a.layers[0].weights.slice(0, 8), b.layers[0].weights.slice(0, 8));
  const engine = await createNodeEngine();
  try {
    assert.throws(
      () => engine.scoreFeatures(new Float32Array(128), 128),
      (e) => e instanceof EngineError && e.status === Status.NO_MODEL
    );
    engine.loadModel(a.bytes);
    assert.throws(
      () => engine.scoreFeatures(new Float32Array(130), 65),
      (e) => e instanceof EngineError && e.status === Status.INVALID_ARGUMENT && /128/.test(e.message)
    );
    assert.throws(
      () => engine.scoreFeatures(new Float32Array(129), 128),
      (e) => e instanceof EngineError && e.status === Status.INVALID_ARGUMENT
    );
    // Session calls on an MLP say why they cannot run.
    assert.throws(
      () => engine.topK({ events: [], k: 3 }),
      (e) => e instanceof EngineError && e.status === Status.NO_MODEL && /MLP/.test(e.message)
    );
    // A damaged file keeps the loaded MLP.
    assert.throws(
      () => engine.loadModel(b.bytes.subarray(0, 100)),
      (e) => e.status === Status.MODEL_TRUNCATED
    );
    const x = randomFeatures(2, 128, 9);
    const expected = plainMlp(a.layers, x, 2);
    const scores = engine.scoreFeatures(x, 128);
    for (let r = 0; r < 2; ++r) assert.ok(Math.abs(scores[r] - expected[r]) <= 1e-5);
  } finally {
    engine.release();
  }
});

test('one engine switches between a session model and an MLP', async () => {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(referenceModel(3).bytes);
    assert.equal(engine.loadModel(tinyModel().bytes).kind, 'session_attn');
    assert.equal(engine.vocabulary()[0], 'sku-1');
    assert.equal(engine.topK({ events: [{ kind: 0, item: 'sku-5', t: Date.now() }], k: 3 }).ids.length, 3);
    assert.throws(
      () => engine.scoreFeatures(new Float32Array(128), 128),
      (e) => e.status === Status.NO_MODEL
    );
    assert.equal(engine.loadModel(referenceModel(3).bytes).kind, 'mlp');
    assert.equal(engine.scoreFeatures(new Float32Array(256), 128).length, 2);
  } finally {
    engine.release();
  }
});

test('topKDot returns the best rows of the item table by dot product', async () => {
  const engine = await createNodeEngine();
  try {
    const n = 5000,
      dim = 64,
      k = 20;
    const table = randomFeatures(n, dim, 11),
      query = randomFeatures(1, dim, 12);
    assert.throws(
      () => engine.topKDot(query, k),
      (e) => e.status === Status.NO_MODEL
    );
    engine.setItemVectors(table, dim);
    const { items, scores } = engine.topKDot(query, k);
    const exact = Array.from({ length: n }, (_, r) => {
      let s = 0;
      for (let d = 0; d < dim; ++d) s += query[d] * table[r * dim + d];
      return s;
    });
    const order = exact
      .map((s, r) => r)
      .sort((p, q) => exact[q] - exact[p] || p - q)
      .slice(0, k);
    assert.deepEqual(Array.from(items), order);
    for (let i = 0; i < k; ++i) assert.ok(Math.abs(scores[i] - exact[order[i]]) <= 1e-5);
    assert.throws(
      () => engine.topKDot(new Float32Array(dim + 1), k),
      (e) => e.status === Status.INVALID_ARGUMENT
    );
  } finally {
    engine.release();
  }
});
