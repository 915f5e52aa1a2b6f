// Parity: the wasm engine under Node returns the same top-20 as the native evaluator (`vitrine topk`, the same
// Ranker compiled natively) for a fixed sample of test examples. Scores may differ in the last bits because the
// kernels sum in another order, so two items may swap places only where their scores are that close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { createNodeEngine } from '../support/node_engine.mjs';
import { repoRoot } from '../support/paths.mjs';
import { tinyModel, vitrineCli } from '../support/test_model.mjs';

const SCORE_TOLERANCE = 1e-4;

function nativeTopK(model, examples, limit) {
  const out = execFileSync(
    vitrineCli,
    ['topk', '--model', model, '--test', examples, '--k', '20', '--limit', String(limit)],
    { encoding: 'utf8', maxBuffer: 64 << 20 }
  );
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

function readExamples(file, limit) {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(0, limit)
    .map((line) => {
      const [label, prefix] = line.split('\t');
      return { label: Number(label), prefix: prefix.trim().split(/\s+/).map(Number) };
    });
}

async function checkParity(modelPath, examplesPath, limit) {
  const native = nativeTopK(modelPath, examplesPath, limit);
  const examples = readExamples(examplesPath, limit);
  assert.equal(native.length, examples.length);
  const engine = await createNodeEngine();
  try {
    engine.loadModel(readFileSync(modelPath));
    const vocabulary = engine.vocabulary();
    let compared = 0;
    for (let e = 0; e < examples.length; ++e) {
      // Dataset ids are model items (vitrine train numbers them so); the engine takes product ids.
      const events = examples[e].prefix.map((id, i) => ({ kind: 0, item: vocabulary[id - 1], t: i }));
      const wasm = engine.topK({ events, nowMs: examples[e].prefix.length, k: 20 });
      const want = native[e];
      assert.equal(wasm.ids.length, want.items.length, `example ${e}: list lengths differ`);
      for (let i = 0; i < want.items.length; ++i) {
        assert.ok(
          Math.abs(wasm.scores[i] - want.scores[i]) <= SCORE_TOLERANCE,
          `example ${e} rank ${i + 1}: wasm score ${wasm.scores[i]} vs native ${want.scores[i]}`
        );
        if (wasm.ids[i] !== want.items[i]) {
          // Only a near-tie may swap: the native score of the wasm item must match this rank's score.
          const j = want.items.indexOf(wasm.ids[i]);
          const nativeScoreOfWasmItem = j >= 0 ? want.scores[j] : -Infinity;
          assert.ok(
            Math.abs(nativeScoreOfWasmItem - want.scores[i]) <= SCORE_TOLERANCE,
            `example ${e} rank ${i + 1}: wasm has ${wasm.ids[i]}, native has ${want.items[i]}`
          );
        }
      }
      compared += 1;
    }
    return compared;
  } finally {
    engine.release();
  }
}

test('wasm and native return the same top-20 on the synthetic test set', async () => {
  const { model, test: examples } = tinyModel();
  const compared = await checkParity(model, examples, 300);
  assert.equal(compared, 300);
});

test('wasm and native return the same top-20 with the shipped Diginetica model', async (t) => {
  const model = path.join(repoRoot, 'models/diginetica/model.vtm');
  const examples = path.resolve(repoRoot, '../shared/data/diginetica/test_examples.tsv');
  if (!existsSync(examples)) {
    t.skip(`research data missing: ${examples} (see README, Data); this check needs the real test split`);
    return;
  }
  assert.ok(existsSync(model), `${model} is missing: the trained model should be committed (see README)`);
  const compared = await checkParity(model, examples, 200);
  assert.equal(compared, 200);
});
