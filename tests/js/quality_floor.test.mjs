// The quality floor of `vitrine train` with its defaults: on generated data the trained model must score at least
// as well as every baseline `vitrine eval` ships (POP, S-POP, Markov-1, Item-KNN), on HR@20 and on MRR@20.
// One dataset where counting is close to the best possible ranking (repeat-heavy, a catalog too large for the log),
// one where sequence structure matters (walks through categories). The data seeds are fixed: each dataset is one
// claim, and a seed that fails is a finding, not noise to retry. Needs the native build (build/native).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { repoRoot } from '../support/paths.mjs';
import { repeatHeavySessions, syntheticSessions, writeSyntheticDataset } from '../support/synthetic_sessions.mjs';

const buildDir = path.resolve(process.env.VITRINE_NATIVE_BUILD ?? path.join(repoRoot, 'build/native'));
const binary = path.join(buildDir, 'models/vitrine');

function vitrine(...args) {
  assert.ok(existsSync(binary), `${binary} is missing: build the native tree first`);
  const run = spawnSync(binary, args, { encoding: 'utf8' });
  assert.equal(run.status, 0, `vitrine ${args.join(' ')} failed:\n${run.stderr}`);
  return run;
}

function trainAndEvaluate(options) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-floor-'));
  try {
    const paths = writeSyntheticDataset(dir, options);
    const model = path.join(dir, 'model.vtm');
    vitrine('train', '--train', paths.train, '--out', model, '--quiet', '--threads', '2');
    const run = vitrine(
      'eval',
      '--train',
      paths.train,
      '--test',
      paths.test,
      '--model',
      model,
      '--json',
      '--threads',
      '2'
    );
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertAtLeastEveryBaseline(summary) {
  const methods = Object.values(summary.methods);
  const model = methods.find((m) => m.name.startsWith('model'));
  assert.ok(model, 'the model was evaluated');
  const baselines = methods.filter((m) => m !== model);
  assert.deepEqual(baselines.map((m) => m.name).sort(), ['Item-KNN', 'Markov-1', 'POP', 'S-POP']);
  for (const b of baselines) {
    for (const metric of ['hr@20', 'mrr@20']) {
      assert.ok(
        model[metric] >= b[metric],
        `${metric}: model ${(100 * model[metric]).toFixed(2)}% < ${b.name} ${(100 * b[metric]).toFixed(2)}% ` +
          `(repeat share ${(100 * summary.repeat_share).toFixed(1)}%)`
      );
    }
  }
  return { model, spop: baselines.find((b) => b.name === 'S-POP') };
}

test('repeat-heavy shop log: the default model is never below S-POP or any other baseline', () => {
  const summary = trainAndEvaluate({ generator: repeatHeavySessions, sessions: 1500, items: 1500, seed: 1 });
  // The dataset is what it claims: about half of all next items repeat one of the session.
  assert.ok(summary.repeat_share > 0.4, `repeat share ${summary.repeat_share}`);
  const { model, spop } = assertAtLeastEveryBaseline(summary);
  console.log(
    `# repeat-heavy: repeat share ${(100 * summary.repeat_share).toFixed(1)}%, model HR@20 ` +
      `${(100 * model['hr@20']).toFixed(2)} MRR@20 ${(100 * model['mrr@20']).toFixed(2)}, S-POP ` +
      `${(100 * spop['hr@20']).toFixed(2)} / ${(100 * spop['mrr@20']).toFixed(2)}`
  );
});

test('category walks: the default model is never below any baseline', () => {
  const summary = trainAndEvaluate({ generator: syntheticSessions, sessions: 2000, items: 200, seed: 7 });
  const { model } = assertAtLeastEveryBaseline(summary);
  console.log(
    `# category walks: repeat share ${(100 * summary.repeat_share).toFixed(1)}%, model HR@20 ` +
      `${(100 * model['hr@20']).toFixed(2)} MRR@20 ${(100 * model['mrr@20']).toFixed(2)}`
  );
});
