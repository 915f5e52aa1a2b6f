// Private outcome reports: what a device builds (js/src/report.mjs) and what `vitrine uplift` reads from them.
// The page side (one POST a day, no cookie, no referrer) is tests/browser/outcome_report.browser.test.mjs.
// Needs the native build: VITRINE_NATIVE_BUILD (default build/native) must hold models/vitrine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { mulberry32 } from '../../tools/random.mjs';
import { simulate } from '../../tools/report_simulation.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';
import {
  REPORT_VERSION,
  REVENUE_BUCKET_UPPER,
  revenueBucket,
  dayOutcome,
  privatize,
  reportFor,
  utcDay,
} from '../../js/src/report.mjs';
import { repoRoot } from '../support/paths.mjs';

const buildDir = path.resolve(process.env.VITRINE_NATIVE_BUILD ?? path.join(repoRoot, 'build/native'));
const binary = path.join(buildDir, 'models/vitrine');
const seed = Number(process.env.VITRINE_TEST_SEED ?? Date.now() % 1_000_000);
console.log(`# outcome_reports seed ${seed} (VITRINE_TEST_SEED to repeat)`);

function vitrine(...args) {
  assert.ok(existsSync(binary), `${binary} is missing: build the native tree first (cmake --build ${buildDir})`);
  return spawnSync(binary, args, { encoding: 'utf8' });
}

const DAY = 86400000;
const NOW = Date.UTC(2026, 11, 6, 9);
const TODAY = utcDay(NOW);

test('the revenue buckets and the report version are the same in the package and in vitrine uplift', () => {
  const r = vitrine('uplift', '--buckets');
  assert.equal(r.status, 0, r.stderr);
  const native = JSON.parse(r.stdout);
  assert.deepEqual(
    native.upper.map((u) => (u < 0 ? Infinity : u)),
    [...REVENUE_BUCKET_UPPER]
  );
  assert.equal(native.value.length, REVENUE_BUCKET_UPPER.length);
  assert.equal(native.version, REPORT_VERSION);
});

test('revenueBucket: 0 for none, then the first bucket whose upper bound holds the amount', () => {
  const cases = [
    [0, 0],
    [-5, 0],
    [NaN, 0],
    [0.01, 1],
    [25, 1],
    [25.01, 2],
    [50, 2],
    [100, 3],
    [200, 4],
    [500, 5],
    [500.01, 6],
    [1e9, 6],
  ];
  for (const [amount, bucket] of cases) assert.equal(revenueBucket(amount), bucket, String(amount));
});

test('dayOutcome: purchases of that UTC day only, price x qty, a missing price still converts', () => {
  const day = utcDay(NOW - DAY);
  const events = [
    { kind: EventKind.purchase, t: NOW - DAY, item: 'a', price: 20, qty: 2 },
    { kind: EventKind.purchase, t: NOW - DAY, item: 'b' },
    { kind: EventKind.add_to_cart, t: NOW - DAY, item: 'c', price: 999 },
    { kind: EventKind.purchase, t: NOW, item: 'd', price: 999 },
  ];
  assert.deepEqual(dayOutcome(events, day), { converted: 1, revenue: 40 });
  assert.deepEqual(dayOutcome(events.slice(2, 3), day), { converted: 0, revenue: 0 });
});

test('reportFor: the latest active day before today and after the last one reported; nothing else leaves', () => {
  const events = [
    { kind: EventKind.view, t: NOW - 3 * DAY, item: 'secret-sku', category: 'secret-category' },
    { kind: EventKind.purchase, t: NOW - 2 * DAY, item: 'secret-sku', price: 60, qty: 1, category: 'secret-category' },
    { kind: EventKind.view, t: NOW, item: 'today-sku' },
  ];
  const keepAll = () => 0; // random() = 0: every outcome is kept as it is
  const report = reportFor(events, { arm: 'off', today: TODAY, lastReported: null, epsilon: 2, random: keepAll });
  assert.deepEqual(report, {
    v: REPORT_VERSION,
    day: utcDay(NOW - 2 * DAY),
    arm: 'off',
    converted: 1,
    revenue: 3,
    epsilon: { converted: 1, revenue: 1 },
  });
  assert.doesNotMatch(JSON.stringify(report), /secret|today-sku/);
  assert.equal(
    reportFor(events, { arm: 'on', today: TODAY, lastReported: utcDay(NOW - 2 * DAY), epsilon: 2, random: keepAll }),
    null,
    'an earlier day is never reported after a later one'
  );
  assert.equal(
    reportFor(events.slice(2), { arm: 'on', today: TODAY, lastReported: null, epsilon: 2, random: keepAll }),
    null,
    'today is not over'
  );
  assert.equal(reportFor([], { arm: 'on', today: TODAY, lastReported: null, epsilon: 2, random: keepAll }), null);
});

