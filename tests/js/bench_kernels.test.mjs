// The benchmark's wasm module under Node (bench/bench_module.cc through bench/bench_kernels.mjs): the reference MLP
// written by `vitrine make-reference-mlp` scores feature batches like a plain JS computation of the same layers, and
// the int8 item index finds the exact top-K by dot product. The shipped engine refuses the MLP's file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { pathToFileURL } from 'node:url';

import { createBenchKernels } from '../../bench/bench_kernels.mjs';
import { VitrineError, Status } from '../../js/src/status.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { wasmBuildDir } from '../support/paths.mjs';
import { mulberry32 as rng } from '../../tools/random.mjs';
import { tinyModel, vitrineCli } from '../support/test_model.mjs';

const benchModule = path.join(wasmBuildDir, 'bench/vitrine-bench.mjs');

function createNodeBench() {
  return createBenchKernels(pathToFileURL(benchModule), {
    wasmBinary: readFileSync(benchModule.replace(/\.mjs$/, '.wasm')),
  });
}

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
  const bench = await createNodeBench();
  try {
    assert.deepEqual(bench.loadMlp(model.bytes), { inputDim: 128, outputDim: 1 });
    for (const n of [1, 3, 4, 5, 63, 64, 65, 300]) {
      const features = randomFeatures(n, 128, n);
      const scores = bench.scoreFeatures(features, 128);
      assert.ok(scores instanceof Float32Array);
      assert.equal(scores.length, n);
      const expected = plainMlp(model.layers, features, n);
      for (let r = 0; r < n; ++r) {
        assert.ok(Math.abs(scores[r] - expected[r]) <= 1e-5, `n=${n} row ${r}: ${scores[r]} vs ${expected[r]}`);
      }
    }
    assert.equal(bench.scoreFeatures(new Float32Array(0), 128).length, 0);
  } finally {
    bench.release();
  }
});

test('different seeds give different models; bad input is refused with a status, and a damaged file keeps the MLP', async () => {
  const a = referenceModel(1),
    b = referenceModel(2);
  assert.notDeepEqual(a.layers[0].weights.slice(0, 8), b.layers[0].weights.slice(0, 8));
  const bench = await createNodeBench();
  try {
    assert.throws(
      () => bench.scoreFeatures(new Float32Array(128), 128),
      (e) => e.status === Status.NO_MODEL
    );
    bench.loadMlp(a.bytes);
    assert.throws(
      () => bench.scoreFeatures(new Float32Array(130), 65),
      (e) => e.status === Status.INVALID_ARGUMENT && /128/.test(e.message)
    );
    assert.throws(
      () => bench.scoreFeatures(new Float32Array(129), 128),
      (e) => e.status === Status.INVALID_ARGUMENT
    );
    assert.throws(
      () => bench.loadMlp(b.bytes.subarray(0, 100)),
      (e) => e.status === Status.MODEL_TRUNCATED
    );
    // A session model is not an MLP.
    assert.throws(
      () => bench.loadMlp(tinyModel().bytes),
      (e) => e.status === Status.MODEL_CORRUPT
    );
    const x = randomFeatures(2, 128, 9);
    const expected = plainMlp(a.layers, x, 2);
    const scores = bench.scoreFeatures(x, 128);
    for (let r = 0; r < 2; ++r) assert.ok(Math.abs(scores[r] - expected[r]) <= 1e-5);
    bench.release();
    bench.release(); // safe twice
    assert.throws(() => bench.scoreFeatures(x, 128), /released/);
  } finally {
    bench.release();
  }
});

test('the shipped engine refuses the MLP file, naming its kind, and keeps its session model', async () => {
  const engine = await createNodeEngine();
  try {
    assert.equal(engine.loadModel(tinyModel().bytes).kind, 'session_attn');
    assert.throws(
      () => engine.loadModel(referenceModel(3).bytes),
      (e) => e instanceof VitrineError && e.status === Status.MODEL_CORRUPT && /'mlp'/.test(e.message)
    );
    assert.equal(engine.modelInfo().kind, 'session_attn');
    assert.equal(engine.topK({ events: [{ kind: 0, item: 'sku-5', t: Date.now() }], k: 3 }).ids.length, 3);
  } finally {
    engine.release();
  }
});

test('topKDot returns the best rows of the item table by dot product', async () => {
  const bench = await createNodeBench();
  try {
    const n = 5000,
      dim = 64,
      k = 20;
    const table = randomFeatures(n, dim, 11),
      query = randomFeatures(1, dim, 12);
    assert.throws(
      () => bench.topKDot(query, k),
      (e) => e.status === Status.NO_MODEL
    );
    bench.setItemVectors(table, dim);
    const { items, scores } = bench.topKDot(query, k);
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
      () => bench.topKDot(new Float32Array(dim + 1), k),
      (e) => e.status === Status.INVALID_ARGUMENT
    );
  } finally {
    bench.release();
  }
});
