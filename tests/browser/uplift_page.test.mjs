// The demo's uplift page (demo-site/uplift.html) and merchant dashboard (dashboard.html) in headless Chromium under the demo's strict CSP: it shows the
// offline A/B test's table and interval chart from uplift.json, labelled as simulated, writes data only as text, and
// says what to do when the results are missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { pairedBootstrap, DEFINITIONS, NOTICE, METRICS } from '../../tools/uplift.mjs';
import { rng } from '../../tools/demo/random.mjs';
import { startDemoServer } from '../../tools/demo/serve_demo.mjs';
import { launchBrowser, openWatchedPage } from '../support/browser.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';
import { dashboard } from '../../tools/report_simulation.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
let tmp, server, baseUrl, browser, result;

before(async () => {
  if (!existsSync(path.join(distDir, 'vitrine.js')))
    throw new Error(`${distDir}/vitrine.js is missing: build the wasm tree`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-uplift-page-'));
  // The shop's header needs a catalog; the page itself does not use it.
  writeFileSync(
    path.join(tmp, 'catalog.json'),
    JSON.stringify({ categories: [{ slug: 'bags', label: 'Bags' }], brands: [], products: [] })
  );
  // A result in the form tools/uplift.mjs writes, from made-up counts; one label carries markup that must stay text.
  const random = rng(21);
  const arm = () => ({
    sessions: 3,
    impressions: 8 + random.int(5),
    clicks: 5 + random.int(4),
    views: 6,
    carts: random.int(3),
    purchases: random.int(3),
    revenue: 40 * random.next(),
  });
  const units = Array.from({ length: 60 }, () => ({ off: arm(), on: arm() }));
  const metrics = pairedBootstrap(units, { resamples: 400, seed: 2 });
  metrics.conversion.label = `${HOSTILE} Conversion`;
  const better = units.map((u) => ({
    off: u.off,
    on: { ...u.off, clicks: u.off.clicks + 2, purchases: u.off.purchases + 1 },
  }));
  result = {
    notice: NOTICE,
    seed: 11,
    shoppers: 60,
    sessions: 180,
    method: 'paired bootstrap (test)',
    listing: 'test listing',
    definitions: DEFINITIONS,
    metrics,
    command: 'node tools/uplift.mjs --test',
    reference: { label: 'ceiling (test)', metrics: pairedBootstrap(better, { resamples: 400, seed: 2 }) },
  };
  ({ server, url: baseUrl } = await startDemoServer({ demoDir: tmp, distDir }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function openUplift() {
  const { page, seen } = await openWatchedPage(browser.context, { timeoutMs: 60_000 });
  await page.goto(baseUrl + 'uplift.html');
  return { page, problems: () => [...seen.errors, ...seen.warnings] };
}

test('the uplift page shows the table and the interval chart, labelled simulated, with data written as text', async () => {
  writeFileSync(path.join(tmp, 'uplift.json'), JSON.stringify(result));
  const { page, problems } = await openUplift();
  await page.waitForSelector('svg.ci-chart');
  assert.match(await page.textContent('main'), /Simulated shoppers\./);
  assert.match(await page.textContent('#summary'), /^60 held-out simulated shoppers, 180 sessions in each arm/);
  const rows = await page.$$eval('#results tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.cells, (c) => c.textContent))
  );
  assert.equal(rows.length, METRICS.length);
  const clickThrough = result.metrics.clickThrough;
  const row = rows.find((r) => r[0] === clickThrough.label);
  assert.ok(row, `no row for ${clickThrough.label}`);
  assert.ok(
    row[1].startsWith(clickThrough.off.estimate.toFixed(3)) &&
      row[1].includes(`95% CI ${clickThrough.off.lower.toFixed(3)} to`)
  );
  assert.ok(row[2].startsWith(clickThrough.on.estimate.toFixed(3)));
  const ceiling = result.reference.metrics.clickThrough.relative;
  assert.ok(row[5].startsWith(`+${(100 * ceiling.estimate).toFixed(1)}%`), `ceiling cell ${row[5]}`);
  // Markup in the data is shown as text and never becomes an element.
  assert.ok(rows.some((r) => r[0] === `${HOSTILE} Conversion`));
  assert.equal(await page.$$eval('main img', (imgs) => imgs.length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // One interval and one estimate per metric whose relative uplift is defined.
  const drawn = METRICS.filter((m) => result.metrics[m.key].relative.estimate !== null).length;
  assert.ok(drawn > 0);
  assert.equal(await page.$$eval('svg.ci-chart line.interval', (l) => l.length), drawn);
  assert.equal(await page.$$eval('svg.ci-chart circle.estimate', (c) => c.length), drawn);
  assert.equal(await page.$$eval('svg.ci-chart circle.ceiling', (c) => c.length), drawn);
  assert.equal(await page.textContent('#command'), result.command);
  assert.equal(await page.$$eval('#definitions dt', (dts) => dts.length), Object.keys(DEFINITIONS).length);
  assert.deepEqual(await page.evaluate(() => globalThis.__violations), []);
  assert.deepEqual(problems(), []);
  await page.close();
});

test('without uplift.json the page says how to make it', async () => {
  rmSync(path.join(tmp, 'uplift.json'), { force: true });
  const { page } = await openUplift();
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  assert.match(await page.textContent('#message'), /No results yet: tools\/demo\.sh computes them/);
  assert.equal(await page.$$eval('#results tr', (rows) => rows.length), 0);
  await page.close();
});

// The merchant dashboard (demo-site/dashboard.html): vitrine uplift on simulated private reports, from the JSON
// tools/report_simulation.mjs --dashboard writes (made here by the same function, on a smaller population).
test('the merchant dashboard shows both arms, the private and non-private intervals and the true effect, as text', async () => {
  const binary = path.join(process.env.VITRINE_NATIVE_BUILD ?? path.join(repoRoot, 'build/native'), 'models/vitrine');
  const board = dashboard({ shoppers: 20000, epsilon: 2, holdout: 0.5, seed: 3, binary });
  board.notice = `${HOSTILE} ${board.notice}`;
  writeFileSync(path.join(tmp, 'dashboard.json'), JSON.stringify(board));
  const { page, seen } = await openWatchedPage(browser.context, { timeoutMs: 60_000 });
  await page.goto(baseUrl + 'dashboard.html');
  await page.waitForSelector('svg.ci-chart');
  assert.match(await page.textContent('#notice'), /Simulated shoppers: every figure/);
  assert.equal(await page.$$eval('main img', (imgs) => imgs.length), 0, 'markup in the data stays text');
  const rows = await page.$$eval('#arms tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.cells, (c) => c.textContent))
  );
  assert.equal(rows.length, 3);
  assert.equal(rows[0][1], String(board.uplift.on.reports));
  assert.equal(rows[1][1], String(board.uplift.off.reports));
  assert.ok(rows[0][2].startsWith(board.uplift.on.conversion.estimate.toFixed(4)), rows[0][2]);
  // One chart per quantity: the private interval, the non-private one and the true effect.
  assert.equal(await page.$$eval('svg.ci-chart', (s) => s.length), 2);
  for (const selector of ['line.interval', 'circle.estimate', 'line.ceiling', 'line.marker']) {
    assert.equal(await page.$$eval(`svg.ci-chart ${selector}`, (l) => l.length), 2, selector);
  }
  assert.equal(await page.$$eval('#widths tbody tr', (trs) => trs.length), board.widths.length + 1);
  assert.equal(await page.textContent('#command'), board.command);
  assert.deepEqual(await page.evaluate(() => globalThis.__violations), []);
  assert.deepEqual([...seen.errors, ...seen.warnings], []);
  rmSync(path.join(tmp, 'dashboard.json'));
  await page.reload();
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  assert.match(await page.textContent('#message'), /No reports yet: tools\/demo\.sh simulates them/);
  await page.close();
});
