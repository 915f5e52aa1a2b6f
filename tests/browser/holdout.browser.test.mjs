// The holdout arm in headless Chromium (data-holdout, js/src/arm.mjs): the 'off' arm keeps the merchant's order and
// loads no model while its events are still recorded, and the shop's analytics hear the arm and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../support/paths.mjs';
import {
  shopAndBrowser,
  openPage,
  vitrineReady,
  listOrder,
  storedEvents,
  MERCHANT_ORDER,
  callOnShopperClick,
} from './storefront_support.mjs';

const MODEL_VERSION = createHash('sha256')
  .update(readFileSync(path.join(repoRoot, 'tests/fixtures/models/test.vtm')))
  .digest('hex')
  .slice(0, 16);
const HALF = 2 ** 31; // draws below it are 'off' at data-holdout="0.5"

const up = shopAndBrowser({ engine: 'test' });

async function freshOrigin() {
  const { page } = await openPage(up.browser.context);
  await page.goto(up.shop.url + 'other.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  await page.evaluate(() => localStorage.clear());
  await page.close();
}

/** The page's requests for the engine or the model, from now on (the worker's included). */
function watchEngineRequests() {
  const seen = [];
  const onRequest = (r) => {
    if (/\/vitrine\/(?:worker|engine)[\w.-]*\.(?:mjs|wasm)$|\.wasm$|\/models\//.test(new URL(r.url()).pathname))
      seen.push(r.url());
  };
  up.browser.context.on('request', onRequest);
  return { seen, stop: () => up.browser.context.off('request', onRequest) };
}

function exposures(page) {
  return page.evaluate(() => ({
    dataLayer: (window.dataLayer ?? []).filter((e) => e.event === 'vitrine_exposure'),
    callback: window.shopAnalytics?.exposures ?? null,
  }));
}

test('the off arm keeps the merchant\u2019s order and loads no model; its events rank the listing once the shopper is in the on arm', async () => {
  await freshOrigin();
  const { page, seen } = await openPage(up.browser.context);
  const engine = watchEngineRequests();
  try {
    await page.goto(up.shop.url + 'holdout.html'); // data-holdout="1": every shopper is held out
    await vitrineReady(page);
    for (const item of ['p3', 'p5']) {
      assert.equal(
        await page.evaluate((id) => window.vitrine.track({ kind: 'add_to_cart', item: id, category: 'bags' }), item),
        true
      );
    }
    await page.evaluate(() => window.vitrine.track({ kind: 'view', item: 'p6', category: 'hats' }));
    assert.equal(await page.evaluate(() => window.vitrine.refresh()), false, 'refresh() says nothing was reordered');
    assert.deepEqual(await listOrder(page), MERCHANT_ORDER);
    assert.equal(await page.$eval('#list', (l) => l.dataset.vitrineResult), 'holdout');
    assert.equal(await page.$eval('#v-general', (v) => v.hidden), false, 'the slot keeps the shop\u2019s default');
    assert.equal(await page.evaluate(() => window.vitrine.status().arm), 'off');
    assert.deepEqual(engine.seen, [], 'the off arm never loads the engine or the model');
    assert.deepEqual(
      await exposures(page),
      {
        dataLayer: [{ event: 'vitrine_exposure', vitrine_arm: 'off', vitrine_model: null }],
        callback: [{ arm: 'off', model: null }],
      },
      'one exposure per page, however many ranking passes'
    );
    const exported = JSON.parse(await page.evaluate(() => window.vitrine.exportData()));
    assert.equal(exported.arm, 'off', 'the shopper sees their arm in their export');
    assert.deepEqual(
      exported.storage.events.filter((e) => e.kind === 2).map((e) => e.item),
      ['p3', 'p5'],
      'events are still recorded'
    );
    assert.match(await page.evaluate(() => localStorage.getItem('vitrine.arm')), /^\d{1,10}$/);
  } finally {
    engine.stop();
  }
  // The same shopper on a page without a holdout: what the off arm recorded ranks the listing. The bags they added
  // to the cart come first, and the pinned p4 stays at index 3.
  await page.goto(up.shop.url + 'shop.html');
  await vitrineReady(page);
  const order = await listOrder(page);
  assert.deepEqual(order.slice(0, 2), ['p3', 'p5'], order.join());
  assert.equal(order[3], 'p4', 'pinned');
  assert.equal(await page.evaluate(() => window.vitrine.status().arm), 'on');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.warnings, []);
  await page.close();
});

test('the on arm names the model it ranked with: the first 16 hex digits of the model file\u2019s SHA-256', async () => {
  await freshOrigin();
  const { page, seen } = await openPage(up.browser.context);
  await page.goto(up.shop.url + 'shop.html'); // no holdout: everyone is on, and nothing is drawn
  await vitrineReady(page);
  await page.waitForFunction(() => (window.dataLayer ?? []).some((e) => e.event === 'vitrine_exposure'));
  assert.deepEqual((await exposures(page)).dataLayer, [
    { event: 'vitrine_exposure', vitrine_arm: 'on', vitrine_model: MODEL_VERSION },
  ]);
  assert.equal(await page.evaluate(() => localStorage.getItem('vitrine.arm')), null, 'no draw without a holdout');
  assert.deepEqual(seen.warnings, []);
  await page.close();
});

test('the loader and the modules read a stored draw alike, on both sides of the holdout boundary', async () => {
  for (const [draw, arm] of [
    [HALF - 1, 'off'],
    [HALF, 'on'],
  ]) {
    await freshOrigin();
    // A worker per page: the engine's requests are watched through Playwright, which sees no shared worker's.
    const { page, seen } = await openPage(up.browser.context, { workerPerPage: true });
    await page.goto(up.shop.url + 'other.html');
    await page.evaluate((d) => localStorage.setItem('vitrine.arm', String(d)), draw);
    await seedEvent(page);
    // The last page's worker may still be fetching the engine and the model: leave it before watching.
    await page.goto('about:blank');
    const engine = watchEngineRequests();
    try {
      await page.goto(up.shop.url + 'holdout-half.html');
      await vitrineReady(page);
      await page.waitForFunction(() => window.shopAnalytics.exposures.length > 0);
      const result = await page.$eval('#list', (l) => l.dataset.vitrineResult);
      assert.equal(await page.evaluate(() => window.vitrine.status().arm), arm, `draw ${draw}`);
      assert.deepEqual((await exposures(page)).callback, [{ arm, model: arm === 'on' ? MODEL_VERSION : null }]);
      if (arm === 'off') {
        assert.equal(result, 'holdout');
        // Had the loader read the draw as 'on', it would have started the worker and fetched the model early.
        assert.deepEqual(engine.seen, []);
      } else {
        assert.equal(result, 'reordered');
        assert.ok(engine.seen.some((u) => u.endsWith('/models/test.vtm')));
      }
      assert.equal(
        await page.evaluate(() => localStorage.getItem('vitrine.arm')),
        String(draw),
        'the draw is kept as it was'
      );
    } finally {
      engine.stop();
    }
    assert.deepEqual(seen.warnings, []);
    await page.close();
  }
});

async function seedEvent(page) {
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.track({ kind: 'add_to_cart', item: 'p6', category: 'hats' }));
}

test('forget() erases the draw with the events; an opted-out or non-consenting shopper gets no draw', async () => {
  await freshOrigin();
  const { page } = await openPage(up.browser.context);
  await page.goto(up.shop.url + 'holdout.html');
  await vitrineReady(page);
  assert.notEqual(await page.evaluate(() => localStorage.getItem('vitrine.arm')), null);
  assert.equal(await page.evaluate(() => window.vitrine.forget()), true);
  assert.equal(await page.evaluate(() => localStorage.getItem('vitrine.arm')), null);
  assert.deepEqual(await storedEvents(page), []);
  await page.evaluate(() => window.vitrine.optOut());
  await page.goto(up.shop.url + 'holdout.html');
  await vitrineReady(page);
  assert.equal(await page.evaluate(() => window.vitrine.status().arm), null);
  assert.equal(await page.evaluate(() => localStorage.getItem('vitrine.arm')), null);
  assert.deepEqual((await exposures(page)).dataLayer, [], 'an opted-out shopper is in no arm and nothing is announced');
  await callOnShopperClick(page, 'optIn');
  await page.close();
});
