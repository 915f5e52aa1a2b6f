// A model whose catalog is out of its file, in headless Chromium under the strict CSP: the tiny test model split by
// `vitrine export-codes` (its cards carry data-vitrine-code) and indexed by `vitrine build-index` (data-index). The
// listing is ordered as the whole model orders it, the widget reads only the shards its probe names, and a shard
// fetched once comes from the Cache API afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { launchBrowser } from '../support/browser.mjs';
import { runVitrine, tinyModel } from '../support/test_model.mjs';
import { listOrder, startShop, openPage, vitrineReady } from './storefront_support.mjs';

const PROBE = 2;
let shop, browser, dir;
const requested = [];

// data-late-reorder="all": the whole listing may move however late its order comes (these pages compare orders).
function pageWith(tag, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Coded catalog</title>
<script src="/vitrine/vitrine.js" data-consent="not-required" data-view-dwell-ms="60000" data-late-reorder="all" ${tag}
  defer></script>
</head><body>${body}</body></html>`;
}

before(async () => {
  const tiny = tinyModel();
  dir = mkdtempSync(path.join(tmpdir(), 'vitrine-coded-shop-'));
  const run = (...args) => {
    const r = runVitrine(...args);
    assert.equal(r.status, 0, r.stderr);
  };
  const feed = {
    products: Array.from({ length: 200 }, (_, i) => ({
      id: `sku-${i + 1}`,
      name: `Product ${i + 1}`,
      url: `/p/sku-${i + 1}`,
    })),
  };
  writeFileSync(path.join(dir, 'feed.json'), JSON.stringify(feed));
  run(
    'export-codes',
    '--model',
    tiny.model,
    '--out-model',
    path.join(dir, 'encoder.vtm'),
    '--out-codes',
    path.join(dir, 'codes.json')
  );
  const buildIndex = (out, ...extra) =>
    run(
      ...['build-index', '--model', path.join(dir, 'encoder.vtm'), '--item-codes', path.join(dir, 'codes.json')],
      ...['--out', path.join(dir, out), '--clusters', '4', '--probe', String(PROBE), ...extra]
    );
  buildIndex('index', '--products', path.join(dir, 'feed.json'));
  buildIndex('bare-index'); // the same index without the shard feeds
  copyFileSync(tiny.model, path.join(dir, 'tiny.vtm'));
  const codes = JSON.parse(readFileSync(path.join(dir, 'codes.json'), 'utf8')).codes;

  // A category page of 30 products of category 2 ranked by the model alone (blend 0), the shop's order the reverse
  // of the shoppers' walk, with and without their codes.
  const ids = Array.from({ length: 30 }, (_, i) => `sku-${70 - i}`);
  const listing = (withCodes) =>
    `<ul id="list" data-vitrine-list data-vitrine-blend="0">${ids
      .map((id) => `<li data-vitrine-item="${id}"${withCodes ? ` data-vitrine-code="${codes[id]}"` : ''}>${id}</li>`)
      .join('')}</ul>`;
  // The widget names the whole feed, or (feeds) none: its products then come from the feeds beside the shards.
  const widget = (feeds) => `<main data-vitrine-item="sku-45" data-vitrine-code="${codes['sku-45']}">Product 45</main>
<section id="similar" data-vitrine-widget="similar"${feeds ? '' : ' data-vitrine-products="/products.json"'}
  data-vitrine-limit="4" hidden>
<template data-vitrine-template><a data-vitrine-field="url"><span data-vitrine-field="name"></span></a></template>
</section>`;
  const CODED = 'data-model="/models/encoder.vtm" data-index="/models/index/index.vti"';
  shop = await startShop({
    engine: 'shipped',
    modelsDir: dir,
    onRequest: (urlPath) => requested.push(urlPath),
    pages: {
      'whole.html': pageWith('data-model="/models/tiny.vtm"', listing(false)),
      'coded.html': pageWith(CODED, listing(true)),
      'uncoded.html': pageWith(CODED, listing(false)),
      'product.html': pageWith(CODED, widget(false)),
      'product-feeds.html': pageWith(CODED, widget(true)),
      'product-no-feeds.html': pageWith(
        'data-model="/models/encoder.vtm" data-index="/models/bare-index/index.vti"',
        widget(true)
      ),
      'products.json': JSON.stringify(feed),
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  shop?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The shopper viewed sku-43 and sku-44 (with their codes, as a card would record them) before opening `page`.
async function shopperOn(name, context = browser.context) {
  const { page, seen } = await openPage(context);
  await page.goto(shop.url + 'whole.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  const codes = JSON.parse(readFileSync(path.join(dir, 'codes.json'), 'utf8')).codes;
  for (const id of ['sku-43', 'sku-44'])
    assert.equal(
      await page.evaluate(([item, code]) => window.vitrine.track({ kind: 'view', item, code }), [id, codes[id]]),
      true
    );
  await page.goto(shop.url + name);
  await vitrineReady(page);
  return { page, seen };
}

test('a listing whose cards carry their codes is ordered as the whole model orders it', async () => {
  const whole = await shopperOn('whole.html');
  assert.equal(await whole.page.$eval('#list', (l) => l.dataset.vitrineResult), 'reordered');
  const wholeOrder = await listOrder(whole.page);
  await whole.page.close();
  const coded = await shopperOn('coded.html');
  assert.equal(await coded.page.$eval('#list', (l) => l.dataset.vitrineResult), 'reordered');
  const codedOrder = await listOrder(coded.page);
  assert.deepEqual(codedOrder.slice(0, 5), wholeOrder.slice(0, 5));
  assert.deepEqual(coded.seen.errors, []);
  // The stored events kept the codes the shopper's views came with.
  const events = await coded.page.evaluate(async () => JSON.parse(await window.vitrine.exportData()).storage.events);
  assert.ok(events.filter((e) => e.item === 'sku-43').every((e) => typeof e.code === 'string' && e.code.length > 10));
  await coded.page.close();
  // Without codes the encoder knows none of the cards: the listing does not follow the model.
  const bare = await shopperOn('uncoded.html');
  assert.notDeepEqual((await listOrder(bare.page)).slice(0, 5), wholeOrder.slice(0, 5));
  await bare.page.close();
});

test('the widget reads the index head and only the probed shards, each once across pages', async () => {
  requested.length = 0;
  const first = await shopperOn('product.html');
  await first.page.waitForFunction(() => document.querySelectorAll('#similar [data-vitrine-rendered]').length === 4);
  const shards = () => requested.filter((p) => p.startsWith('/models/index/s-'));
  assert.equal(requested.filter((p) => p === '/models/index/index.vti').length, 1);
  assert.equal(shards().length, PROBE, `read ${shards()}`);
  assert.ok(!requested.includes('/models/codes.json'), 'the codes file is the templates’, never fetched');
  assert.deepEqual(first.seen.errors, []);
  // The same shopper on the same page again: the shards come from the Cache API (the server sends no-store).
  const before = shards().length;
  await first.page.reload();
  await vitrineReady(first.page);
  await first.page.waitForFunction(() => document.querySelectorAll('#similar [data-vitrine-rendered]').length === 4);
  assert.equal(shards().length, before, 'no shard fetched twice');
  const shown = await first.page.$$eval('#similar [data-vitrine-rendered]', (els) =>
    els.map((a) => a.dataset.vitrineItem)
  );
  assert.ok(!shown.includes('sku-45'), `the page's own product is not recommended: ${shown}`);
  await first.page.close();
});

