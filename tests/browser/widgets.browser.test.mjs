// The "recently viewed" widget (data-vitrine-widget="recent", js/src/widgets.mjs) in headless Chromium under the
// strict CSP: the shopper's own views, newest first, cloned from the shop's template and filled with text and
// same-origin links only; not in the holdout arm; taken back by forget().
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { shopAndBrowser, openPage, vitrineReady } from './storefront_support.mjs';

const up = shopAndBrowser({ engine: 'test' });
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

async function shopperWhoViewed(page) {
  await page.goto(up.shop.url + 'other.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  await page.evaluate(() => localStorage.clear());
  const t = Date.now() - 60_000;
  const views = [
    { kind: 'view', item: 'p1', name: 'Shoe one', url: '/p/p1', image: '/img/p1.png', price: 49.5, t },
    { kind: 'view', item: 'p2', name: 'Shoe two', url: '/p/p2', t: t + 1000 }, // the page's own product
    {
      kind: 'view',
      item: 'p3',
      name: HOSTILE,
      url: 'https://evil.example/p3',
      image: 'https://evil.example/x.png',
      t: t + 2000,
    },
    { kind: 'view', item: 'p4', t: t + 3000 }, // no name or url: not shown
    { kind: 'view', item: 'p1', name: 'Shoe one', url: '/p/p1', t: t + 4000 }, // seen again: listed once, newest
  ];
  for (const v of views) assert.equal(await page.evaluate((e) => window.vitrine.track(e), v), true);
}

const cards = (page) =>
  page.$$eval('#recent [data-vitrine-rendered]', (els) =>
    els.map((a) => ({
      item: a.dataset.vitrineItem,
      href: a.getAttribute('href'),
      src: a.querySelector('img')?.getAttribute('src') ?? null,
      name: a.querySelector('[data-vitrine-field="name"]').textContent,
      tags: a.querySelectorAll('*').length,
    }))
  );

test('recently viewed: newest first, without the page\u2019s product, names as text, links only to the shop', async () => {
  const { page, seen } = await openPage(up.browser.context);
  await shopperWhoViewed(page);
  await page.goto(up.shop.url + 'recent.html');
  await vitrineReady(page);
  assert.equal(await page.$eval('#recent', (w) => w.hidden), false);
  assert.deepEqual(await cards(page), [
    { item: 'p1', href: up.shop.url + 'p/p1', src: null, name: 'Shoe one', tags: 3 }, // its newest view kept no image
    { item: 'p3', href: null, src: null, name: HOSTILE, tags: 3 },
  ]);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.warnings, []);
  // forget() takes the widget back to the shop's own (hidden) state.
  assert.equal(await page.evaluate(() => window.vitrine.forget()), true);
  assert.deepEqual(await cards(page), []);
  assert.equal(await page.$eval('#recent', (w) => w.hidden), true);
  await page.close();
});

test('nothing viewed yet: the widget stays as the shop rendered it', async () => {
  const { page } = await openPage(up.browser.context);
  await page.goto(up.shop.url + 'other.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  await page.goto(up.shop.url + 'recent.html');
  await vitrineReady(page);
  assert.equal(await page.$eval('#recent', (w) => w.hidden), true);
  assert.deepEqual(await cards(page), []);
  await page.close();
});

test('the holdout arm sees the shop\u2019s page as is: no widget filled', async () => {
  const { page } = await openPage(up.browser.context);
  await shopperWhoViewed(page);
  await page.goto(up.shop.url + 'recent-holdout.html'); // data-holdout="1"
  await vitrineReady(page);
  assert.equal(await page.evaluate(() => window.vitrine.status().arm), 'off');
  assert.equal(await page.$eval('#recent', (w) => w.hidden), true);
  assert.deepEqual(await cards(page), []);
  await page.close();
});
