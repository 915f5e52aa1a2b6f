// The widgets' choice of products (js/src/widgets.mjs: recently viewed, and the feed and filters of "similar" and
// "picks") and what a view keeps for "recent" (js/src/events.mjs). Rendering in the page is
// tests/browser/widgets.browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parseProductFeed, recentlyViewed, recommendedProducts, widgetExclusions } from '../../js/src/widgets.mjs';
import { toRecord } from '../../js/src/events.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';

const view = (item, t, extra = {}) => ({
  kind: EventKind.view,
  item,
  t,
  name: `Product ${item}`,
  url: `/p/${item}`,
  ...extra,
});

test('recentlyViewed: distinct products, newest first, without excluded ones, at most the limit', () => {
  const events = [
    view('a', 1),
    view('b', 2),
    { kind: EventKind.click, item: 'c', t: 3 },
    view('d', 4, { url: undefined }),
    view('a', 5),
    view('e', 6),
    { kind: EventKind.impression, item: 'f', t: 7, name: 'F', url: '/p/f' },
  ];
  assert.deepEqual(
    recentlyViewed(events).map((p) => p.id),
    ['e', 'a', 'b']
  );
  assert.deepEqual(
    recentlyViewed(events, { exclude: new Set(['e']) }).map((p) => p.id),
    ['a', 'b']
  );
  assert.deepEqual(
    recentlyViewed(events, { limit: 1 }).map((p) => p.id),
    ['e']
  );
  assert.deepEqual(recentlyViewed([]), []);
});

test('a view keeps a name as text and a url or image only as a path or an http(s) URL', () => {
  const now = Date.now();
  const keep = (input) => toRecord({ kind: 'view', item: 'a', ...input }, now).record;
  assert.deepEqual(keep({ name: '  Trail\u0000runner ', url: '/p/a', image: 'https://cdn.shop.example/a.png' }), {
    kind: 0,
    t: now,
    item: 'a',
    name: 'Trail runner',
    url: '/p/a',
    image: 'https://cdn.shop.example/a.png',
  });
  for (const url of [
    '//evil.example/a',
    'javascript:alert(1)',
    'data:text/html,x',
    '/p/"><b>',
    'p/a',
    '/p/a b',
    `/${'x'.repeat(600)}`,
  ]) {
    assert.equal(keep({ url }).url, undefined, url);
  }
  const click = toRecord({ kind: 'click', item: 'a', name: 'A', url: '/p/a' }, now).record;
  assert.equal(click.name, undefined, 'only views keep what the widget shows');
  assert.equal(click.url, undefined);
});

test('parseProductFeed: products by id; a bad entry is left out and counted, a bad file refused', () => {
  const { products, skipped } = parseProductFeed(
    JSON.stringify({
      products: [
        { id: 'a', name: 'A', url: '/p/a', image: '/img/a.png', price: 10, available: true },
        { id: 'b', name: 'B', url: '/p/b', available: false },
        { id: 'c', name: 'C' }, // no url
        { id: 'd', name: 'D', url: '/p/d', price: '12' }, // a price as text
        { id: 'a', name: 'A again', url: '/p/a2' }, // repeated id
        { id: 'e', name: 'E', url: '/p/e', image: 7 }, // an image that is no string
        null,
      ],
    })
  );
  assert.deepEqual([...products.keys()], ['a', 'b']);
  assert.equal(skipped, 5);
  assert.deepEqual(products.get('a'), {
    id: 'a',
    name: 'A',
    url: '/p/a',
    image: '/img/a.png',
    price: 10,
    available: true,
  });
  assert.deepEqual(products.get('b'), { id: 'b', name: 'B', url: '/p/b', image: null, price: null, available: false });
  for (const bad of ['not json', '[]', '{"products": {}}', 'null']) {
    assert.throws(
      () => parseProductFeed(bad),
      (e) => e.code === 'BAD_INPUT',
      bad
    );
  }
});

test('recommendedProducts: the engine\u2019s order, known to the feed, in stock, not excluded, each once', () => {
  const { products } = parseProductFeed(
    JSON.stringify({
      products: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, name: id, url: `/p/${id}`, available: id !== 'c' })),
    })
  );
  const ranked = ['x', 'c', 'e', 'a', 'e', 'b', 'd'];
  assert.deepEqual(
    recommendedProducts(ranked, products, { exclude: new Set(['a']), limit: 3 }).map((p) => p.id),
    ['e', 'b', 'd']
  );
  assert.deepEqual(
    recommendedProducts(ranked, products, { limit: 1 }).map((p) => p.id),
    ['e']
  );
  assert.deepEqual(recommendedProducts([], products), []);
});

test('widgetExclusions: the page\u2019s product, the widget\u2019s pins, bought once; picks also what was seen', () => {
  const pinned = { getAttribute: (name) => (name === 'data-vitrine-item' ? 'pin-1' : null) };
  const widget = { querySelectorAll: (selector) => (selector.includes('data-vitrine-pin') ? [pinned] : []) };
  const events = [
    { kind: EventKind.view, item: 'seen', t: 1 },
    { kind: EventKind.impression, item: 'only-shown', t: 2 },
    { kind: EventKind.purchase, item: 'bought-once', t: 3 },
    { kind: EventKind.purchase, item: 'staple', t: 4 },
    { kind: EventKind.purchase, item: 'staple', t: 5 },
  ];
  const similar = widgetExclusions('similar', events, new Set(['current']), widget);
  assert.deepEqual([...similar].sort(), ['bought-once', 'current', 'pin-1']);
  const picks = widgetExclusions('picks', events, new Set(), widget);
  assert.deepEqual([...picks].sort(), ['bought-once', 'pin-1', 'seen', 'staple']);
});
