// The "recently viewed" widget's choice of products (js/src/widgets.mjs) and what a view keeps for it
// (js/src/events.mjs). Rendering in the page is tests/browser/widgets.browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { recentlyViewed } from '../../js/src/widgets.mjs';
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
