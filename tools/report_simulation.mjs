#!/usr/bin/env node
// Private outcome reports on a simulated population with a known true effect: do `vitrine uplift`'s 95% intervals
// cover it, and how much wider does randomized response make them than the same estimate on the true outcomes?
//
//   node tools/report_simulation.mjs [--shoppers 200000] [--runs 100] [--epsilons 2] [--holdout 0.5] [--seed 1]
//                                    [--vitrine build/native/models/vitrine] [--json 0|1]
//   node tools/report_simulation.mjs --dashboard build/demo/dashboard.json [--shoppers 200000] [--epsilons 2]
//
// --dashboard writes what the demo's merchant dashboard (demo-site/dashboard.html) shows: one population's reports
// through `vitrine uplift` at the first epsilon, beside the non-private estimate and the true effect, and the
// interval widths of one population at each epsilon of DASHBOARD_EPSILONS.
//
// Nobody real is in this: each simulated shopper has one active day (yesterday) in a random arm. They buy with
// probability CONVERSION[arm], a basket drawn from BASKETS. Their device builds its report with the package's own
// code (js/src/report.mjs reportFor: the stored view and purchase events, randomized response with the run's
// seeded generator in place of crypto), the reports go to a JSON-lines file, and the native `vitrine uplift --json`
// estimates each arm. The true effect is computed exactly from CONVERSION and BASKETS. Run r's generator is seeded
// with subSeed(seed, `run r`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { mulberry32 } from './random.mjs';
import { subSeed } from './demo/random.mjs';
import { parseArgs } from './demo/files.mjs';
import { EventKind } from '../js/src/event_kinds.mjs';
import { reportFor, revenueBucket, utcDay } from '../js/src/report.mjs';

export const CONVERSION = Object.freeze({ off: 0.08, on: 0.088 }); // +10% relative, the effect to find
// A purchase day's basket: amount and probability (the same in both arms).
export const BASKETS = Object.freeze([
  [15, 0.15],
  [30, 0.2],
  [45, 0.15],
  [80, 0.2],
  [120, 0.12],
  [180, 0.1],
  [300, 0.05],
  [650, 0.03],
]);
const Z95 = 1.959963984540054;
const DAY_MS = 86400000;

/** The true effect on the reported scale: conversion, and revenue as the buckets' values (`vitrine uplift --buckets`). */
export function trueEffect(bucketValues) {
  const basket = BASKETS.reduce((sum, [amount, p]) => sum + p * bucketValues[revenueBucket(amount)], 0);
  return { conversion: CONVERSION.on - CONVERSION.off, revenue: (CONVERSION.on - CONVERSION.off) * basket };
}

function drawBasket(random) {
  let u = random();
  for (const [amount, p] of BASKETS) {
    if ((u -= p) < 0) return amount;
  }
  return BASKETS[BASKETS.length - 1][0];
}

function meanInterval(values) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, varianceOfMean: variance / n };
}

/** The same difference of means on the true (not randomized) outcomes: what a server that saw everything would get. */
function nonPrivate(outcomes, bucketValues) {
  const diff = (field) => {
    const on = meanInterval(outcomes.filter((o) => o.arm === 'on').map(field));
    const off = meanInterval(outcomes.filter((o) => o.arm === 'off').map(field));
    const half = Z95 * Math.sqrt(on.varianceOfMean + off.varianceOfMean);
    return { estimate: on.mean - off.mean, low: on.mean - off.mean - half, high: on.mean - off.mean + half };
  };
  return { conversion: diff((o) => o.converted), revenue: diff((o) => bucketValues[revenueBucket(o.revenue)]) };
}

function vitrineJson(binary, args) {
  const r = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`vitrine ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** One population: its reports through `vitrine uplift`, and the non-private estimate on the same shoppers. */
export function simulateRun({ shoppers, epsilon, holdout, seed, binary, dir, bucketValues }) {
  const random = mulberry32(seed);
  const now = Date.UTC(2026, 11, 6, 12);
  const yesterday = now - DAY_MS;
  const lines = [];
  const outcomes = [];
  for (let s = 0; s < shoppers; ++s) {
    const arm = random() < holdout ? 'off' : 'on';
    const events = [{ kind: EventKind.view, t: yesterday, item: 'p1' }];
    let revenue = 0;
    const converted = random() < CONVERSION[arm] ? 1 : 0;
    if (converted) {
      revenue = drawBasket(random);
      events.push({ kind: EventKind.purchase, t: yesterday + 1000, item: 'p1', price: revenue, qty: 1 });
    }
    outcomes.push({ arm, converted, revenue });
    const report = reportFor(events, { arm, today: utcDay(now), lastReported: null, epsilon, random });
    lines.push(JSON.stringify(report));
  }
  const file = path.join(dir, `reports-${seed}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  const estimate = vitrineJson(binary, ['uplift', '--reports', file, '--json']);
  rmSync(file);
  return { estimate, exact: nonPrivate(outcomes, bucketValues) };
}

