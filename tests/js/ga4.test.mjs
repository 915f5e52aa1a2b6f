// GA4 ecommerce events as Vitrine events (js/src/ga4.mjs) and prices as shops print them (js/src/price.mjs). The
// page side (data-datalayer="ga4", track() with items[]) is tests/browser/ga4.browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parsePrice } from '../../js/src/price.mjs';
import { bridgeDataLayer, dataLayerEvents, itemEvents } from '../../js/src/ga4.mjs';
import { toRecord } from '../../js/src/events.mjs';

test('parsePrice reads the ways shops print prices, and refuses what is not one', () => {
  const cases = [
    ['49,90', 49.9],
    ['49.90', 49.9],
    ['1.299,00 €', 1299],
    ['$1,299.00', 1299],
    ['1 299,00 kr', 1299],
    ['1\u00a0299,50', 1299.5],
    ["CHF 1'299.50", 1299.5],
    ['1,299', 1299],
    ['1.299', 1299],
    ['0,5', 0.5],
    ['1.234.567', 1234567],
    ['1,234,567.89', 1234567.89],
    ['€ 49', 49],
    ['12', 12],
    [1299, 1299],
    [0, 0],
    ['abc', null],
    ['', null],
    ['-5', null],
    ['- 5', null],
    [-1, null],
    [NaN, null],
    [Infinity, null],
    [null, null],
    [{}, null],
  ];
  for (const [text, expected] of cases) assert.equal(parsePrice(text), expected, JSON.stringify(text));
});

test('toRecord stores a printed price as a number', () => {
  assert.equal(toRecord({ kind: 'view', item: 'a', price: '1.299,00 €' }, Date.now()).record.price, 1299);
  assert.equal(toRecord({ kind: 'view', item: 'a', price: 'n/a' }, Date.now()).record.price, undefined);
});

const items = [
  {
    item_id: 'SKU_1',
    item_name: 'Trail runner',
    item_brand: 'Acme',
    item_category: 'shoes',
    price: '49,90',
    quantity: 2,
    index: 0,
    item_list_id: 'shoes',
  },
  { item_id: 42, price: 10 },
];

test('GA4 events map to Vitrine events, one per item, from GTM objects and gtag arguments alike', () => {
  const expected = [
    { kind: 'add_to_cart', item: 'SKU_1', category: 'shoes', brand: 'Acme', price: 49.9, qty: 2 },
    { kind: 'add_to_cart', item: '42', price: 10 },
  ];
  assert.deepEqual(dataLayerEvents({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items } }), expected);
  const gtagArguments = (function () {
    return arguments;
  })('event', 'add_to_cart', { items });
  assert.deepEqual(dataLayerEvents(gtagArguments), expected);
  const kinds = (name) => dataLayerEvents({ event: name, ecommerce: { items: items.slice(0, 1) } }).map((e) => e.kind);
  assert.deepEqual(kinds('view_item'), ['view']);
  assert.deepEqual(kinds('view_item_list'), ['impression']);
  assert.deepEqual(kinds('select_item'), ['click']);
  assert.deepEqual(kinds('purchase'), ['purchase']);
  assert.deepEqual(kinds('begin_checkout'), [], 'events Vitrine does not use are ignored');
  assert.deepEqual(dataLayerEvents({ event: 'search', search_term: 'red boots' }), [
    { kind: 'search', query: 'red boots' },
  ]);
  assert.deepEqual(dataLayerEvents({ event: 'gtm.js' }), []);
  assert.deepEqual(dataLayerEvents({ ecommerce: null }), []);
  assert.deepEqual(dataLayerEvents(null), []);
  // Every mapped input is a valid record.
  for (const input of expected) assert.equal(toRecord(input, Date.now()).error, undefined);
});

test('itemEvents: the event\u2019s own fields are the defaults, hostile items give nothing worse than invalid input', () => {
  assert.deepEqual(itemEvents('view', [{ item_id: 'a' }], { t: 5, category: 'bags' }), [
    { kind: 'view', item: 'a', t: 5, category: 'bags' },
  ]);
  const hostile = [
    {
      get item_id() {
        throw new Error('boom');
      },
    },
    null,
    7,
  ];
  const inputs = itemEvents('view', hostile);
  assert.equal(inputs.length, 3);
  for (const input of inputs) assert.ok(toRecord(input, Date.now()).error, 'refused by toRecord, never thrown');
  assert.deepEqual(itemEvents('view', 'not items'), []);
});

test('bridgeDataLayer reads what is there, every later push, and a push function GTM sets later; stop leaves push as found', () => {
  const win = { dataLayer: [{ event: 'view_item', ecommerce: { items: [{ item_id: 'before' }] } }] };
  const seen = [];
  const stop = bridgeDataLayer(win, (input) => seen.push(input.item ?? input.kind));
  assert.deepEqual(seen, ['before']);
  win.dataLayer.push({ event: 'select_item', ecommerce: { items: [{ item_id: 'after' }] } });
  assert.deepEqual(seen, ['before', 'after']);
  assert.equal(win.dataLayer.length, 2, 'the entry is still pushed');
  // GTM takes push over when it loads: its function is called and the bridge still sees the entries.
  const gtmSaw = [];
  win.dataLayer.push = function (...entries) {
    gtmSaw.push(...entries);
    return Array.prototype.push.apply(this, entries);
  };
  win.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'gtm' }] } });
  assert.deepEqual(seen, ['before', 'after', 'gtm']);
  assert.equal(gtmSaw.length, 1);
  // A hostile entry does not stop the shop's push.
  win.dataLayer.push({
    event: 'view_item',
    get ecommerce() {
      throw new Error('boom');
    },
  });
  assert.equal(win.dataLayer.length, 4);
  stop();
  win.dataLayer.push({ event: 'view_item', ecommerce: { items: [{ item_id: 'stopped' }] } });
  assert.deepEqual(seen, ['before', 'after', 'gtm']);
  assert.equal(gtmSaw.length, 3, 'GTM\u2019s push stays in place');
  const fresh = {};
  bridgeDataLayer(fresh, () => {})();
  assert.ok(Array.isArray(fresh.dataLayer), 'created as GTM\u2019s snippet does');
});
