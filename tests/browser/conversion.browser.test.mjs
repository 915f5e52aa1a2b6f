// data-rank-by on the tag, in Chromium with the shipped package and real models trained by the CLI
// (tests/js/conversion_models.mjs): with a model that has a conversion head, data-rank-by="value" orders the listing
// as the engine's rank with rankBy 'value' does for the same events; with a model trained on views only, the listing
// is ranked by relevance and the console gets exactly one warning saying why. A listing's data-vitrine-rank-by wins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launchBrowser } from '../support/browser.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { orderByScore } from '../../js/src/ranking_service.mjs';
import { conversionModels, priceOf } from '../js/conversion_models.mjs';
import { startShop, openPage, vitrineReady, listOrder, storedEvents } from './storefront_support.mjs';

// The shop's order; mid-5 has no price on the page (it takes the median of the others for 'value').
const MERCHANT_ORDER = ['cold-4', 'mid-3', 'hot-4', 'cold-5', 'hot-5', 'mid-5', 'hot-6', 'cold-6'];
const UNPRICED = 'mid-5';
const category = (id) => `cat-${Number(id.split('-')[1]) % 3}`;
const candidatesOnPage = MERCHANT_ORDER.map((id, position) => ({
  id,
  category: category(id),
  ...(id === UNPRICED ? {} : { price: priceOf(id) }),
  position,
}));

function shopPage(model) {
  const items = candidatesOnPage.map(
    (c) =>
      `    <li data-vitrine-item="${c.id}" data-vitrine-category="${c.category}"` +
      `${c.price === undefined ? '' : ` data-vitrine-price="${c.price.toFixed(2)}"`}><a href="#${c.id}">${c.id}</a> <small data-vitrine-explain></small></li>`
  );
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Test shop ranked by value</title>
  <script src="/vitrine/vitrine.js" data-consent="not-required" data-model="/models/${model}" data-view-dwell-ms="60000" data-rank="off" data-rank-by="value" defer></script>
</head>
<body>
  <ul data-vitrine-list data-vitrine-blend="0" id="list">
${items.join('\n')}
  </ul>
</body>
</html>
`;
}

let shop, browser, modelsDir, models;

before(async () => {
  models = conversionModels();
  modelsDir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-conversion-models-'));
  copyFileSync(models.both.model, path.join(modelsDir, 'conversion.vtm'));
  copyFileSync(models.viewsOnly.model, path.join(modelsDir, 'views.vtm'));
  shop = await startShop({
    engine: 'shipped',
    modelsDir,
    pages: { 'value.html': shopPage('conversion.vtm'), 'value-views.html': shopPage('views.vtm') },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  shop?.close();
  if (modelsDir) rmSync(modelsDir, { recursive: true, force: true });
});

/** The shopper looks at every product of the listing, then the shop asks for a ranking. */
async function browseAndRank(page) {
  await vitrineReady(page);
  assert.deepEqual(await listOrder(page), MERCHANT_ORDER, 'data-rank="off": the merchant order until refresh()');
  assert.equal(await page.evaluate(() => window.vitrine.forget()), true, 'each test starts from no history');
  for (const id of MERCHANT_ORDER) {
    assert.equal(
      await page.evaluate(
        (c) => window.vitrine.track({ kind: 'view', item: c.id, category: c.category, dwellMs: 5000 }),
        { id, category: category(id) }
      ),
      true
    );
  }
  assert.equal(await page.evaluate(() => window.vitrine.refresh()), true);
  return { order: await listOrder(page), events: await storedEvents(page) };
}

/** The order the engine gives these events and candidates (the page's blend 0), in Node. */
async function engineOrder(bytes, events, rankBy) {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(bytes);
    const { scores } = engine.rank(
      { events, candidates: candidatesOnPage, nowMs: Date.now(), blend: 0, ...(rankBy ? { rankBy } : {}) },
      { explain: false }
    );
    return orderByScore(candidatesOnPage, scores);
  } finally {
    engine.release();
  }
}

test('data-rank-by="value" orders the listing as the engine ranks by value, and the reason names the chance', async () => {
  const { page, seen } = await openPage(browser.context);
  await page.goto(`${shop.url}value.html`);
  const { order, events } = await browseAndRank(page);
  assert.equal(events.length, MERCHANT_ORDER.length);
  const byValue = await engineOrder(models.both.bytes, events, 'value');
  assert.deepEqual(order, byValue);
  // The test tells the three apart: by value is neither the shop's order nor what relevance would give here.
  assert.notDeepEqual(byValue, MERCHANT_ORDER);
  assert.notDeepEqual(byValue, await engineOrder(models.both.bytes, events, null), 'relevance orders otherwise here');
  const explanation = await page.evaluate((id) => window.vitrine.explain(id), order[0]);
  assert.match(explanation, /your chance of buying it this visit is (\d+|<1)%/);
  // The listing's own data-vitrine-rank-by wins over the tag's.
  await page.$eval('#list', (list) => list.setAttribute('data-vitrine-rank-by', 'relevance'));
  assert.equal(await page.evaluate(() => window.vitrine.refresh()), true);
  assert.deepEqual(await listOrder(page), await engineOrder(models.both.bytes, events, null));
  assert.deepEqual(seen.warnings, []);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(await page.evaluate(() => globalThis.__violations), []);
  await page.close();
});

test('with a model trained on views only, data-rank-by="value" ranks by relevance, with exactly one warning', async () => {
  const { page, seen } = await openPage(browser.context);
  await page.goto(`${shop.url}value-views.html`);
  const { order, events } = await browseAndRank(page);
  assert.deepEqual(order, await engineOrder(models.viewsOnly.bytes, events, null));
  // Ranking again does not warn again.
  assert.equal(await page.evaluate(() => window.vitrine.refresh()), true);
  assert.deepEqual(seen.warnings, [
    '[vitrine] data-rank-by="value" needs a model trained on carts or purchases; ranking by relevance',
  ]);
  assert.deepEqual(seen.errors, []);
  const status = await page.evaluate(() => window.vitrine.status());
  assert.equal(status.ranking, 'available');
  assert.ok(
    ['reordered', 'unchanged'].includes(await page.$eval('#list', (list) => list.dataset.vitrineResult)),
    'ranked, not failed'
  );
  await page.close();
});
