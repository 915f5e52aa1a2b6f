// The demo's evaluation lab end to end in headless Chromium under the demo's CSP: tools/build_lab_data.mjs builds a
// small fixed sample, `vitrine eval` (native) scores it, the lab page replays it through the wasm engine in a worker,
// and the page's HR@20 and MRR@20 must reproduce the native evaluator's.
//
// With the Diginetica data (../shared/data/diginetica, or VITRINE_DATA) the sample is every 200th test example and
// the model the committed models/diginetica/model.vtm. Without it the test says so and runs the same check on the
// synthetic corpus and the tiny test model. The page without any data must explain what is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { shippedSize } from '../../bench/shipped_size.mjs';
import { DEFAULTS, buildLabData } from '../../tools/build_lab_data.mjs';
import { startDemoServer, DEMO_CSP } from '../../tools/demo/serve_demo.mjs';
import { launchBrowser, openWatchedPage } from '../support/browser.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';
import { tinyModel, vitrineCli } from '../support/test_model.mjs';

const REPLAY_TIMEOUT_MS = 300_000; // a few hundred top-20 calls; generous because the machine is shared
let tmp, browser;
const servers = [];

before(async () => {
  for (const [file, hint] of [
    [vitrineCli, 'build the native tree'],
    [path.join(distDir, 'vitrine.js'), 'build the wasm tree'],
  ]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-lab-test-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Serves the demo with `demoDir/lab/` as the lab's data; returns the lab page's URL. */
async function serveLab(demoDir) {
  const { server, url } = await startDemoServer({ demoDir, distDir });
  servers.push(server);
  return url + 'lab.html';
}

/** Opens a lab page (recording console errors, page errors and CSP violations) and checks it is served under the CSP. */
async function openPage(url) {
  const { page, seen } = await openWatchedPage(browser.context, { timeoutMs: 90_000 });
  const response = await page.goto(url);
  assert.equal(response.headers()['content-security-policy'], DEMO_CSP);
  return { page, seen };
}

function nativeEval({ data, model, sample }) {
  const out = execFileSync(
    vitrineCli,
    [
      'eval',
      '--train',
      path.join(data, 'train_sessions.txt'),
      '--test',
      sample,
      '--model',
      model,
      '--baselines',
      'none',
      '--json',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
  );
  return JSON.parse(out).methods.model;
}

const percent = (x) => `${(100 * x).toFixed(2)}%`;

async function checkLabReproducesNative({ name, data, model, every, summary = null }) {
  const demoDir = path.join(tmp, name);
  const manifest = buildLabData({
    data,
    model,
    every,
    name,
    summary,
    out: path.join(demoDir, 'lab'),
    cli: vitrineCli,
    dist: distDir,
  });
  assert.equal(manifest.data.state, 'ready');
  const sample = path.join(demoDir, 'lab', manifest.sample.file);
  // The native evaluator run here, independently of the build step, on the file the page replays.
  const native = nativeEval({ data, model, sample });
  assert.equal(native.examples, manifest.sample.examples);
  assert.ok(native.examples >= 200, `sample of ${native.examples} examples is too small to mean much`);
  assert.equal(manifest.native.sample.methods.model['hr@20'], native['hr@20'], 'lab.json holds the native figures');

  const { page, seen } = await openPage(await serveLab(demoDir));
  await page.waitForFunction(() => !['loading', 'running'].includes(document.body.dataset.labState), null, {
    timeout: REPLAY_TIMEOUT_MS,
  });
  assert.equal(await page.evaluate(() => document.body.dataset.labState), 'done', await page.textContent('#content'));
  const lab = JSON.parse(await page.evaluate(() => document.body.dataset.labResult));

  assert.equal(lab.examples, native.examples);
  const nativeHits = Math.round(native['hr@20'] * native.examples);
  console.log(
    `${name}: browser ${lab.hits} hits of ${lab.examples}, MRR@20 ${lab.mrr20}; native ${nativeHits} hits, ` +
      `MRR@20 ${native['mrr@20']}, ${native.tied_examples} tied examples`
  );
  // Ranks agree except where the native rank can be optimistic: an exact score tie with the true item (rank = 1 +
  // items strictly higher, while topK puts one of the tied items first). The native evaluator counts those examples.
  assert.ok(
    Math.abs(lab.hits - nativeHits) <= native.tied_examples,
    `${name}: the browser has ${lab.hits} hits, the native evaluator ${nativeHits} (${native.tied_examples} tied examples)`
  );
  // Both sides sum count[rank] / rank in rank order (demo-site/lab/metrics.mjs mirrors vitrine::MetricAccumulator),
  // so equal ranks give the same double to the last bit; 1e-12 only absorbs printing. A tied example changes one
  // reciprocal rank, by less than 1, so it moves MRR by less than 1/examples.
  const mrrTolerance = 1e-12 + native.tied_examples / native.examples;
  assert.ok(
    Math.abs(lab.mrr20 - native['mrr@20']) <= mrrTolerance,
    `${name}: browser MRR@20 ${lab.mrr20} vs native ${native['mrr@20']} (tolerance ${mrrTolerance})`
  );

  // What the visitor reads: the live row, the native row on the same sample, the verdict, latency and sizes.
  const rows = await page.$$eval('#metrics tbody tr', (trs) =>
    trs.map((tr) => [...tr.cells].map((td) => td.textContent))
  );
  assert.deepEqual(rows[0].slice(1, 3), [percent(lab.hr20), percent(lab.mrr20)]);
  assert.deepEqual(rows[1].slice(1, 3), [percent(native['hr@20']), percent(native['mrr@20'])]);
  if (lab.hits === nativeHits)
    assert.match(await page.textContent('#agreement'), /the same hits as the native evaluator/);
  assert.equal(await page.$$eval('#bar-chart svg g.row', (g) => g.length), rows.length);
  assert.equal(lab.latency.calls, lab.examples);
  assert.ok(
    lab.latency.p50 <= lab.latency.p95 && lab.latency.p95 <= lab.latency.p99 && lab.latency.p99 <= lab.latency.max
  );
  assert.ok(lab.latency.max > 0, 'top-20 calls take measurable time');
  assert.ok((await page.$$eval('#latency-chart rect.bar-latency', (r) => r.length)) > 0);
  const size = shippedSize(distDir);
  assert.match(await page.textContent('#sizes'), new RegExp(size.gzip.toLocaleString('en')));
  assert.deepEqual(await page.evaluate(() => globalThis.__violations), []);
  assert.deepEqual(seen.errors, []);
  await page.close();
  return { rows, lab, native };
}

test('the lab page replays test examples through the wasm engine and reproduces the native evaluator', async () => {
  const data = DEFAULTS.data;
  if (existsSync(path.join(data, 'train_sessions.txt')) && existsSync(path.join(data, 'test_examples.tsv'))) {
    const { rows, lab } = await checkLabReproducesNative({
      name: 'diginetica',
      data,
      every: 200,
      model: path.join(repoRoot, 'models/diginetica/model.vtm'),
      summary: DEFAULTS.summary,
    });
    assert.ok(lab.hr20 > 0.3, `HR@20 ${lab.hr20} on Diginetica: the committed model should be far above POP`);
    assert.ok(rows.some((r) => r[0] === 'SR-GNN (published)' && r[1] === '50.73%' && r[2] === '17.59%'));
  } else {
    console.log(
      `\n*** DIGINETICA DATA MISSING: ${data}/train_sessions.txt and test_examples.tsv not found ` +
        '(see README, Data). Running the lab-vs-native check on the synthetic corpus and the tiny test model instead. ***\n'
    );
    const tiny = tinyModel();
    const { lab } = await checkLabReproducesNative({
      name: 'synthetic',
      data: path.dirname(tiny.model),
      model: tiny.model,
      every: 5,
    });
    assert.ok(lab.hr20 > 0.3, `HR@20 ${lab.hr20} on the synthetic walks: the tiny model has learned them`);
  }
});

test('without the data the demo still serves the lab page, which says what is missing and how to provide it', async () => {
  const demoDir = path.join(tmp, 'missing');
  const manifest = buildLabData({
    data: path.join(tmp, 'no-such-data', 'diginetica'),
    out: path.join(demoDir, 'lab'),
    cli: vitrineCli,
    dist: distDir,
  });
  assert.equal(manifest.data.state, 'missing');
  assert.equal(manifest.data.missing.length, 2);
  assert.equal(existsSync(path.join(demoDir, 'lab', 'sample.tsv')), false);

  const { page, seen } = await openPage(await serveLab(demoDir));
  await page.waitForFunction(() => document.body.dataset.labState !== 'loading');
  assert.equal(await page.evaluate(() => document.body.dataset.labState), 'missing');
  assert.ok(await page.isVisible('#lab-missing'));
  assert.equal(await page.isVisible('#lab-run'), false);
  const note = await page.textContent('#lab-missing');
  assert.match(note, /\.\.\/shared\/data\/diginetica\/ beside the repository/);
  assert.match(note, /no-such-data\/diginetica\/test_examples\.tsv/);
  assert.ok(await page.isVisible('#lab-sizes'), 'model and package sizes need no data');
  assert.deepEqual(await page.evaluate(() => globalThis.__violations), []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});
