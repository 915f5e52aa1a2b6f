// Reordering a listing in place (on a tiny fake DOM): pins and non-item children stay, nodes are moved not
// recreated, focus and scroll survive, stale rankings are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyOrder, longestOrderedRun, plannedOrder, watchShopper, writeReasons } from '../../js/src/reorder.mjs';
import { mulberry32 } from '../../tools/random.mjs';
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

test('in a browser the scroll positions are restored at the next frame, not by forcing layout right after the moves', async () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c']);
  const frames = [];
  doc.defaultView.requestAnimationFrame = (fn) => frames.push(fn);
  doc.defaultView.setTimeout = () => 0; // a visible page: the frame comes first
  doc.defaultView.scrollY = 420;
  list.scrollTop = 17;
  const result = applyOrder(list, ['c', 'a', 'b']);
  assert.deepEqual(order(list), ['c', 'a', 'b']);
  // What scroll anchoring might do to the page once it is laid out:
  doc.defaultView.scrollY = 600;
  list.scrollTop = 40;
  assert.equal(frames.length, 1);
  let settled = false;
  result.settled.then(() => (settled = true));
  await Promise.resolve();
  assert.equal(settled, false);
  frames[0]();
  await result.settled;
  assert.equal(doc.defaultView.scrollY, 420);
  assert.equal(list.scrollTop, 17);
});

test('a ranking that arrives after the shopper used the list is skipped', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c']);
  const other = makeList(doc, ['x', 'y']);
  let clock = 100;
  const watch = watchShopper(doc, '[data-vitrine-list]', () => clock);
  const shownAt = clock;
  clock = 150;
  doc.dispatch('pointerdown', list.children[1]);
  const result = applyOrder(list, ['c', 'b', 'a'], { isStale: () => watch.touchedSince(list, shownAt) });
  assert.equal(result.applied, false);
  assert.deepEqual(order(list), ['a', 'b', 'c']);
  assert.equal(doc.moves, 0);
  // A press inside one listing leaves another alone.
  assert.equal(watch.touchedSince(other, shownAt), false);
  // An interaction before the reference time does not block a later ranking.
  clock = 200;
  const fresh = applyOrder(list, ['c', 'b', 'a'], { isStale: () => watch.touchedSince(list, clock) });
  assert.equal(fresh.applied, true);
  watch.stop();
  doc.dispatch('pointerdown', list.children[0]);
  assert.equal(watch.touchedSince(list, 200), false, 'a stopped watch hears nothing');
});

test('wheel, touch, keys and scrolling the page count for every listing; focus only for its own', () => {
  for (const type of ['wheel', 'touchstart', 'keydown', 'scroll']) {
    const doc = new FakeDocument();
    const list = makeList(doc, ['a', 'b']);
    let clock = 10;
    const watch = watchShopper(doc, '[data-vitrine-list]', () => clock);
    clock = 20;
    doc.dispatch(type, type === 'scroll' ? doc : doc.body);
    assert.equal(watch.touchedSince(list, 10), true, type);
    assert.equal(watch.touchedSince(list, 21), false, `${type}: only at or after the reference time`);
    watch.stop();
  }
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b']);
  const other = makeList(doc, ['c', 'd']);
  const carousel = doc.el('div', { 'data-carousel': '' });
  doc.body.append(carousel);
  const watch = watchShopper(doc, '[data-vitrine-list]', () => 5);
  doc.dispatch('focusin', other.children[0]);
  doc.dispatch('scroll', carousel);
  assert.equal(watch.touchedSince(list, 0), false, 'focus in another listing and a carousel scroll leave it alone');
  assert.equal(watch.touchedSince(other, 0), true);
  doc.dispatch('scroll', list);
  assert.equal(watch.touchedSince(list, 0), true, 'scrolling the listing itself');
  watch.stop();
});

test('candidates are the movable items with their content attributes; duplicates and pins excluded', () => {
  const doc = new FakeDocument();
  const list = doc.el(
    'div',
    { 'data-vitrine-list': '' },
    doc.el('article', {
      'data-vitrine-item': 'a',
      'data-vitrine-category': 'shoes',
      'data-vitrine-brand': 'Acme',
      'data-vitrine-price': '19.90',
    }),
    doc.el('div', {}, doc.el('article', { 'data-vitrine-item': 'b', 'data-vitrine-price': 'free' })),
    doc.el('article', { 'data-vitrine-item': 'a' }),
    doc.el('article', { 'data-vitrine-item': 'p', 'data-vitrine-pin': '' })
  );
  assert.deepEqual(readCandidates(list), [{ id: 'a', category: 'shoes', brand: 'Acme', price: 19.9 }, { id: 'b' }]);
});

