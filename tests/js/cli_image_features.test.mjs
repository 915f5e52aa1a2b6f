// `vitrine image-features` and `vitrine train --image-features` end to end on a small demo catalog: the CNN's
// reported accuracy, the features file (one unit-length row per product), the model file's image tensors, and
// file:line errors for bad input. Needs the native build and Debian's dataset-fashion-mnist (tools/setup.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildCatalog } from '../../tools/build_demo_catalog.mjs';
import { simulate } from '../../tools/simulate_shoppers.mjs';
import { vitrineCli } from '../support/test_model.mjs';

const DATASET = '/usr/share/datasets/fashion-mnist';
let tmp, catalog;

function vitrine(...args) {
  return spawnSync(vitrineCli, args, { encoding: 'utf8' });
}

/** The JSON header of a model file (format in docs/ARCHITECTURE.md). */
function modelHeader(file) {
  const bytes = readFileSync(file);
  const length = bytes.readUInt32LE(12);
  return JSON.parse(bytes.subarray(32, 32 + length).toString('utf8'));
}

before(() => {
  for (const [file, hint] of [
    [vitrineCli, 'build the native tree'],
    [path.join(DATASET, 'train-images-idx3-ubyte.gz'), 'tools/setup.sh installs dataset-fashion-mnist'],
  ]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-image-features-'));
  catalog = buildCatalog({ out: tmp, products: 100, seed: 5, dataset: DATASET });
  simulate({ catalog: path.join(tmp, 'catalog.json'), out: tmp, shoppers: 80, heldout: 0, seed: 3 });
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('image-features trains the CNN, reports accuracy beside the baselines and embeds every product', () => {
  const out = path.join(tmp, 'image-features.tsv'),
    summaryPath = path.join(tmp, 'image-features.json');
  // A slice of the training images keeps this fast; the full run is tools/demo.sh's.
  const run = vitrine(
    'image-features',
    '--catalog',
    path.join(tmp, 'catalog.json'),
    '--out',
    out,
    '--summary',
    summaryPath,
    '--train-limit',
    '3000',
    '--epochs',
    '1',
    '--embed-dim',
    '16',
    '--threads',
    '2',
    '--quiet'
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /CNN train accuracy [\d.]+%, test accuracy [\d.]+% \(10000 test images\)/);
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  assert.equal(summary.train_images, 3000);
  assert.equal(summary.test_images, 10000);
  assert.equal(summary.chance_accuracy, 0.1);
  assert.ok(
    summary.cnn_test_accuracy > 0.6,
    `CNN test accuracy ${summary.cnn_test_accuracy}: far above chance expected`
  );
  // After one short epoch the CNN is not yet above the centroid baseline; the full run's figures are in baselines.json.
  assert.ok(summary.nearest_centroid_test_accuracy > 0.4, `nearest centroid ${summary.nearest_centroid_test_accuracy}`);
  assert.match(summary.command, /^vitrine image-features --catalog .* --train-limit 3000 --epochs 1 --embed-dim 16$/);

  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'id\tproduct_id\tfeatures');
  assert.equal(lines.length, 1 + catalog.products.length);
  lines.slice(1).forEach((line, k) => {
    const [id, productId, values] = line.split('\t');
    assert.equal(Number(id), catalog.products[k].n);
    assert.equal(productId, catalog.products[k].id);
    const v = values.split(' ').map(Number);
    assert.equal(v.length, 16);
    const norm = Math.hypot(...v);
    assert.ok(Math.abs(norm - 1) < 1e-3 || norm === 0, `row ${k + 2} has length ${norm}`);
  });
  // Same seed, same thread count: the same bytes.
  const again = path.join(tmp, 'again.tsv');
  assert.equal(
    vitrine(
      'image-features',
      '--catalog',
      path.join(tmp, 'catalog.json'),
      '--out',
      again,
      '--train-limit',
      '3000',
      '--epochs',
      '1',
      '--embed-dim',
      '16',
      '--threads',
      '2',
      '--quiet'
    ).status,
    0
  );
  assert.equal(readFileSync(again, 'utf8'), readFileSync(out, 'utf8'));

  // The trainer stores the features and a projection in the model file.
  const model = path.join(tmp, 'shop.vtm');
  const train = vitrine(
    'train',
    '--train',
    path.join(tmp, 'sessions.txt'),
    '--catalog',
    path.join(tmp, 'train-catalog.tsv'),
    '--image-features',
    out,
    '--unseen-content-only',
    '--out',
    model,
    '--dim',
    '8',
    '--epochs',
    '1',
    '--threads',
    '2',
    '--quiet'
  );
  assert.equal(train.status, 0, train.stderr);
  const header = modelHeader(model);
  assert.equal(header.config.image_dim, 16);
  const names = Object.fromEntries(header.tensors.map((t) => [t.name, t]));
  assert.deepEqual(names.image_proj.shape, [16, 8]);
  assert.deepEqual(names.item_image.shape, [header.vocab_size + 1, 16]);
  assert.equal(header.training.content_only_unseen, true);
});

test('bad catalogs and feature files are refused with the file and place named', () => {
  const badCatalog = path.join(tmp, 'bad-catalog.json');
  writeFileSync(
    badCatalog,
    JSON.stringify({
      products: [
        { n: 1, id: 'a', image: 3 },
        { n: 2, id: 'b', image: 10000 },
      ],
    })
  );
  const refused = vitrine(
    'image-features',
    '--catalog',
    badCatalog,
    '--out',
    path.join(tmp, 'x.tsv'),
    '--train-limit',
    '10'
  );
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /bad-catalog\.json: products\[1\] \(b\): 'image' must be an index in 0\.\.9999/);
  assert.equal(existsSync(path.join(tmp, 'x.tsv')), false);
  assert.equal(vitrine('image-features', '--catalog', badCatalog).status, 2);
  assert.equal(vitrine('image-features', '--catalog', badCatalog, '--out', 'x', '--epochs', '0').status, 2);

  const sessions = path.join(tmp, 'tiny-sessions.txt');
  writeFileSync(sessions, '1 2 3\n2 3\n');
  const features = path.join(tmp, 'bad-features.tsv');
  for (const [body, message] of [
    ['id\tproduct_id\tfeatures\n1\ta\t0.5 0.5\n2\tb\t0.5\n', /bad-features\.tsv:3: 1 values, earlier rows have 2/],
    ['id\tproduct_id\tfeatures\n1\ta\t0.5 nan\n', /bad-features\.tsv:2: 'nan' is not a finite number/],
    ['id\tproduct_id\tfeatures\n1\ta\t1 0\n1\ta\t0 1\n', /bad-features\.tsv:3: item id 1 appears twice/],
    ['1\ta\t1 0\n', /bad-features\.tsv:1: expected the header/],
  ]) {
    writeFileSync(features, body);
    const run = vitrine(
      'train',
      '--train',
      sessions,
      '--image-features',
      features,
      '--out',
      path.join(tmp, 'never.vtm'),
      '--quiet'
    );
    assert.equal(run.status, 1, body);
    assert.match(run.stderr, message);
    assert.equal(existsSync(path.join(tmp, 'never.vtm')), false);
  }
});
