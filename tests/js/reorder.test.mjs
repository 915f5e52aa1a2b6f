// Reordering a listing in place (on a tiny fake DOM): pins and non-item children stay, nodes are moved not
// recreated, focus and scroll survive, stale rankings are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyOrder, plannedOrder, watchInteraction } from '../../js/src/reorder.mjs';
import { listEntries, readCandidates } from '../../js/src/dom.mjs';
import { FakeDocument, makeList, order } from './fake_dom.mjs';

test('moves items into ranked order, keeping the very same nodes', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c', 'd']);
  const before = new Map(list.children.map((n) => [n.getAttribute('data-vitrine-item'), n]));
  const result = applyOrder(list, ['d', 'b', 'a', 'c']);
  assert.equal(result.applied, true);
  assert.deepEqual(order(list), ['d', 'b', 'a', 'c']);
  for (const node of list.children) assert.equal(node, before.get(node.getAttribute('data-vitrine-item')));
  assert.ok(result.moved > 0 && result.moved <= 3, `moved ${result.moved}`);
});

test('pinned items and non-item children keep their positions', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'p', '#banner', 'b', 'c', 'q'], { pinned: ['p', 'q'] });
  applyOrder(list, ['q', 'c', 'p', 'b', 'a']);
  assert.deepEqual(order(list), ['c', 'p', '#banner', 'b', 'a', 'q']);
});

test('items the ranking left out keep their relative order after the ranked ones; unknown ids are ignored', () => {
  const entries = listEntries(makeList(new FakeDocument(), ['a', 'b', 'c', 'd', 'e']));
  const planned = plannedOrder(entries, ['zz', 'd', 'b', 'd']).map((n) => n.getAttribute('data-vitrine-item'));
  assert.deepEqual(planned, ['d', 'b', 'a', 'c', 'e']);
});

test('an order equal to the current one moves nothing', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c']);
  assert.deepEqual(applyOrder(list, ['a', 'b', 'c']), { applied: true, moved: 0 });
  assert.equal(doc.moves, 0);
});

test('the focused item keeps focus and the page keeps its scroll position', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c']);
  const focused = list.children[2];
  focused.focus();
  doc.defaultView.scrollY = 420;
  list.scrollTop = 17;
  applyOrder(list, ['c', 'a', 'b']);
  assert.deepEqual(order(list), ['c', 'a', 'b']);
  assert.equal(doc.activeElement, focused);
  assert.equal(doc.defaultView.scrollY, 420);
  assert.equal(list.scrollTop, 17);
});

test('a ranking that arrives after the shopper used the list is skipped', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c']);
  let clock = 100;
  const watch = watchInteraction(list, () => clock);
  const requestedAt = clock;
  clock = 150;
  list.dispatch('pointerdown');
  const result = applyOrder(list, ['c', 'b', 'a'], { isStale: () => watch.interactedSince(requestedAt) });
  assert.equal(result.applied, false);
  assert.deepEqual(order(list), ['a', 'b', 'c']);
  assert.equal(doc.moves, 0);
  // An interaction before the request does not block a later ranking.
  clock = 200;
  const fresh = applyOrder(list, ['c', 'b', 'a'], { isStale: () => watch.interactedSince(clock) });
  assert.equal(fresh.applied, true);
  watch.stop();
});

test('candidates are the movable items with their content attributes; duplicates and pins excluded', () => {
  const doc = new FakeDocument();
  const list = doc.el('div', { 'data-vitrine-list': '' },
    doc.el('article', { 'data-vitrine-item': 'a', 'data-vitrine-category': 'shoes', 'data-vitrine-brand': 'Acme', 'data-vitrine-price': '19.90' }),
    doc.el('div', {}, doc.el('article', { 'data-vitrine-item': 'b', 'data-vitrine-price': 'free' })),
    doc.el('article', { 'data-vitrine-item': 'a' }),
    doc.el('article', { 'data-vitrine-item': 'p', 'data-vitrine-pin': '' }));
  assert.deepEqual(readCandidates(list), [
    { id: 'a', category: 'shoes', brand: 'Acme', price: 19.9 },
    { id: 'b' },
  ]);
});
