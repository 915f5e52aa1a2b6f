// The merchant in the loop: the shop's order blended with the personal score, boosts, stock and diversity, read
// from the listing's markup (js/src/dom.mjs) and applied by the engine (ranker.h) and the order stage
// (ranking_service.mjs diversify). The engine's rules against a profile that pulls the other way are also tested
// natively (tests/core/ranker_test.cc); here through the wasm engine and the markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DEFAULT_BLEND, SEARCH_BLEND, describeItem, listingRules } from '../../js/src/dom.mjs';
import { diversify, orderByScore } from '../../js/src/ranking_service.mjs';
import { explanationText } from '../../js/src/explain.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { tinyModel } from '../support/test_model.mjs';
import { FakeDocument, makeList } from './fake_dom.mjs';

const now = Date.UTC(2026, 10, 29, 12);
const view = (item, minutesAgo, extra = {}) => ({
  kind: 0,
  item,
  t: now - minutesAgo * 60_000,
  dwellMs: 6000,
  ...extra,
});
// The learned walk of the tiny model: after sku-43..45 the model wants sku-46, which the shop lists last.
const events = [
  view('sku-43', 3, { category: 'category-2' }),
  view('sku-44', 2, { category: 'category-2' }),
  view('sku-45', 1, { category: 'category-2' }),
];
const shopOrder = ['sku-120', 'sku-7', 'sku-190', 'sku-46'];

async function withEngine(fn) {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(tinyModel().bytes);
    return fn(engine);
  } finally {
    engine.release();
  }
}

test('the package\u2019s default blend is the engine\u2019s: a request without one scores exactly as with DEFAULT_BLEND', async () => {
  await withEngine((engine) => {
    const candidates = shopOrder.map((id) => ({ id }));
    const without = engine.rank({ events, candidates, nowMs: now }, { explain: false }).scores;
    const given = engine.rank({ events, candidates, nowMs: now, blend: DEFAULT_BLEND }, { explain: false }).scores;
    assert.deepEqual(Array.from(given), Array.from(without));
    const other = engine.rank({ events, candidates, nowMs: now, blend: DEFAULT_BLEND + 1 }, { explain: false }).scores;
    assert.notDeepEqual(Array.from(other), Array.from(without), 'the blend is read');
  });
});

test('blend 0 is the personal order, a large blend the shop\u2019s; the shop\u2019s place comes from position, not the page', async () => {
  await withEngine((engine) => {
    const rank = (candidates, blend) =>
      orderByScore(candidates, engine.rank({ events, candidates, nowMs: now, blend }, { explain: false }).scores);
    const candidates = shopOrder.map((id) => ({ id }));
    assert.equal(rank(candidates, 0)[0], 'sku-46', 'the model\u2019s pick leads on its own');
    assert.deepEqual(rank(candidates, 100), shopOrder, 'the shop\u2019s order, whatever the profile says');
    // The page shows sku-46 first (Vitrine moved it); its position says the shop put it last.
    const asShown = ['sku-46', 'sku-120', 'sku-7', 'sku-190'].map((id) => ({ id, position: shopOrder.indexOf(id) }));
    assert.deepEqual(rank(asShown, 100), shopOrder);
  });
});

test('a boost and a bury hold against the profile; out of stock goes last and says so', async () => {
  await withEngine((engine) => {
    const rank = (candidates) => {
      const { scores, reasons } = engine.rank({ events, candidates, nowMs: now, blend: 0 });
      return { order: orderByScore(candidates, scores), reasons };
    };
    const buried = rank(shopOrder.map((id) => ({ id, ...(id === 'sku-46' ? { boost: -50 } : {}) })));
    assert.equal(buried.order.at(-1), 'sku-46');
    const boosted = rank(shopOrder.map((id) => ({ id, ...(id === 'sku-190' ? { boost: 50 } : {}) })));
    assert.equal(boosted.order[0], 'sku-190');
    assert.match(boosted.reasons.find((r) => r.id === 'sku-190').text, /the shop features it/);
    const stock = rank(shopOrder.map((id) => ({ id, ...(id === 'sku-46' ? { available: false } : {}) })));
    assert.equal(stock.order.at(-1), 'sku-46');
    assert.equal(
      stock.reasons.find((r) => r.id === 'sku-46').text,
      'Shown after the products in stock: it is out of stock.'
    );
  });
});

