// Train/serve parity (issue 13): one shopper's two visits, two hours apart, done in Chromium on a shop page (real
// clicks and cart and purchase buttons through capture, the rest through vitrine.track, stored, then sent to the
// ranking worker), and the same visits as rows of a merchant's event log read by the trainer's reader. `vitrine
// inputs` prints what the model's encoder reads from each (the rank request as engine.mjs encodes it; the log's
// sessions as training reads them, the second with the first as its earlier visit): items, kind rows, earlier-visit
// marks, positions and the session vector must be bit-identical after each visit. A log that differs in one event
// kind must not be.
// Needs the native build (models/vitrine) and the package (build/wasm/dist).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../../tools/serve.mjs';
import { mulberry32 } from '../../tools/random.mjs';
import { encodeRankRequest } from '../../js/src/wire.mjs';
import { withUnsaved } from '../../js/src/journal.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { distDir } from '../support/paths.mjs';
import { vitrineCli } from '../support/test_model.mjs';
import { STRICT_CSP, openPage, vitrineReady } from './storefront_support.mjs';

const CATEGORIES = ['shoes', 'bags', 'hats'];
const sku = (c, k) => `${CATEGORIES[c].toUpperCase()}-${k}`;
const HEADER = 'timestamp,user_id,product_id,event_type,category';

let tmp, browser, server, url, model;

// Shoppers who see a listing, click, view, add to cart and buy, in each category, and come back two hours later:
// every kind the visits below use gets its own trained row, and the model learns visits.
function trainingRows() {
  const random = mulberry32(7);
  const rows = [];
  for (let v = 0; v < 80; ++v) {
    for (let visit = 0; visit < 2; ++visit) {
      let t = Date.UTC(2026, 0, 1) + v * 86_400_000 + visit * 7_200_000;
      const c = (v + visit) % CATEGORIES.length;
      const visitor = `trainer-${v}`;
      const row = (item, event) => rows.push([(t += 1000), visitor, item, event, CATEGORIES[c]]);
      for (let k = 0; k < 3; ++k) row(sku(c, k), 'view_item_list');
      let k = Math.floor(random() * 6);
      for (let i = 0; i < 4; ++i) {
        row(sku(c, k), 'select_item');
        row(sku(c, k), 'view');
        if (random() < 0.3) row(sku(c, k), 'add_to_cart');
        k = (k + 1) % 6;
      }
      if (random() < 0.5) row(sku(c, k), 'purchase');
    }
  }
  return rows;
}

function writeLog(file, rows) {
  writeFileSync(
    file,
    [HEADER, ...rows.map((r) => [new Date(r[0]).toISOString(), ...r.slice(1)].join(','))].join('\n') + '\n'
  );
}

