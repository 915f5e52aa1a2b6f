// A GTM shop without Vitrine markup (data-datalayer="ga4", js/src/ga4.mjs) in headless Chromium under the strict
// CSP: its GA4 ecommerce pushes, before and after Vitrine loads, become the shopper's stored events, prices as the
// shop prints them; track() takes GA4-style items[]; without the attribute the dataLayer is not read.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { shopAndBrowser, openPage, vitrineReady, storedEvents } from './storefront_support.mjs';

const up = shopAndBrowser({ engine: 'test' });

async function freshOrigin(page) {
  await page.goto(up.shop.url + 'other.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
}

const summary = (events) => events.map((e) => [e.kind, e.item ?? null, e.price ?? null, e.qty ?? null]);

test('GA4 pushes before and after Vitrine loads are recorded, with their prices read as printed', async () => {
  const { page, seen } = await openPage(up.browser.context);
  await freshOrigin(page);
  await page.goto(up.shop.url + 'ga4.html');
  await vitrineReady(page);
  await page.click('#buy-p1');
  assert.equal(
    await page.evaluate(() =>
      window.vitrine.track({
        kind: 'purchase',
        items: [
          { item_id: 'p1', price: '49,90', quantity: 2 },
          { item_id: 'p3', price: '$1,299.00' },
        ],
      })
    ),
    true
  );
  assert.equal(
    await page.evaluate(() => window.vitrine.track({ kind: 'purchase', items: [] })),
    false,
    'no items: nothing recorded'
  );
  assert.deepEqual(summary(await storedEvents(page)), [
    [6, 'p1', 49.9, null],
    [6, 'p3', 1299, null], // the list view: impressions
    [2, 'p1', 49.9, 2], // the add_to_cart pushed on the click
    [3, 'p1', 49.9, 2],
    [3, 'p3', 1299, null], // track() with items[]
  ]);
  const stored = await storedEvents(page);
  assert.equal(stored[0].category, 'shoes');
  assert.equal(stored[0].brand, 'Acme');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.warnings, []);
  await page.close();
});

test('without data-datalayer the dataLayer is not read', async () => {
  const { page } = await openPage(up.browser.context);
  await freshOrigin(page);
  await page.goto(up.shop.url + 'other.html');
  await vitrineReady(page);
  await page.evaluate(() => {
    window.dataLayer = window.dataLayer || [];
    window.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'p9', price: 5 }] } });
  });
  assert.deepEqual(await storedEvents(page), []);
  await page.close();
});
