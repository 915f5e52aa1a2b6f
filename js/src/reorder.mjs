// Reorders a listing in place: the merchant's own nodes are moved (never re-rendered, never innerHTML), pinned items
// and non-item children keep their positions, focus and scroll position survive, and a reorder that would arrive
// after the shopper started using the list is skipped.
import { ATTR, itemId, listEntries } from './dom.mjs';
import { writeText } from './text.mjs';

/**
 * The final child order: movable entries follow `rankedIds` (unknown ids ignored); movable entries the ranking left
 * out keep their relative order after the ranked ones; fixed entries keep their index.
 * @returns {Element[]}
 */
export function plannedOrder(entries, rankedIds) {
  const movable = entries.filter((e) => e.movable);
  const byId = new Map(movable.map((e) => [e.id, e]));
  const used = new Set();
  const sequence = [];
  for (const id of rankedIds) {
    const entry = byId.get(id);
    if (entry && !used.has(id)) {
      used.add(id);
      sequence.push(entry);
    }
  }
  for (const entry of movable) if (!used.has(entry.id)) sequence.push(entry);
  let next = 0;
  return entries.map((e) => (e.movable ? sequence[next++].node : e.node));
}

/**
 * The largest set of nodes that are already in planned order: a longest increasing subsequence of the planned
 * positions read in current order (patience sorting, O(n log n)).
 * @param {Element[]} current the children as they are
 * @param {Element[]} planned the same children in the planned order
 * @returns {Set<Element>}
 */
export function longestOrderedRun(current, planned) {
  const position = new Map(planned.map((node, i) => [node, i]));
  const ranks = current.map((node) => position.get(node));
  const tails = []; // tails[k]: index into ranks of the smallest tail of an increasing run of length k + 1
  const previous = new Array(ranks.length);
  for (let i = 0; i < ranks.length; ++i) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranks[tails[mid]] < ranks[i]) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  const run = new Set();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) run.add(current[i]);
  return run;
}

function move(parent, node, before) {
  // moveBefore (where supported) keeps focus and element state through the move.
  if (typeof parent.moveBefore === 'function') {
    try {
      parent.moveBefore(node, before);
      return;
    } catch {
      // fall through: e.g. a node moveBefore refuses
    }
  }
  parent.insertBefore(node, before);
}

// What counts as the shopper using a listing. Wheel, touch, keys and scrolling the page move or act on everything
// shown, so they count for every listing; a press or focus counts for the listing it lands in.
const PAGE_WIDE = ['wheel', 'touchstart', 'keydown'];
const IN_LIST = ['pointerdown', 'focusin'];

/**
 * Watches the page for the shopper's own interaction with its listings, from the moment it is created.
 * `touchedSince(list, t)` is true when the shopper used `list` (or the whole page) at or after clock time t.
 * @param {Document} doc
 * @param {string} listSelector selector of a listing ([data-vitrine-list])
 * @param {() => number} [clock]
 */
export function watchShopper(doc, listSelector, clock = () => globalThis.performance.now()) {
  let pageWide = -Infinity;
  const perList = new WeakMap();
  const options = { capture: true, passive: true };
  const markPage = () => {
    pageWide = clock();
  };
  const markList = (event) => {
    const list = event.target?.closest?.(listSelector);
    if (list) perList.set(list, clock());
  };
  const onScroll = (event) => {
    const target = event.target;
    // The page (or a container holding listings) scrolled: every listing in it moved. Another scroller (a
    // carousel elsewhere) did not touch a listing.
    if (!target || target === doc || target === doc.documentElement || target === doc.body) markPage();
    else if (target.closest?.(listSelector)) markList(event);
    else if (target.querySelector?.(listSelector)) markPage();
  };
  for (const type of PAGE_WIDE) doc.addEventListener(type, markPage, options);
  for (const type of IN_LIST) doc.addEventListener(type, markList, options);
  doc.addEventListener('scroll', onScroll, options);
  return {
    touchedSince: (list, t) => Math.max(pageWide, perList.get(list) ?? -Infinity) >= t,
    stop() {
      for (const type of PAGE_WIDE) doc.removeEventListener(type, markPage, options);
      for (const type of IN_LIST) doc.removeEventListener(type, markList, options);
      doc.removeEventListener('scroll', onScroll, options);
    },
  };
}

/**
 * Applies a ranking to a listing.
 * @param {Element} list the [data-vitrine-list] element
 * @param {string[]} rankedIds item ids, best first
 * @param {object} [options]
 * @param {() => boolean} [options.isStale] true when the shopper interacted since the ranking was requested
 * @param {(node: Element) => boolean} [options.keepInPlace] true for a child that must not move
 * @returns {{applied: boolean, moved: number, reason?: string, settled?: Promise<void>}} `settled` resolves once the
 *   scroll positions are restored (at the next frame)
 */