test('diversify: at most max of one group in the first top places, the best of the rest otherwise', () => {
  const candidates = [
    { id: 'a1', brand: 'A' },
    { id: 'a2', brand: 'A' },
    { id: 'a3', brand: 'A' },
    { id: 'b1', brand: 'B' },
    { id: 'x' },
    { id: 'a4', brand: 'A' },
  ];
  const order = ['a1', 'a2', 'a3', 'a4', 'b1', 'x']; // the profile pulls brand A to the top
  assert.deepEqual(diversify(order, candidates, { by: 'brand', max: 2, top: 4 }), ['a1', 'a2', 'b1', 'x', 'a3', 'a4']);
  assert.deepEqual(
    diversify(order, candidates, { by: 'brand', max: 1, top: 6 }),
    ['a1', 'b1', 'x', 'a2', 'a3', 'a4'],
    'when every group is full the best left comes next'
  );
  assert.deepEqual(diversify(order, candidates, null), order);
  assert.deepEqual(diversify(order, candidates, { by: 'category', max: 1, top: 6 }), order, 'no categories: no groups');
});

test('the markup: boost, stock, blend, search pages and diversity are read, and bad values fall back', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c', 'd']);
  const [a, b, c, d] = list.children;
  a.setAttribute('data-vitrine-boost', '2.5');
  b.setAttribute('data-vitrine-boost', '1e9');
  c.setAttribute('data-vitrine-available', 'FALSE');
  d.setAttribute('data-vitrine-available', 'no');
  assert.deepEqual(describeItem(a), { id: 'a', boost: 2.5 });
  assert.deepEqual(describeItem(b), { id: 'b' }, 'out of range: no boost');
  assert.deepEqual(describeItem(c), { id: 'c', available: false });
  assert.deepEqual(describeItem(d), { id: 'd' }, 'only "false" means out of stock');
  // No weight of its own: undefined, so the engine uses the model's (learned, else DEFAULT_BLEND).
  assert.deepEqual(listingRules(list), { blend: undefined, diversity: null, rankBy: null });
  list.setAttribute('data-vitrine-search-page', '');
  assert.equal(listingRules(list).blend, SEARCH_BLEND);
  list.setAttribute('data-vitrine-blend', '0');
  assert.equal(listingRules(list).blend, 0, 'the page\u2019s own weight wins');
  list.setAttribute('data-vitrine-blend', '-1');
  assert.equal(listingRules(list).blend, SEARCH_BLEND);
  list.setAttribute('data-vitrine-diversity', 'brand:2/8');
  assert.deepEqual(listingRules(list).diversity, { by: 'brand', max: 2, top: 8 });
  for (const bad of ['brand:0/8', 'colour:2/8', 'brand:2', 'brand:2/8; x']) {
    list.setAttribute('data-vitrine-diversity', bad);
    assert.equal(listingRules(list).diversity, null, bad);
  }
  // What the listing is ordered by: its own value, or null (the tag's data-rank-by) when it says nothing usable.
  for (const [given, read] of [
    ['value', 'value'],
    [' Conversion ', 'conversion'],
    ['relevance', 'relevance'],
    ['revenue', null],
    ['', null],
  ]) {
    list.setAttribute('data-vitrine-rank-by', given);
    assert.equal(listingRules(list).rankBy, read, given);
  }
});

test('explanations word the merchant\u2019s terms as the shop\u2019s, never as the shopper\u2019s', () => {
  const text = explanationText([{ kind: 'boost', name: '', contribution: 3, events: 0 }], { from: 5, to: 0 });
  assert.equal(text, 'Moved up 5 places because the shop features it.');
});