function inputs(...args) {
  return execFileSync(vitrineCli, ['inputs', '--model', model, ...args], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

const cards = [sku(0, 1), sku(0, 2), sku(0, 3), sku(1, 1)].map(
  (id) =>
    `<li data-vitrine-item="${id}" data-vitrine-category="${id.startsWith('SHOES') ? 'shoes' : 'bags'}"><a href="#${id}">${id}</a>
   <button type="button" data-vitrine-action="add_to_cart">Add</button> <button type="button" data-vitrine-action="purchase">Buy</button></li>`
);

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-parity-'));
  const site = path.join(tmp, 'site');
  const models = path.join(tmp, 'models');
  mkdirSync(site);
  mkdirSync(models);
  writeLog(path.join(tmp, 'train.csv'), trainingRows());
  model = path.join(models, 'shop.vtm');
  execFileSync(
    vitrineCli,
    [
      'train',
      '--events',
      path.join(tmp, 'train.csv'),
      '--out',
      model,
      '--epochs',
      '1',
      '--dim',
      '8',
      '--batch',
      '32',
      '--quiet',
    ],
    { stdio: 'inherit' }
  );
  // No automatic views or impressions (the longest dwell, a minute; no page here lasts that long): every event of a
  // visit is one the test did.
  writeFileSync(
    path.join(site, 'shop.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parity</title>
<script src="/vitrine/vitrine.js" data-consent="not-required" data-model="/models/shop.vtm" data-view-dwell-ms="60000" defer></script></head>
<body><ul data-vitrine-list id="list">${cards.join('\n')}</ul></body></html>`
  );
  ({ server, url } = await startServer({
    mounts: { '/': site, '/vitrine': distDir, '/models': models },
    headers: () => ({ 'Content-Security-Policy': STRICT_CSP }),
  }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// The visits: [how the browser does it, the log row's event name, SKU]. 'track' rows' event names are also the
// package's kind names.
const A = sku(0, 1),
  B = sku(0, 2),
  C = sku(1, 1);
const VISITS = [
  [
    ['track', 'impression', A],
    ['track', 'impression', B],
    ['click', 'select_item', A],
    ['track', 'view', A],
    ['add_to_cart', 'add_to_cart', A],
    ['click', 'select_item', B],
    ['track', 'view', B],
    ['track', 'impression', C],
    ['purchase', 'purchase', A],
    ['search', 'search', ''],
    ['track', 'view', B],
  ],
  [
    ['track', 'view', C],
    ['click', 'select_item', B],
    ['track', 'impression', A],
    ['track', 'view', B],
  ],
];
const LATER_MS = 2 * 3_600_000; // the second visit, on the page's clock

/** Does one visit in a new page (its clock moved on by `shiftMs`); returns the last ranking request it sent. */
async function visitInTheBrowser(actions, shiftMs) {
  // A worker per page, whose postMessage the init script below watches.
  const { page: p, seen } = await openPage(browser.context, {
    workerPerPage: true,
    init: `(() => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + ${shiftMs};
      // What the page sends its ranking worker: the engine's input before engine.mjs encodes it.
      globalThis.__rankRequests = [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        if (message?.type === 'rank') globalThis.__rankRequests.push(structuredClone(message));
        return post.call(this, message, ...rest);
      };
    })();`,
  });
  await p.goto(url + 'shop.html');
  await vitrineReady(p);
  for (const [how, name, item] of actions) {
    await p.waitForTimeout(5); // distinct times, so that only the order decides
    if (how === 'click') await p.click(`li[data-vitrine-item="${item}"] a`);
    else if (how === 'add_to_cart' || how === 'purchase')
      await p.click(`li[data-vitrine-item="${item}"] [data-vitrine-action="${how}"]`);
    else if (how === 'search')
      assert.equal(await p.evaluate(() => window.vitrine.track({ kind: 'search', query: 'boots' })), true);
    else assert.equal(await p.evaluate(([kind, id]) => window.vitrine.track({ kind, item: id }), [name, item]), true);
  }
  const before = await p.evaluate(() => globalThis.__rankRequests.length);
  // Everything recorded is committed now (exportData waits for the writes): what the worker reads for the ranking.
  const exported = () => p.evaluate(async () => JSON.parse(await window.vitrine.exportData()).storage.events);
  const stored = await exported();
  assert.equal(await p.evaluate(() => window.vitrine.refresh()), true);
  const requests = await p.evaluate(() => globalThis.__rankRequests);
  assert.ok(requests.length > before, 'refresh() sent the worker a ranking');
  assert.deepEqual(await exported(), stored, 'nothing was recorded while the worker ranked');
  assert.deepEqual(seen.errors, []);
  await p.close();
  return { ...requests[requests.length - 1], storedThen: stored };
}

/**
 * What the encoder reads from a request the page sent: its events, or where the worker read the store itself
 * (`stored`, ranking_service.mjs), the store's newest events and the unsaved ones sent, merged as the worker does.
 */
function servedInputs(sent) {
  const events = sent.stored ? withUnsaved(sent.storedThen, sent.events, sent.stored.limit) : sent.events;
  const requestFile = path.join(tmp, 'request.bin');
  writeFileSync(requestFile, encodeRankRequest({ events, candidates: sent.candidates, nowMs: sent.nowMs }));
  return inputs('--request', requestFile)[0];
}

/** The visits as rows of an event log, `rename(visit, i, name)` choosing each row's event name. */
function loggedInputs(rename = (visit, i, name) => name) {
  const t0 = Date.UTC(2026, 5, 1, 12);
  const logFile = path.join(tmp, 'shopper.csv');
  writeLog(
    logFile,
    VISITS.flatMap((actions, visit) =>
      actions.map(([, name, item], i) => [
        t0 + visit * LATER_MS + i * 1000,
        'shopper-1',
        item,
        rename(visit, i, name),
        '',
      ])
    )
  );
  return inputs('--events', logFile).map(({ session, visitor, ...read }) => {
    assert.equal(visitor, 'shopper-1');
    return { session, read };
  });
}

test('the encoder reads the same from visits the browser stored as from the same visits in an event log', async () => {
  const first = servedInputs(await visitInTheBrowser(VISITS[0], 0));
  const second = servedInputs(await visitInTheBrowser(VISITS[1], LATER_MS));
  const logged = loggedInputs();
  assert.deepEqual(
    logged.map((l) => l.session),
    [0, 1],
    'two visits, two sessions'
  );
  assert.ok(first.items.length >= 8, `the visit's item events reach the encoder: ${JSON.stringify(first.items)}`);
  assert.ok(
    new Set(first.kinds).size >= 4,
    `views, impressions, clicks, carts and purchases read their own rows: ${first.kinds}`
  );
  assert.deepEqual(first, logged[0].read, 'after the first visit: bit-identical');
  assert.ok(second.earlier.includes(1) && second.earlier.includes(0), `both visits in the window: ${second.earlier}`);
  assert.deepEqual(second, logged[1].read, 'after the second visit, with the first as an earlier visit: bit-identical');

  // The comparison can fail: the same log with the first click recorded as a view reads differently.
  const changed = loggedInputs((visit, i, name) => (visit === 0 && i === 2 ? 'view' : name));
  assert.notDeepEqual(changed[0].read.kinds, first.kinds);
  assert.notDeepEqual(changed[0].read.vector, first.vector);
});
