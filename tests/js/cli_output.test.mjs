// The CLI writes its output files whole or not at all (models/cli/output_file.h): through a temporary file beside
// the target, renamed over it once complete. A failed write says why and leaves what was there before.
// Needs the native build (models/vitrine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { vitrineCli } from '../support/test_model.mjs';
import { writeSyntheticDataset } from '../support/synthetic_sessions.mjs';

function vitrine(...args) {
  assert.ok(existsSync(vitrineCli), `${vitrineCli} is missing: build the native tree first`);
  return spawnSync(vitrineCli, args, { encoding: 'utf8' });
}

function withDir(fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-cli-output-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a model is written whole (no temporary file is left beside it), and train --json summarizes the run', () =>
  withDir((dir) => {
    const data = writeSyntheticDataset(dir, { sessions: 300, seed: 5 });
    const out = path.join(dir, 'models', 'm.vtm');
    mkdirSync(path.dirname(out));
    writeFileSync(out, 'the previous model');
    const r = vitrine(
      'train',
      '--train',
      data.train,
      '--out',
      out,
      '--epochs',
      '2',
      '--patience',
      '0',
      '--dim',
      '8',
      '--threads',
      '1',
      '--quiet',
      '--json'
    );
    assert.equal(r.status, 0, r.stderr);
    // --json: one summary object on stdout, whatever --quiet keeps off stderr.
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.model, out);
    assert.equal(summary.bytes, readFileSync(out).length);
    assert.deepEqual(
      summary.epochs.map((e) => e.epoch),
      [1, 2]
    );
    assert.ok(summary.epochs.every((e) => Number.isFinite(e.loss) && e.valid_mrr20 >= 0 && e.valid_mrr20 <= 1));
    assert.ok(summary.best_epoch === 1 || summary.best_epoch === 2);
    assert.deepEqual(readdirSync(path.dirname(out)), ['m.vtm']);
    assert.notEqual(readFileSync(out, 'utf8').slice(0, 18), 'the previous model', 'replaced');
  }));

test('a write that fails says why and leaves what was there', () =>
  withDir((dir) => {
    // The target is a directory: the finished file cannot replace it.
    const target = path.join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep.txt'), 'kept');
    const r = vitrine('make-reference-mlp', '--out', target);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot write .*taken/);
    assert.deepEqual(readdirSync(dir), ['taken'], 'no temporary file left');
    assert.equal(readFileSync(path.join(target, 'keep.txt'), 'utf8'), 'kept');
    const missing = vitrine('make-reference-mlp', '--out', path.join(dir, 'no-such-dir', 'm.vtm'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot write/);
    assert.equal(vitrine('make-reference-mlp', '--out', path.join(dir, 'ok.vtm')).status, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['ok.vtm', 'taken']);
  }));

test('every command reads --flag=value as --flag value; a value may hold "="', () =>
  withDir((dir) => {
    const data = writeSyntheticDataset(dir, { sessions: 200, seed: 7 });
    const train = (...flags) =>
      vitrine(
        'train',
        '--train',
        data.train,
        '--patience',
        '0',
        '--dim',
        '8',
        '--threads',
        '1',
        '--quiet',
        '--json',
        ...flags
      );
    const spaced = train('--out', path.join(dir, 'a.vtm'), '--epochs', '2', '--seed', '3');
    const joined = train('--out=' + path.join(dir, 'b.vtm'), '--epochs=2', '--seed=3');
    assert.equal(spaced.status, 0, spaced.stderr);
    assert.equal(joined.status, 0, joined.stderr);
    // The same run (a seed and one thread make it reproducible): the same losses epoch by epoch.
    const losses = (r) => JSON.parse(r.stdout).epochs.map((e) => [e.epoch, e.loss]);
    assert.equal(losses(joined).length, 2);
    assert.deepEqual(losses(joined), losses(spaced));
    // A bad value is refused the same way in both forms.
    const bad = [
      train('--out', path.join(dir, 'c.vtm'), '--epochs', 'zero'),
      train('--out', path.join(dir, 'c.vtm'), '--epochs=zero'),
    ];
    assert.notEqual(bad[0].status, 0);
    assert.equal(bad[1].status, bad[0].status);
    assert.equal(bad[1].stderr, bad[0].stderr);
    // --event-name=NAME=KIND: split at the first '=' only.
    const log = path.join(dir, 'events.csv');
    writeFileSync(
      log,
      'timestamp,visitor_id,item_id,event\n' +
        Array.from(
          { length: 400 },
          (_, i) => `${1_700_000_000_000 + i * 1000},v${i % 40},sku-${(i * 7) % 23},${i % 5 === 0 ? 'pv' : 'view'}`
        ).join('\n') +
        '\n'
    );
    const named = vitrine(
      'train',
      '--events',
      log,
      '--event-name=pv=view',
      '--out',
      path.join(dir, 'e.vtm'),
      '--epochs=1',
      '--patience=0',
      '--dim=8',
      '--threads=1',
      '--quiet'
    );
    assert.equal(named.status, 0, named.stderr);
  }));
