// The merchant pipeline end to end on small samples: `vitrine train` writes a model, `vitrine eval --model`
// scores it with the engine's own code next to the baselines. The full Diginetica training is not run here
// (README: Train and evaluate); a small sample of it is, when the research data is present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { repoRoot } from '../support/paths.mjs';
import { writeSyntheticDataset } from '../support/synthetic_sessions.mjs';
import { vitrineCli } from '../support/test_model.mjs';

function trainAndEvaluate(dir, trainFile, testFile, extraTrainArgs = []) {
  const model = path.join(dir, 'model.vtm');
  execFileSync(
    vitrineCli,
    ['train', '--train', trainFile, '--out', model, '--epochs', '3', '--dim', '24', '--quiet', ...extraTrainArgs],
    { stdio: 'inherit' }
  );
  const out = execFileSync(
    vitrineCli,
    ['eval', '--train', trainFile, '--test', testFile, '--model', model, '--json', '--baselines', 'pop,markov'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }
  );
  return { model, summary: JSON.parse(out) };
}

function methods(summary) {
  assert.ok(summary.methods?.model, `no model in ${JSON.stringify(summary).slice(0, 200)}`);
  return summary.methods;
}

test('train then evaluate on synthetic sessions: the model beats POP and reports its size', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-pipeline-'));
  try {
    const data = writeSyntheticDataset(dir, { sessions: 1500, seed: 11 });
    const { model, summary } = trainAndEvaluate(dir, data.train, data.test, ['--catalog', data.catalog]);
    const m = methods(summary);
    assert.ok(m.model['hr@20'] > 2 * m.pop['hr@20'], `model HR@20 ${m.model['hr@20']} vs POP ${m.pop['hr@20']}`);
    assert.ok(m.model['mrr@20'] > m.pop['mrr@20']);
    assert.equal(m.model.model_bytes, statSync(model).size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train then evaluate on a sample of the Diginetica sessions', (t) => {
  const source = path.resolve(repoRoot, '../shared/data/diginetica/train_sessions.txt');
  if (!existsSync(source)) {
    t.skip(`research data missing: ${source} (see README, Data)`);
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-pipeline-digi-'));
  try {
    // The first 6,000 sessions train; the next 1,000 give test examples over items seen in training.
    const sessions = readFileSync(source, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const train = sessions.slice(0, 6000);
    const maxId = Math.max(...train.flatMap((l) => l.split(' ').map(Number)));
    const examples = [];
    for (const line of sessions.slice(6000, 7000)) {
      const s = line
        .split(' ')
        .map(Number)
        .filter((id) => id <= maxId);
      for (let k = s.length - 1; k >= 1; --k) examples.push(`${s[k]}\t${s.slice(0, k).join(' ')}`);
    }
    const trainFile = path.join(dir, 'train.txt'),
      testFile = path.join(dir, 'test.tsv');
    writeFileSync(trainFile, train.join('\n') + '\n');
    writeFileSync(testFile, examples.join('\n') + '\n');
    const { summary } = trainAndEvaluate(dir, trainFile, testFile);
    const m = methods(summary);
    assert.ok(m.model['hr@20'] > m.pop['hr@20'], `model HR@20 ${m.model['hr@20']} vs POP ${m.pop['hr@20']}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