const covers = (interval, truth) => interval.low <= truth && truth <= interval.high;
const width = (interval) => interval.high - interval.low;
const average = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Runs `runs` seeded populations at one epsilon; returns coverage and widths, private and not. */
export function simulate({ shoppers, runs, epsilon, holdout, seed, binary }) {
  const buckets = vitrineJson(binary, ['uplift', '--buckets']);
  const truth = trueEffect(buckets.value);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-reports-'));
  const results = [];
  try {
    for (let r = 0; r < runs; ++r) {
      // Hashed, not seed + r: nearby mulberry32 seeds give streams that are not clearly independent.
      results.push(
        simulateRun({
          shoppers,
          epsilon,
          holdout,
          seed: subSeed(seed, `run ${r}`),
          binary,
          dir,
          bucketValues: buckets.value,
        })
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = (field) => ({
    truth: truth[field],
    covered: results.filter((x) => covers(x.estimate.difference[field], truth[field])).length,
    meanEstimate: average(results.map((x) => x.estimate.difference[field].estimate)),
    meanWidth: average(results.map((x) => width(x.estimate.difference[field]))),
    nonPrivateCovered: results.filter((x) => covers(x.exact[field], truth[field])).length,
    nonPrivateMeanWidth: average(results.map((x) => width(x.exact[field]))),
  });
  return {
    shoppers,
    runs,
    epsilon,
    holdout,
    seed,
    epsilonPerWeek: results[0].estimate.epsilon.per_week,
    conversion: summary('conversion'),
    revenue: summary('revenue'),
  };
}

export const NOTICE =
  'Simulated shoppers: every figure on this page comes from a population invented by ' +
  'tools/report_simulation.mjs with a known true effect, not from real people or real sales.';
const DASHBOARD_EPSILONS = [0.5, 1, 2, 4, 8];

/** What the merchant dashboard shows (see the top of this file). */
export function dashboard({ shoppers, epsilon, holdout, seed, binary }) {
  const buckets = vitrineJson(binary, ['uplift', '--buckets']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-reports-'));
  try {
    const run = (eps) =>
      simulateRun({ shoppers, epsilon: eps, holdout, seed, binary, dir, bucketValues: buckets.value });
    const main = run(epsilon);
    const widths = DASHBOARD_EPSILONS.map((eps) => {
      const r = eps === epsilon ? main : run(eps);
      return {
        epsilon: eps,
        perWeek: r.estimate.epsilon.per_week,
        conversion: width(r.estimate.difference.conversion),
        revenue: width(r.estimate.difference.revenue),
      };
    });
    return {
      notice: NOTICE,
      shoppers,
      holdout,
      epsilon,
      seed,
      buckets,
      truth: trueEffect(buckets.value),
      uplift: main.estimate,
      nonPrivate: main.exact,
      nonPrivateWidth: { conversion: width(main.exact.conversion), revenue: width(main.exact.revenue) },
      widths,
      command: `node tools/report_simulation.mjs --dashboard FILE --shoppers ${shoppers} --epsilons ${epsilon} --holdout ${holdout} --seed ${seed}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const USAGE = `usage: node tools/report_simulation.mjs [--shoppers 200000] [--runs 100] [--epsilons 2] [--holdout 0.5]
       [--seed 1] [--vitrine build/native/models/vitrine] [--json 0|1] [--dashboard FILE]
`;

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = parseArgs(
    process.argv.slice(2),
    {
      shoppers: 200000,
      runs: 100,
      epsilons: '2',
      holdout: 0.5,
      seed: 1,
      json: 0,
      dashboard: '',
      vitrine: path.join(path.dirname(new URL(import.meta.url).pathname), '../build/native/models/vitrine'),
    },
    USAGE
  );
  if (o.dashboard) {
    const epsilon = Number(o.epsilons.split(',')[0]);
    const out = dashboard({ shoppers: o.shoppers, epsilon, holdout: o.holdout, seed: o.seed, binary: o.vitrine });
    writeFileSync(o.dashboard, JSON.stringify(out, null, 2) + '\n');
    console.log(`wrote ${o.dashboard}: ${o.shoppers} simulated shoppers, epsilon ${epsilon} per report`);
    process.exit(0);
  }
  const rows = [];
  for (const epsilon of o.epsilons.split(',').map(Number)) {
    const t0 = Date.now();
    const row = simulate({
      shoppers: o.shoppers,
      runs: o.runs,
      epsilon,
      holdout: o.holdout,
      seed: o.seed,
      binary: o.vitrine,
    });
    row.seconds = (Date.now() - t0) / 1000;
    rows.push(row);
    if (!o.json) {
      for (const field of ['conversion', 'revenue']) {
        const s = row[field];
        console.log(
          `epsilon ${epsilon} (${row.epsilonPerWeek} a week), ${field}: truth ${s.truth.toFixed(4)}, ` +
            `covered ${s.covered}/${row.runs}, mean estimate ${s.meanEstimate.toFixed(4)}, mean 95% width ` +
            `${s.meanWidth.toFixed(4)} (non-private ${s.nonPrivateMeanWidth.toFixed(4)}, covered ${s.nonPrivateCovered}/${row.runs})`
        );
      }
    }
  }
  if (o.json) console.log(JSON.stringify(rows, null, 2));
}