test('reasons are written as text in one pass over the listing, even with a reason for every one of 3,000 items', () => {
  const doc = new FakeDocument();
  const n = 3000;
  const list = doc.el('ul', { 'data-vitrine-list': '' });
  for (let i = 0; i < n; ++i) {
    list.append(doc.el('li', { 'data-vitrine-item': `sku-${i}` }, doc.el('small', { 'data-vitrine-explain': '' })));
  }
  const reasons = Object.fromEntries(Array.from({ length: n }, (_, i) => [`sku-${i}`, { text: `<b>reason ${i}</b>` }]));
  reasons['sku-unknown'] = { text: 'not on this page' };
  // Work is counted, not timed: a scan of the list per reason would read ~n*n attributes.
  const proto = Object.getPrototypeOf(list);
  const getAttribute = proto.getAttribute;
  let reads = 0;
  proto.getAttribute = function (name) {
    reads += 1;
    return getAttribute.call(this, name);
  };
  let written;
  try {
    written = writeReasons(list, reasons);
  } finally {
    proto.getAttribute = getAttribute;
  }
  assert.equal(written, n);
  assert.ok(reads <= 4 * n, `${reads} attribute reads for ${n} items`);
  assert.equal(list.children[0].children[0].textContent, '<b>reason 0</b>');
  assert.equal(list.children[n - 1].children[0].textContent, `<b>reason ${n - 1}</b>`);
});

test('random plans on lists with pins and banners: the final order is the plan, moving only what must move', () => {
  const seed = 20261129;
  const next = mulberry32(seed);
  const random = { next, int: (n) => Math.floor(next() * n) };
  console.log(`seed ${seed}`);
  for (let round = 0; round < 200; ++round) {
    const doc = new FakeDocument();
    const n = 1 + random.int(40);
    const ids = Array.from({ length: n }, (_, i) => (random.next() < 0.1 ? `#banner${i}` : `i${i}`));
    const pinned = ids.filter((id) => !id.startsWith('#') && random.next() < 0.1);
    const list = makeList(doc, ids, { pinned });
    const ranked = ids.filter((id) => !id.startsWith('#'));
    // Mostly-kept orders (a few items promoted) as well as full shuffles.
    const promote = random.next() < 0.5;
    if (promote) {
      for (let k = 0; k < 3; ++k) ranked.unshift(...ranked.splice(random.int(ranked.length), 1));
    } else {
      for (let i = ranked.length - 1; i > 0; --i) {
        const j = random.int(i + 1);
        [ranked[i], ranked[j]] = [ranked[j], ranked[i]];
      }
    }
    const entries = listEntries(list);
    const planned = plannedOrder(entries, ranked).map(
      (node) => node.getAttribute('data-vitrine-item') ?? `#${node.getAttribute('class')}`
    );
    const stay = longestOrderedRun(
      entries.map((e) => e.node),
      plannedOrder(entries, ranked)
    ).size;
    const result = applyOrder(list, ranked);
    assert.deepEqual(order(list), planned, `round ${round}`);
    // Nodes left in place must already be in planned order, so n - stay moves is the fewest possible.
    assert.equal(result.moved, n - stay, `round ${round}`);
    if (promote && pinned.length === 0 && ids.every((id) => !id.startsWith('#'))) {
      assert.ok(result.moved <= 3, `round ${round}: promoting 3 items moved ${result.moved}`);
    }
  }
});

test('longestOrderedRun finds a longest run of nodes already in planned order', () => {
  const nodes = 'abcdefgh'.split('');
  const planned = 'dabcehgf'.split('');
  const run = longestOrderedRun(nodes, planned);
  // a b c e g (or a b c e h / ... f): five nodes, in both orders.
  assert.equal(run.size, 5);
  const inCurrent = nodes.filter((x) => run.has(x));
  const inPlanned = planned.filter((x) => run.has(x));
  assert.deepEqual(inCurrent, inPlanned);
  assert.equal(longestOrderedRun([], []).size, 0);
});

test('keepInPlace: the kept items stay at their index, the others are ranked around them', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c', 'd', 'e']);
  const kept = new Set([list.children[0], list.children[1]]); // as if a and b were on screen
  const result = applyOrder(list, ['e', 'd', 'a'], { keepInPlace: (node) => kept.has(node) });
  assert.equal(result.applied, true);
  assert.deepEqual(order(list), ['a', 'b', 'e', 'd', 'c']);
});
