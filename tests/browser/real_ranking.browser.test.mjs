// The storefront package with the real wasm engine and a real trained model (no test engine): a shopper browses
// one category, and the listing moves that category up, in place, with an explanation in words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { launchBrowser } from '../support/browser.mjs';
import { tinyModel } from '../support/test_model.mjs';
import { startShop, openPage, vitrineReady, listOrder } from './storefront_support.mjs';

const MERCHANT_ORDER = ['sku-5', 'sku-150', 'sku-90', 'sku-46', 'sku-120', 'sku-52'];
let shop, browser;

before(async () => {
  shop = await startShop({ engine: 'shipped', modelsDir: path.dirname(tinyModel().model) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  shop?.close();
});

test('browsing one category moves its products up, with explanations, using the real model', async () => {
  const { page, seen } = await openPage(browser.context);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(shop.url + 'real.html');
  await vitrineReady(page);
  assert.deepEqual(await listOrder(page), MERCHANT_ORDER, 'data-rank="off": the merchant order until refresh()');
  await page.evaluate(() => {
    for (const li of document.querySelectorAll('#list > li')) li.dataset.marker = 'original';
  });
  // The shopper walks through category 2 (items 41..60), as the simulated sessions do.
  for (const id of [43, 44, 45]) {
    const ok = await page.evaluate(
      (item) => window.vitrine.track({ kind: 'click', item, category: 'category-2' }),
      `sku-${id}`
    );
    assert.equal(ok, true);
  }
  await page.evaluate(() => window.vitrine.refresh());
  const order = await listOrder(page);
  assert.notDeepEqual(order, MERCHANT_ORDER, 'the real model reordered the list');
  // The walk's next item comes first, and both category-2 products stand higher than the merchant put them.
  assert.equal(order[0], 'sku-46', `order: ${order}`);
  for (const id of ['sku-46', 'sku-52']) {
    assert.ok(order.indexOf(id) < MERCHANT_ORDER.indexOf(id), `${id} did not move up: ${order}`);
  }
  // The same nodes were moved, not re-rendered.
  assert.equal(await page.$$eval('#list > li[data-marker="original"]', (lis) => lis.length), 6);
  const explanation = await page.evaluate(() => window.vitrine.explain('sku-46'));
  assert.match(explanation, new RegExp(`^Moved up ${MERCHANT_ORDER.indexOf('sku-46')} places because`));
  // Every explained product says "moved up" exactly when it stands above its place in the merchant's order.
  for (const id of MERCHANT_ORDER) {
    const text = await page.evaluate((item) => window.vitrine.explain(item), id);
    if (text === null) continue;
    const up = order.indexOf(id) < MERCHANT_ORDER.indexOf(id);
    assert.equal(
      /^Moved up/.test(text),
      up,
      `${id} from ${MERCHANT_ORDER.indexOf(id)} to ${order.indexOf(id)}: ${text}`
    );
  }
  const shown = await page.$eval('[data-vitrine-item="sku-46"] [data-vitrine-explain]', (el) => ({
    text: el.textContent,
    children: el.children.length,
  }));
  assert.equal(shown.text, explanation);
  assert.equal(shown.children, 0, 'explanations are text, never markup');
  // Only the page, the package, the wasm and the model were fetched.
  for (const url of requests)
    assert.match(new URL(url).pathname, /^\/(real\.html|shop\.css|vitrine\/.*|models\/tiny\.vtm|favicon\.ico)$/);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(await page.evaluate(() => globalThis.__violations), []);
  await page.close();
});

test('explanations follow the page\u2019s language (<html lang="de-DE">)', async () => {
  const { page, seen } = await openPage(browser.context);
  await page.goto(shop.url + 'real-de.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  for (const id of [43, 44, 45]) {
    await page.evaluate((item) => window.vitrine.track({ kind: 'click', item, category: 'category-2' }), `sku-${id}`);
  }
  await page.evaluate(() => window.vitrine.refresh());
  const order = await listOrder(page);
  assert.equal(order[0], 'sku-46', `order: ${order}`);
  const explanation = await page.evaluate(() => window.vitrine.explain('sku-46'));
  assert.match(explanation, new RegExp(`^${MERCHANT_ORDER.indexOf('sku-46')} Plätze nach oben, weil `));
  assert.doesNotMatch(explanation, /Moved|because/);
  assert.deepEqual(seen.errors, []);
  await page.close();
});