test('without a feed of its own, the widget reads the feeds beside the shards its products came from', async (t) => {
  // The shards an earlier test read would not be requested: a browser of its own, with an empty Cache API and no
  // ranking worker that kept them in memory.
  const own = await launchBrowser();
  t.after(() => own.close());
  requested.length = 0;
  const { page, seen } = await shopperOn('product-feeds.html', own.context);
  await page.waitForFunction(() => document.querySelectorAll('#similar [data-vitrine-rendered]').length === 4);
  const shards = requested.filter((p) => p.startsWith('/models/index/s-') && p.endsWith('.vts'));
  const feeds = requested.filter((p) => p.startsWith('/models/index/s-') && p.endsWith('.json'));
  assert.equal(shards.length, PROBE);
  assert.ok(feeds.length >= 1, `feeds read: ${feeds}`);
  for (const f of feeds) assert.ok(shards.includes(f.replace(/\.json$/, '.vts')), `${f} is beside a shard read`);
  assert.ok(!requested.includes('/products.json'), 'the whole feed is not read');
  const shown = await page.$$eval('#similar [data-vitrine-rendered]', (els) =>
    els.map((a) => [a.dataset.vitrineItem, a.textContent.trim(), a.getAttribute('href')])
  );
  for (const [id, name, href] of shown) {
    assert.equal(name, `Product ${id.slice(4)}`);
    assert.equal(new URL(href).pathname, `/p/${id}`);
  }
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('an index without shard feeds leaves such a widget as the shop rendered it, and says the feeds are missing', async () => {
  requested.length = 0;
  const { page, seen } = await shopperOn('product-no-feeds.html');
  await page.waitForFunction(() => window.vitrine.status().ranking !== 'starting');
  await page.evaluate(() => window.vitrine.settled?.());
  await page.waitForTimeout(500);
  assert.equal(await page.$$eval('#similar [data-vitrine-rendered]', (els) => els.length), 0);
  assert.equal(await page.$eval('#similar', (s) => s.hidden), true, 'the widget stays hidden, as rendered');
  const feeds = requested.filter((p) => p.startsWith('/models/bare-index/') && p.endsWith('.json'));
  assert.ok(feeds.length >= 1 && feeds.length <= PROBE, `one round of feed requests: ${feeds}`);
  // The browser itself logs each missing file; nothing else is an error.
  assert.deepEqual(
    seen.errors.filter((e) => !/status of 404/.test(e)),
    []
  );
  assert.ok(
    seen.warnings.every((w) => /product feed/.test(w)),
    JSON.stringify(seen.warnings)
  );
  await page.close();
});
