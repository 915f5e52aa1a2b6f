// Reorders a listing in place: the merchant's own nodes are moved (never re-rendered, never innerHTML), pinned items
// and non-item children keep their positions, focus and scroll position survive, and a reorder that would arrive
// after the shopper started using the list is skipped.
import { listEntries } from './dom.mjs';

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

/**
 * Watches a listing for the shopper's own interaction (pointerdown, keydown, scroll inside it).
 * `interactedSince(t)` is true when an interaction happened at or after clock time t.
 */
export function watchInteraction(list, clock = () => globalThis.performance.now()) {
  let last = -Infinity;
  const mark = () => {
    last = clock();
  };
  const options = { capture: true, passive: true };
  const types = ['pointerdown', 'keydown', 'scroll', 'wheel', 'touchstart'];
  for (const type of types) list.addEventListener(type, mark, options);
  return {
    interactedSince: (t) => last >= t,
    stop() {
      for (const type of types) list.removeEventListener(type, mark, options);
    },
  };
}

/**
 * Applies a ranking to a listing.
 * @param {Element} list the [data-vitrine-list] element
 * @param {string[]} rankedIds item ids, best first
 * @param {object} [options]
 * @param {() => boolean} [options.isStale] true when the shopper interacted since the ranking was requested
 * @returns {{applied: boolean, moved: number, reason?: string}}
 */
export function applyOrder(list, rankedIds, options = {}) {
  if (options.isStale?.()) return { applied: false, moved: 0, reason: 'the shopper is using the list' };
  const entries = listEntries(list);
  const target = plannedOrder(entries, rankedIds);
  if (target.every((node, i) => node === entries[i].node)) return { applied: true, moved: 0 };

  const doc = list.ownerDocument;
  const win = doc?.defaultView;
  const active = doc?.activeElement;
  const focusInside = active && active !== list && list.contains(active);
  const scroll = { x: win?.scrollX ?? 0, y: win?.scrollY ?? 0, top: list.scrollTop, left: list.scrollLeft };

  // Back to front: each node goes right before its planned successor; nodes already there are not touched.
  let moved = 0;
  for (let i = target.length - 1; i >= 0; --i) {
    const node = target[i];
    const successor = i + 1 < target.length ? target[i + 1] : null;
    if (node.nextElementSibling === successor) continue;
    move(list, node, successor);
    moved += 1;
  }

  if (focusInside && doc.activeElement !== active && typeof active.focus === 'function') {
    active.focus({ preventScroll: true });
  }
  if (list.scrollTop !== scroll.top) list.scrollTop = scroll.top;
  if (list.scrollLeft !== scroll.left) list.scrollLeft = scroll.left;
  if (win && (win.scrollX !== scroll.x || win.scrollY !== scroll.y)) win.scrollTo(scroll.x, scroll.y);
  return { applied: true, moved };
}

