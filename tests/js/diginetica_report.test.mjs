// The committed Diginetica report (models/diginetica/summary.json) is what `vitrine eval` gives for the committed
// model on the research data's published test split: every method's HR, MRR and NDCG at 5, 10 and 20. Needs the data
// beside the project (../shared/data/diginetica, README "Data"); without it the test says so and does not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../support/paths.mjs';
import { runVitrine } from '../support/test_model.mjs';

const data = path.resolve(process.env.VITRINE_DATA ?? path.join(repoRoot, '../shared/data'), 'diginetica');
const METRICS = ['hr@5', 'hr@10', 'hr@20', 'mrr@5', 'mrr@10', 'mrr@20', 'ndcg@5', 'ndcg@10', 'ndcg@20'];

test('models/diginetica/summary.json is what vitrine eval gives for the committed model', (t) => {
  const train = path.join(data, 'train_sessions.txt');
  const examples = path.join(data, 'test_examples.tsv');
  if (!existsSync(train) || !existsSync(examples)) {
    t.skip(`DIGINETICA DATA MISSING: ${train} and ${examples} not found; the committed report was not checked`);
    return;
  }
  const dir = path.join(repoRoot, 'models/diginetica');
  const committed = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  const run = runVitrine(
    'eval',
    ...['--train', train, '--test', examples, '--model', path.join(dir, 'model.vtm'), '--json']
  );
  assert.equal(run.status, 0, run.stderr);
  const now = JSON.parse(run.stdout);
  assert.equal(now.examples, committed.examples);
  assert.equal(now.catalog_size, committed.catalog_size);
  assert.deepEqual(Object.keys(now.methods).sort(), Object.keys(committed.methods).sort());
  // Equal to the digit where the machine's kernels agree: a score a last bit apart on another CPU can tie or untie
  // an example, moving a metric by about 1 / examples. Three examples' worth is allowed, nothing more.
  const slack = 3 / committed.examples;
  for (const [method, values] of Object.entries(committed.methods))
    for (const metric of METRICS) {
      const got = now.methods[method][metric];
      assert.ok(
        Math.abs(got - values[metric]) <= slack,
        `${method} ${metric}: vitrine eval gives ${got}, summary.json says ${values[metric]}`
      );
    }
});