export function applyOrder(list, rankedIds, options = {}) {
  if (options.isStale?.()) return { applied: false, moved: 0, reason: 'the shopper is using the list' };
  const keep = options.keepInPlace;
  // Entries to keep where they are (e.g. what the shopper can already see) are treated like pinned ones.
  const entries = listEntries(list).map((e) => (e.movable && keep?.(e.node) ? { ...e, movable: false } : e));
  const target = plannedOrder(entries, rankedIds);
  if (target.every((node, i) => node === entries[i].node)) return { applied: true, moved: 0 };

  const doc = list.ownerDocument;
  const win = doc?.defaultView;
  const active = doc?.activeElement;
  const focusInside = active && active !== list && list.contains(active);
  const scroll = { x: win?.scrollX ?? 0, y: win?.scrollY ?? 0, top: list.scrollTop, left: list.scrollLeft };

  // The nodes whose current order already agrees with the plan (a longest increasing run of planned positions)
  // stay; every other node goes right before its planned successor, back to front. Each moved node costs the
  // browser a style and layout pass, so a few items promoted in a listing of thousands move a few nodes, not all.
  const staying = longestOrderedRun(
    entries.map((e) => e.node),
    target
  );
  let moved = 0;
  for (let i = target.length - 1; i >= 0; --i) {
    const node = target[i];
    if (staying.has(node)) continue;
    const successor = i + 1 < target.length ? target[i + 1] : null;
    if (node.nextElementSibling === successor) continue;
    move(list, node, successor);
    moved += 1;
  }

  if (focusInside && doc.activeElement !== active && typeof active.focus === 'function') {
    active.focus({ preventScroll: true });
  }
  const restoreScroll = () => {
    if (list.scrollTop !== scroll.top) list.scrollTop = scroll.top;
    if (list.scrollLeft !== scroll.left) list.scrollLeft = scroll.left;
    if (win && (win.scrollX !== scroll.x || win.scrollY !== scroll.y)) win.scrollTo(scroll.x, scroll.y);
  };
  return { applied: true, moved, settled: atNextFrame(win, restoreScroll) };
}

/**
 * Runs fn at the next animation frame, where the browser lays the page out anyway: reading scroll positions right
 * after moving nodes would force that layout inside our task (about 35 ms for a 5,000-item listing). Hidden pages
 * get no frames, so a timeout stands in; without either (a bare DOM) fn runs now. Resolves once fn has run.
 */
function atNextFrame(win, fn) {
  return new Promise((resolve) => {
    let ran = false;
    const run = () => {
      if (ran) return;
      ran = true;
      try {
        fn();
      } catch {
        // The order is applied; a scroll position that cannot be restored is not worth an error on the shop's page.
      }
      resolve();
    };
    const frames = typeof win?.requestAnimationFrame === 'function';
    if (frames) win.requestAnimationFrame(run);
    if (typeof win?.setTimeout === 'function') win.setTimeout(run, frames ? 200 : 0);
    else if (!frames) run();
  });
}

/**
 * Writes each item's reason, as text, into its [data-vitrine-explain] element. One pass over the listing, so a
 * page of thousands of items costs one lookup per item, not one scan of the list per reason.
 * @param {Element} list the [data-vitrine-list] element
 * @param {Map<string, {text: string}>|Object<string, {text: string}>} reasons by item id
 * @param {(element: Element, text: string) => string} [write] how to write one (default writeText)
 * @returns {number} explanations written
 */
export function writeReasons(list, reasons, write = writeText) {
  const byId = reasons instanceof Map ? reasons : new Map(Object.entries(reasons ?? {}));
  if (byId.size === 0) return 0;
  let written = 0;
  for (const item of list.querySelectorAll(`[${ATTR.item}]`)) {
    const reason = byId.get(itemId(item));
    const target = reason && item.querySelector(`[${ATTR.explain}]`);
    if (target) {
      write(target, reason.text);
      written += 1;
    }
  }
  return written;
}

/**
 * A keepInPlace test for applyOrder: true for a child whose top is above the bottom of the window (on screen, or
 * scrolled past). Reads layout once per child, so it is used only for a ranking that lands after the first paint.
 */
export function onOrAboveScreen(win) {
  const bottom = win?.innerHeight ?? Infinity;
  return (node) => {
    try {
      return node.getBoundingClientRect().top < bottom;
    } catch {
      return true; // unknown: leave it where it is
    }
  };
}
