// The evaluation lab's pieces that need no browser: the examples reader (same rules as the native one), the
// sample rule, the rank histogram and percentiles, and the build step's answer to malformed data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { everyKth, ExampleFormatError, formatExample, parseExamples } from '../../demo-site/lab/examples.mjs';
import { LatencyLog, RankHistogram, latencySummary, percentile } from '../../demo-site/lab/metrics.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';

test('examples are read like the native reader: CRLF, optional final newline, extra spaces', () => {
  const examples = parseExamples('3\t1 2\r\n7\t 4  5 6 \n9\t8', 'x.tsv');
  assert.deepEqual(examples, [
    { label: 3, prefix: [1, 2] },
    { label: 7, prefix: [4, 5, 6] },
    { label: 9, prefix: [8] },
  ]);
  assert.equal(examples.map(formatExample).join('\n'), '3\t1 2\n7\t4 5 6\n9\t8');
});

test('a malformed example is refused with file:line and what is wrong', () => {
  const cases = [
    ['2\t1\n3 1 2\n', 2, /no tab/],
    ['2\t1\t4\n', 1, /more than one tab/],
    ['\t1 2\n', 1, /empty label/],
    ['2\t\n', 1, /empty prefix/],
    ['2\t1\n\n3\t1\n', 2, /no tab/],
    ['x\t1\n', 1, /'x' is not an item id/],
    ['2\t1 -3\n', 1, /'-3' is not an item id/],
    ['2\t0\n', 1, /reserved for padding/],
    ['2\t1 2.5\n', 1, /'2.5' is not an item id/],
    ['2\t1\n3\t99\n', 2, /item 99 is outside the catalog of 10 items/],
  ];
  for (const [text, line, problem] of cases) {
    assert.throws(
      () => parseExamples(text, 'test.tsv', 10),
      (error) => {
        assert.ok(error instanceof ExampleFormatError);
        assert.match(error.message, new RegExp(`^test\\.tsv:${line}: `), error.message);
        assert.match(error.message, problem);
        return true;
      },
      JSON.stringify(text)
    );
  }
  assert.throws(() => parseExamples('', 'empty.tsv'), /empty\.tsv: no examples/);
});

test('the sample is every k-th example from the first', () => {
  const all = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(everyKth(all, 3), [0, 3, 6, 9]);
  assert.deepEqual(everyKth(all, 1), all);
  assert.throws(() => everyKth(all, 0), RangeError);
});

test('the rank histogram gives HR and MRR at any cutoff; ranks past the cutoff and misses count as misses', () => {
  const h = new RankHistogram(20);
  for (const rank of [1, 2, 0, 20, 5, 21]) h.add(rank);
  const at20 = h.at(20);
  assert.equal(at20.examples, 6);
  assert.equal(at20.hits, 4);
  assert.equal(at20.hitRate, 4 / 6);
  assert.ok(Math.abs(at20.mrr - (1 + 1 / 2 + 1 / 5 + 1 / 20) / 6) < 1e-15);
  const at2 = h.at(2);
  assert.equal(at2.hits, 2);
  assert.ok(Math.abs(at2.mrr - 1.5 / 6) < 1e-15);
  assert.throws(() => h.at(21), RangeError);
  assert.throws(() => h.add(-1), RangeError);
  assert.throws(() => h.add(1.5), RangeError);
  assert.deepEqual(new RankHistogram().at(20), { k: 20, hits: 0, examples: 0, hitRate: 0, mrr: 0 });
});

test('latency percentiles are nearest-rank over every call', () => {
  const log = new LatencyLog();
  const times = Array.from({ length: 3000 }, (_, i) => (i % 100) + 1); // 1..100, 30 times each, unordered
  log.addAll(Float64Array.from(times.slice(0, 1000)));
  log.addAll(Float64Array.from(times.slice(1000)));
  const sorted = log.sorted();
  assert.equal(sorted.length, 3000);
  assert.deepEqual(latencySummary(sorted), { calls: 3000, p50: 50, p95: 95, p99: 99, min: 1, max: 100 });
  assert.equal(percentile(Float64Array.from([7]), 99), 7);
  assert.ok(Number.isNaN(percentile(new Float64Array(0), 50)));
});

test('tools/build_lab_data.mjs refuses malformed test data with file:line, exit 1, and leaves the reason for the page', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-lab-data-'));
  try {
    const data = path.join(tmp, 'diginetica');
    const out = path.join(tmp, 'lab');
    mkdirSync(data);
    writeFileSync(path.join(data, 'train_sessions.txt'), '1 2 3\n2 3 4\n');
    writeFileSync(path.join(data, 'test_examples.tsv'), '3\t1 2\n4\t2 three\n');
    const run = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'tools/build_lab_data.mjs'), '--data', data, '--out', out, '--dist', distDir],
      { encoding: 'utf8' }
    );
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /test_examples\.tsv:2: 'three' is not an item id/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'lab.json'), 'utf8'));
    assert.equal(manifest.data.state, 'error');
    assert.match(manifest.data.message, /test_examples\.tsv:2: /);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
