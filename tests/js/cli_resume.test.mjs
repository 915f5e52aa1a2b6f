// `vitrine train --resume`: a run stopped after an epoch and resumed from its checkpoint writes the model an
// uninterrupted run writes (same seed and threads), and a checkpoint that belongs to other data, or that is damaged
// or missing, is refused with a clear error instead of being trained on (models/train/checkpoint.h).
// Needs the native build: VITRINE_NATIVE_BUILD (default build/native) must hold models/vitrine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { mulberry32 } from '../../tools/random.mjs';
import { runVitrine, vitrineCli } from '../support/test_model.mjs';

const seed = Number(process.env.VITRINE_TEST_SEED ?? Date.now() % 1_000_000);
console.log(`# cli_resume seed ${seed} (VITRINE_TEST_SEED to repeat), binary ${vitrineCli}`);

const vitrine = runVitrine;

// Sessions that walk a ring of 40 items, so that there is something to learn in a few epochs.
function writeSessions(file, random, count) {
  const lines = [];
  for (let s = 0; s < count; ++s) {
    let item = 1 + Math.floor(random() * 40);
    const length = 3 + Math.floor(random() * 5);
    const line = [];
    for (let k = 0; k < length; ++k) {
      line.push(item);
      item = 1 + ((item + (random() < 0.8 ? 0 : 1 + Math.floor(random() * 5))) % 40);
    }
    lines.push(line.join(' '));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

// Every tensor of a model file by name, as bytes (the header's training metadata holds timings, which differ).
function modelTensors(file) {
  const bytes = readFileSync(file);
  const header = JSON.parse(bytes.subarray(32, 32 + bytes.readUInt32LE(12)).toString('utf8'));
  return Object.fromEntries(
    header.tensors.map((t) => [t.name, bytes.subarray(t.offset, t.offset + t.bytes).toString('hex')])
  );
}

const trainArgs = (sessions, out, epochs) => [
  'train',
  '--train',
  sessions,
  '--out',
  out,
  '--epochs',
  String(epochs),
  '--patience',
  '0',
  '--dim',
  '8',
  '--batch',
  '32',
  '--threads',
  '1',
  '--seed',
  String(seed % 1000),
  '--quiet',
  '--json',
];

test('a run resumed from its checkpoint after epoch 2 writes the model a 3-epoch run writes', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-resume-'));
  try {
    const sessions = path.join(dir, 'sessions.txt');
    writeSessions(sessions, mulberry32(seed), 300);
    const whole = path.join(dir, 'whole.vtm');
    const once = vitrine(...trainArgs(sessions, whole, 3));
    assert.equal(once.status, 0, once.stderr);
    assert.equal(existsSync(`${whole}.checkpoint`), false, 'a finished run removes its checkpoint');

    const resumed = path.join(dir, 'resumed.vtm');
    const first = vitrine(...trainArgs(sessions, resumed, 2), '--keep-checkpoint');
    assert.equal(first.status, 0, first.stderr);
    assert.ok(existsSync(`${resumed}.checkpoint`), 'kept after the run');
    const second = vitrine(...trainArgs(sessions, resumed, 3).filter((a) => a !== '--quiet'), '--resume');
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /resuming after epoch 2 /);
    assert.equal(existsSync(`${resumed}.checkpoint`), false);

    const whole_ = JSON.parse(once.stdout);
    const resumed_ = JSON.parse(second.stdout);
    assert.deepEqual(
      resumed_.epochs.map((e) => [e.epoch, e.loss, e.valid_mrr20]),
      whole_.epochs.map((e) => [e.epoch, e.loss, e.valid_mrr20]),
      'the same epochs, losses and validation'
    );
    assert.equal(resumed_.best_epoch, whole_.best_epoch);
    const a = modelTensors(whole);
    const b = modelTensors(resumed);
    assert.deepEqual(Object.keys(b), Object.keys(a));
    for (const name of Object.keys(a)) assert.ok(a[name] === b[name], `tensor ${name} differs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--resume refuses a checkpoint of other data, a damaged one and a missing one, and writes no model', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-resume-'));
  try {
    const sessions = path.join(dir, 'sessions.txt');
    const other = path.join(dir, 'other.txt');
    writeSessions(sessions, mulberry32(seed), 200);
    writeSessions(other, mulberry32(seed + 1), 200);
    const model = path.join(dir, 'model.vtm');
    const first = vitrine(...trainArgs(sessions, model, 1), '--keep-checkpoint');
    assert.equal(first.status, 0, first.stderr);
    rmSync(model);
    const checkpoint = `${model}.checkpoint`;
    const good = readFileSync(checkpoint);

    const otherData = vitrine(...trainArgs(other, model, 2), '--resume');
    assert.equal(otherData.status, 1);
    assert.match(otherData.stderr, /written for other training data or options/);
    const otherSeed = vitrine(
      ...trainArgs(sessions, model, 2).map((a) => (a === String(seed % 1000) ? '1001' : a)),
      '--resume'
    );
    assert.equal(otherSeed.status, 1, 'a different seed is other options');

    const damaged = Buffer.from(good);
    damaged[damaged.length >> 1] ^= 0x40;
    writeFileSync(checkpoint, damaged);
    const flipped = vitrine(...trainArgs(sessions, model, 2), '--resume');
    assert.equal(flipped.status, 1);
    assert.match(flipped.stderr, /truncated or altered/);
    writeFileSync(checkpoint, good.subarray(0, good.length - 100));
    assert.match(vitrine(...trainArgs(sessions, model, 2), '--resume').stderr, /truncated or altered/);

    rmSync(checkpoint);
    const missing = vitrine(...trainArgs(sessions, model, 2), '--resume');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no checkpoint to resume/);
    assert.equal(existsSync(model), false, 'no model from a refused resume');

    // The good checkpoint still resumes.
    writeFileSync(checkpoint, good);
    const fine = vitrine(...trainArgs(sessions, model, 2), '--resume');
    assert.equal(fine.status, 0, fine.stderr);
    assert.deepEqual(
      JSON.parse(fine.stdout).epochs.map((e) => e.epoch),
      [1, 2]
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