test('privatize: each outcome is kept with the probability its epsilon gives, and otherwise replaced uniformly', () => {
  const random = mulberry32(seed);
  const n = 200000;
  const eps = { converted: 1, revenue: 1.5 };
  const k = REVENUE_BUCKET_UPPER.length;
  const keepBit = Math.exp(eps.converted) / (1 + Math.exp(eps.converted));
  const keepBucket = Math.exp(eps.revenue) / (Math.exp(eps.revenue) + k - 1);
  let bitKept = 0;
  const buckets = new Array(k).fill(0);
  for (let i = 0; i < n; ++i) {
    const r = privatize({ converted: 1, revenue: 80 }, eps, random); // bucket 3
    bitKept += r.converted;
    buckets[r.revenue] += 1;
  }
  const within = (count, p, what) => {
    const se = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(count / n - p) < 5 * se, `${what}: ${count / n} against ${p} (seed ${seed})`);
  };
  within(bitKept, keepBit, 'converted kept');
  within(buckets[3], keepBucket, 'bucket kept');
  for (let b = 0; b < k; ++b) if (b !== 3) within(buckets[b], (1 - keepBucket) / (k - 1), `bucket ${b}`);
});

test('vitrine uplift: bad lines are refused with their line numbers and left out; too few reports is an error', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-uplift-'));
  try {
    const good = (arm, c) =>
      JSON.stringify({ v: 1, day: '2026-12-05', arm, converted: c, revenue: 0, epsilon: { converted: 1, revenue: 1 } });
    const file = path.join(dir, 'reports.jsonl');
    writeFileSync(
      file,
      [good('on', 1), '{not json', good('on', 0), '', good('off', 0), '{"v":1}', good('off', 1)].join('\n')
    );
    const r = vitrine('uplift', '--reports', file, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /reports\.jsonl:2: refused: not JSON/);
    assert.match(r.stderr, /reports\.jsonl:6: refused: day/);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.reports, { read: 6, refused: 2 });
    assert.equal(out.on.reports, 2);
    assert.equal(out.off.reports, 2);
    assert.equal(out.epsilon.per_report, 2);
    assert.equal(out.epsilon.per_week, 14);
    writeFileSync(file, good('on', 1) + '\n' + good('off', 1) + '\n');
    const few = vitrine('uplift', '--reports', file);
    assert.equal(few.status, 1);
    assert.match(few.stderr, /at least two valid reports/);
    assert.equal(vitrine('uplift').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a simulated population with a known effect: the 95% intervals cover it in at least 17 of 20 seeded runs', () => {
  // 20 runs of 20,000 shoppers here; the README quotes tools/report_simulation.mjs at 200,000 shoppers and 100 runs.
  // A fixed seed: with a random one, a correct estimator would still miss 17 of 20 about once in thirty runs.
  const result = simulate({ shoppers: 20000, runs: 20, epsilon: 2, holdout: 0.5, seed: 1, binary });
  for (const field of ['conversion', 'revenue']) {
    const s = result[field];
    assert.ok(s.covered >= 17, `${field}: covered ${s.covered}/20 (seed 1)`);
    // Unbiased: the mean of 20 estimates is within 4 standard errors of the truth (one interval's se is width/3.92).
    const se = s.meanWidth / 3.92 / Math.sqrt(result.runs);
    assert.ok(
      Math.abs(s.meanEstimate - s.truth) < 4 * se,
      `${field}: mean ${s.meanEstimate} against ${s.truth} (seed 1)`
    );
    assert.ok(s.meanWidth > s.nonPrivateMeanWidth, `${field}: privacy costs width`);
  }
});
