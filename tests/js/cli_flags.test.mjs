// The CLI's flags (CLI11, models/cli/flags.h): both spellings of a value, decimal numbers, unknown and missing
// flags, repeatable flags and each command's help. Needs the native build (models/vitrine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { runVitrine as vitrine } from '../support/test_model.mjs';
import { writeSyntheticDataset } from '../support/synthetic_sessions.mjs';

const commands = ['train', 'eval', 'topk', 'inputs', 'image-features', 'uplift', 'make-reference-mlp'];

function withDir(fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-cli-flags-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--epochs=3 and --epochs 3 train the same run; numbers are decimal, 03 and 010 included', () =>
  withDir((dir) => {
    const data = writeSyntheticDataset(dir, { sessions: 200, seed: 11 });
    const train = (name, ...flags) => {
      const r = vitrine(
        'train',
        '--train',
        data.train,
        '--out',
        path.join(dir, `${name}.vtm`),
        '--dim',
        '8',
        '--threads',
        '1',
        '--patience',
        '0',
        '--quiet',
        '--json',
        ...flags
      );
      assert.equal(r.status, 0, `${flags.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout).epochs.map((e) => [e.epoch, e.loss]);
    };
    const spaced = train('spaced', '--epochs', '3', '--seed', '10');
    assert.equal(spaced.length, 3);
    assert.deepEqual(train('joined', '--epochs=3', '--seed=10'), spaced);
    // CLI11 alone would read 010 as octal 8: another seed, other losses.
    assert.deepEqual(train('padded', '--epochs=03', '--seed', '010'), spaced);
  }));

test('a bad value exits 2 naming the flag, the same in both spellings', () =>
  withDir((dir) => {
    const sessions = path.join(dir, 's.txt');
    writeFileSync(sessions, '1 2 3\n2 3 4\n');
    for (const value of ['0', '1001', '-1', '2.5', 'three']) {
      const base = ['train', '--train', sessions, '--out', path.join(dir, 'm.vtm')];
      const spaced = vitrine(...base, '--epochs', value);
      const joined = vitrine(...base, `--epochs=${value}`);
      assert.equal(spaced.status, 2, `--epochs ${value}: ${spaced.stderr}`);
      assert.match(spaced.stderr, /^vitrine train: --epochs: .*\n\(see vitrine train --help\)\n$/);
      assert.equal(joined.status, 2);
      assert.equal(joined.stderr, spaced.stderr);
    }
    const missing = vitrine('train', '--train', sessions, '--out', path.join(dir, 'm.vtm'), '--epochs');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--epochs needs a value/);
  }));

test('an unknown flag exits 2 naming it, before any other complaint', () => {
  for (const command of commands) {
    for (const spelling of [['--no-such-flag', '1'], ['--no-such-flag=1']]) {
      const r = vitrine(command, ...spelling);
      assert.equal(r.status, 2, `${command} ${spelling.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^vitrine ${command}: unknown option --no-such-flag\\n`), command);
      assert.match(r.stderr, new RegExp(`\\(see vitrine ${command} --help\\)`), command);
    }
  }
  const stray = vitrine('topk', '--model', 'm.vtm', '--test', 't.tsv', 'extra');
  assert.equal(stray.status, 2);
  assert.match(stray.stderr, /unexpected argument 'extra'/);
});

test('a missing required flag exits 2 naming it', () => {
  for (const [args, flag] of [
    [['topk', '--model', 'm.vtm'], '--test'],
    [['topk', '--test=t.tsv'], '--model'],
    [['inputs', '--events', 'l.csv'], '--model'],
    [['image-features', '--catalog', 'c.json'], '--out'],
    [['make-reference-mlp', '--seed', '1'], '--out'],
    [['uplift', '--json'], '--reports'],
    [['train', '--train', 's.txt'], '--out'],
  ]) {
    const r = vitrine(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`${flag} is required`), `${args.join(' ')}: ${r.stderr}`);
  }
});

test('--event-name given twice adds both names', () =>
  withDir((dir) => {
    const log = path.join(dir, 'events.csv');
    const rows = Array.from(
      { length: 60 },
      (_, i) => `${1_700_000_000_000 + i * 1000},v${i % 6},sku-${i % 9},${['seen', 'basket', 'view'][i % 3]}`
    );
    writeFileSync(log, `timestamp,visitor_id,item_id,event\n${rows.join('\n')}\n`);
    const check = (...names) => vitrine('train', '--events', log, '--check', ...names);
    const both = check('--event-name', 'seen=view', '--event-name=basket=add_to_cart');
    assert.equal(both.status, 0, both.stderr);
    assert.match(both.stderr, /view 40, add_to_cart 20/);
    // Either alone leaves the other name unknown: the log is refused at its first such row.
    for (const one of [
      ['--event-name', 'seen=view'],
      ['--event-name', 'basket=add_to_cart'],
    ]) {
      const r = check(...one);
      assert.equal(r.status, 1, `${one.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /events\.csv:\d+: /);
    }
  }));

test('every command prints its help with -h and --help, each flag on a line of its own', () => {
  for (const command of commands) {
    for (const flag of ['-h', '--help']) {
      const r = vitrine(command, flag);
      assert.equal(r.status, 0, `${command} ${flag}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: vitrine ${command} `), command);
      assert.match(r.stdout, /^ {2}-h, --help +show this help$/m, command);
      assert.match(r.stdout, /^Exit codes: 0 success, 1 .*, 2 usage error\.$/m, command);
    }
  }
  // What the old usage text said about a flag is on its line: label, range, default.
  const train = vitrine('train', '--help').stdout.split('\n');
  for (const line of [
    /^ {2}--epochs N +most passes over the training examples, 1\.\.1000 \(default 6\)$/,
    /^ {2}--item-bits N +effective precision of an i8 item table, 2\.\.8 \(default 6\)/,
    /^ {2}--event-name N=KIND +read event name N as KIND/,
  ]) {
    assert.ok(
      train.some((l) => line.test(l)),
      `train --help: ${line}`
    );
  }
});
