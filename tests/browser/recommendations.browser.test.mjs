// The "similar" ("you may also like") and "picks" widgets (js/src/widgets.mjs) in headless Chromium under the strict
// CSP, with the real wasm engine and the tiny trained model (tests/support/test_model.mjs: shoppers walk a category
// in id order, so after sku-43, sku-44 and sku-45 the model expects sku-46). The products come from the model's
// top-K over the whole catalog; their names, links and stock from the shop's product feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { launchBrowser } from '../support/browser.mjs';
import { tinyModel } from '../support/test_model.mjs';
import { startShop, openPage, vitrineReady } from './storefront_support.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const TAG = 'data-consent="not-required" data-model="/models/tiny.vtm" data-view-dwell-ms="60000"';

function pageWith(tag, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Recommendations</title>
<script src="/vitrine/vitrine.js" ${tag} defer></script></head><body>${body}</body></html>`;
}

const TEMPLATE =
  '<template data-vitrine-template><a class="card" data-vitrine-field="url"><span data-vitrine-field="name"></span> ' +
  '<span data-vitrine-field="price"></span></a></template>';
const PRODUCT_PAGE = `<main data-vitrine-item="sku-45" data-vitrine-category="category-2">Product 45</main>
<section id="similar" data-vitrine-widget="similar" data-vitrine-products="/products.json" data-vitrine-limit="4" hidden>
  <h2>You may also like</h2>
  <a data-vitrine-pin data-vitrine-item="sku-48" href="/p/sku-48">The shop's own pick</a>
  ${TEMPLATE}
</section>
<section id="picks" data-vitrine-widget="picks" data-vitrine-products="/products.json" data-vitrine-limit="5" hidden>
  <h2>Picked for you</h2>${TEMPLATE}
</section>`;

// Every product of the tiny model; sku-58 (the model's second) is out of stock, sku-46's name is markup and its link
// leaves the shop.
const FEED = {
  products: Array.from({ length: 200 }, (_, i) => {
    const id = `sku-${i + 1}`;
    if (id === 'sku-46') return { id, name: HOSTILE, url: 'https://evil.example/p/sku-46', price: 46 };
    return {
      id,
      name: `Product ${i + 1}`,
      url: `/p/${id}`,
      price: i + 1,
      ...(id === 'sku-58' ? { available: false } : {}),
    };
  }),
};

let shop, browser;
before(async () => {
  shop = await startShop({
    engine: 'shipped',
    modelsDir: path.dirname(tinyModel().model),
    pages: {
      'start.html': pageWith(TAG, '<p>Another page</p>'),
      'product.html': pageWith(TAG, PRODUCT_PAGE),
      'product-holdout.html': pageWith(`${TAG} data-holdout="1"`, PRODUCT_PAGE),
      'product-consent.html': pageWith(TAG.replace('not-required', 'required'), PRODUCT_PAGE),
      'product-no-feed.html': pageWith(TAG, PRODUCT_PAGE.replaceAll(' data-vitrine-products="/products.json"', '')),
      'products.json': JSON.stringify(FEED),
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  shop?.close();
});

/**
 * A page whose shopper viewed sku-43 and sku-44 (category 2) on another page, then opened `path`; with the paths of
 * every request the page made.
 */
async function shopperWhoWalkedTo(path) {
  const { page, seen } = await openPage(browser.context);
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(shop.url + 'start.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  await page.evaluate(() => localStorage.clear());
  for (const item of ['sku-43', 'sku-44']) {
    const ok = await page.evaluate(
      (id) => window.vitrine.track({ kind: 'view', item: id, category: 'category-2' }),
      item
    );
    assert.equal(ok, true);
  }
  await page.goto(shop.url + path);
  await vitrineReady(page);
  return { page, seen, requests };
}

const cards = (page, widget) =>
  page.$$eval(`#${widget} [data-vitrine-rendered]`, (els) =>
    els.map((a) => ({
      item: a.dataset.vitrineItem,
      href: a.getAttribute('href'),
      name: a.querySelector('[data-vitrine-field="name"]').textContent,
      tags: a.querySelectorAll('*').length,
    }))
  );

test('you may also like: the model\u2019s next products after this one, from the feed, in stock, as text', async () => {
  const { page, seen, requests } = await shopperWhoWalkedTo('product.html');
  const similar = await cards(page, 'similar');
  assert.equal(await page.$eval('#similar', (w) => w.hidden), false);
  assert.equal(similar.length, 4);
  // sku-46 is what the walk 43, 44, 45 leads to: first, its markup name shown as text, its foreign link dropped.
  assert.deepEqual(similar[0], { item: 'sku-46', href: null, name: HOSTILE, tags: 2 });
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const shown = similar.map((c) => c.item);
  for (const left of ['sku-45', 'sku-58', 'sku-48'])
    assert.ok(!shown.includes(left), `${left} (the page's product, out of stock, pinned) is not shown: ${shown}`);
  for (const card of similar.slice(1)) {
    assert.equal(card.href, `${shop.url}p/${card.item}`);
    assert.equal(card.name, `Product ${card.item.slice(4)}`);
  }
  // The shop's pinned card keeps its place, before Vitrine's.
  assert.equal(await page.$eval('#similar > a', (a) => a.dataset.vitrinePin), '');
  // Picks: the shopper's whole history, leaving out what they viewed.
  const picks = (await cards(page, 'picks')).map((c) => c.item);
  assert.equal(picks.length, 5);
  for (const viewed of ['sku-43', 'sku-44', 'sku-45', 'sku-58']) assert.ok(!picks.includes(viewed), `${picks}`);
  // ... and following it (read by the worker from the store, and by the page for what it leaves out): after 43 and
  // 44 the model expects 45, which is on the page, then 46.
  assert.equal(picks[0], 'sku-46', `${picks}`);
  // The feed is fetched once for both widgets, and nothing else beyond the page, the package and the model.
  assert.equal(requests.filter((p) => p === '/products.json').length, 1);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.warnings, []);
  // forget() takes both back.
  assert.equal(await page.evaluate(() => window.vitrine.forget()), true);
  assert.deepEqual(await cards(page, 'similar'), []);
  assert.deepEqual(await cards(page, 'picks'), []);
  assert.equal(await page.$eval('#picks', (w) => w.hidden), true);
  await page.close();
});

test('before consent nothing is filled and no feed is fetched', async () => {
  const { page, requests } = await shopperWhoWalkedTo('product-consent.html');
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'waiting-consent');
  assert.deepEqual(await cards(page, 'similar'), []);
  assert.equal(await page.$eval('#picks', (w) => w.hidden), true);
  assert.ok(!requests.includes('/products.json'));
  await page.close();
});

test('the holdout arm and a widget without a feed stay as the shop rendered them', async () => {
  const { page, seen, requests } = await shopperWhoWalkedTo('product-holdout.html');
  assert.equal(await page.evaluate(() => window.vitrine.status().arm), 'off');
  assert.deepEqual(await cards(page, 'similar'), []);
  assert.equal(await page.$eval('#similar', (w) => w.hidden), true);
  assert.ok(!requests.includes('/products.json'), 'the off arm fetches no feed');
  await page.goto(shop.url + 'product-no-feed.html');
  await vitrineReady(page);
  assert.deepEqual(await cards(page, 'similar'), []);
  assert.equal(await page.$eval('#picks', (w) => w.hidden), true);
  assert.ok(
    seen.warnings.some((w) => /data-vitrine-products/.test(w)),
    `one warning names the missing attribute: ${seen.warnings}`
  );
  await page.close();
});
