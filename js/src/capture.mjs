// Turns what the shopper does on the page into event inputs (see events.toRecord): product views with dwell time
// (IntersectionObserver; a card inside a listing is an impression, a product outside any listing a view), clicks, add-to-cart and purchase buttons, searches and category visits. Single-page apps
// are handled by watching the DOM for new items and history for route changes: a product is counted as viewed at
// most once per route. Nothing leaves the page: events go to `emit`; `flushNow` and `onPageHide` let the caller
// save them before the shopper is gone.
import { ATTR, closestItem, describeItem, displayOf, itemId } from './dom.mjs';

const VISIBLE_RATIO = 0.5;

/** Wraps a callback the browser calls for us, so that no exception of ours reaches the page. */
function quietly(fn) {
  return (...args) => {
    try {
      fn(...args);
    } catch {
      // capture must never break the shop's page or its own handlers
    }
  };
}
const REPEAT_CLICK_MS = 400;

export class Capture {
  #doc;
  #win;
  #emit;
  #flushNow;
  #leaveAtBeforeUnload;
  #onPageHide;
  #dwellMs;
  #clock;
  #io = null;
  #mo = null;
  #visibleSince = new Map(); // item element -> clock ms when it became at least half visible
  #viewed = new Set(); // `${route}|${id}` already recorded
  #categoryVisited = new Set(); // routes whose category visit is recorded
  #route = '';
  #lastClick = { key: '', at: -Infinity };
  #lastQuery = '';
  #undo = [];

  /**
   * @param {object} o
   * @param {Document} o.document
   * @param {Window} o.window
   * @param {(input: object) => void} o.emit receives { kind, item?, category?, brand?, price?, query?, dwellMs? }
   * @param {() => void} o.flushNow asks the caller to write pending events now (tab hidden, likely navigation)
   * @param {() => void} o.onPageHide the page is going away: the caller must save pending events synchronously
   * @param {number} o.viewDwellMs
   * @param {() => number} [o.clock] monotonic ms
   * @param {boolean} [o.leaveAtBeforeUnload] also end views and flush at beforeunload, before the navigation's
   *   request: where events go to another frame (the vault), a message posted at pagehide dies with that frame
   */
  constructor({ document, window, emit, flushNow, onPageHide, viewDwellMs, clock, leaveAtBeforeUnload = false }) {
    this.#doc = document;
    this.#win = window;
    this.#emit = emit;
    this.#flushNow = flushNow;
    this.#onPageHide = onPageHide;
    this.#dwellMs = viewDwellMs;
    this.#clock = clock ?? (() => window.performance.now());
    this.#leaveAtBeforeUnload = leaveAtBeforeUnload;
  }

  start() {
    const doc = this.#doc;
    const win = this.#win;
    this.#route = this.#routeKey();
    if (typeof win.IntersectionObserver === 'function') {
      this.#io = new win.IntersectionObserver(
        quietly((entries) => this.#onIntersect(entries)),
        { threshold: [0, VISIBLE_RATIO] }
      );
      for (const el of doc.querySelectorAll(`[${ATTR.item}]`)) this.#io.observe(el);
    }
    if (typeof win.MutationObserver === 'function') {
      this.#mo = new win.MutationObserver(quietly((records) => this.#onMutations(records)));
      this.#mo.observe(doc.documentElement, { childList: true, subtree: true });
    }
    this.#listen(doc, 'click', (e) => this.#onClick(e), true);
    this.#listen(doc, 'submit', (e) => this.#onSubmit(e), true);
    this.#listen(doc, 'change', (e) => this.#onChange(e), true);
    this.#listen(doc, 'visibilitychange', () => {
      if (doc.visibilityState === 'hidden') this.#leave();
      else this.#rearmViews();
    });
    if (this.#leaveAtBeforeUnload) {
      this.#listen(win, 'beforeunload', () => {
        this.flushViews();
        this.#flushNow();
      });
    }
    this.#listen(win, 'pagehide', () => {
      this.flushViews();
      this.#onPageHide();
    });
    this.#listen(win, 'pageshow', (e) => {
      if (e.persisted) this.#rearmViews(); // back from the back/forward cache
    });
    this.#listen(win, 'popstate', () => this.#onRouteMaybeChanged());
    this.#patchHistory();
    this.#recordCategoryVisit();
  }

  stop() {
    for (const undo of this.#undo.splice(0)) {
      try {
        undo();
      } catch {
        // keep undoing the rest
      }
    }
    this.#io?.disconnect();
    this.#mo?.disconnect();
    this.#io = this.#mo = null;
    this.#visibleSince.clear();
  }

  /** Emits views for items visible long enough right now (the page is going away or the route changes). */
  flushViews() {
    for (const el of [...this.#visibleSince.keys()]) this.#endExposure(el);
  }

  // ---------------------------------------------------------------------------------------------- views

  #onIntersect(entries) {
    if (this.#doc.visibilityState === 'hidden') return;
    const now = this.#clock();
    for (const entry of entries) {
      const visible = entry.isIntersecting && entry.intersectionRatio >= VISIBLE_RATIO;
      if (visible && !this.#visibleSince.has(entry.target)) this.#visibleSince.set(entry.target, now);
      else if (!visible && this.#visibleSince.has(entry.target)) this.#endExposure(entry.target);
    }
  }

  #endExposure(el) {
    const since = this.#visibleSince.get(el);
    this.#visibleSince.delete(el);
    if (since === undefined) return;
    const dwell = this.#clock() - since;
    if (dwell < this.#dwellMs) return;
    const item = describeItem(el);
    if (!item) return;
    const key = `${this.#route}|${item.id}`;
    if (this.#viewed.has(key)) return;
    this.#viewed.add(key);
    // A card in a listing was only seen in passing; the product itself (outside any listing) was looked at.
    // A card of a widget (widgets.mjs) is a card too.
    const kind = el.closest?.(`[${ATTR.list}], [${ATTR.widget}]`) ? 'impression' : 'view';
    // Dated when it came into view, as a shop's own log dates a list view or a product view, so that the clicks and
    // cart adds made while it was on screen come after it here too (the order the model was trained on).
    const t = Math.round(Date.now() - dwell);
    this.#emit({
      kind,
      item: item.id,
      category: item.category,
      brand: item.brand,
      price: item.price,
      code: item.code,
      dwellMs: dwell,
      t,
      ...(kind === 'view' ? displayOf(el) : {}),
    });
  }

  // Observation restarts from "now": IntersectionObserver reports every observed target again on observe().
  #rearmViews() {
    if (!this.#io) return;
    this.#visibleSince.clear();
    this.#io.disconnect();
    for (const el of this.#doc.querySelectorAll(`[${ATTR.item}]`)) this.#io.observe(el);
  }

  #onMutations(records) {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.hasAttribute(ATTR.item)) this.#io?.observe(node);
        for (const el of node.querySelectorAll(`[${ATTR.item}]`)) this.#io?.observe(el);
      }
      for (const node of record.removedNodes) {
        if (node.nodeType !== 1 || node.isConnected) continue; // moved (e.g. by reorder), not removed
        const gone = node.hasAttribute(ATTR.item) ? [node] : [];
        gone.push(...node.querySelectorAll(`[${ATTR.item}]`));
        for (const el of gone) {
          this.#endExposure(el);
          this.#io?.unobserve(el);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- routes

  #routeKey() {
    const loc = this.#win.location;
    return `${loc.pathname}${loc.search}`;
  }

  #patchHistory() {
    const history = this.#win.history;
    for (const name of ['pushState', 'replaceState']) {
      const original = history[name];
      if (typeof original !== 'function') continue;
      const capture = this;
      const patched = function (...args) {
        const result = original.apply(this, args);
        try {
          capture.#onRouteMaybeChanged();
        } catch {
          // the app's own navigation must never fail because of us
        }
        return result;
      };
      history[name] = patched;
      this.#undo.push(() => {
        if (history[name] === patched) history[name] = original; // someone patched after us: leave theirs alone
      });
    }
  }

  #onRouteMaybeChanged() {
    const next = this.#routeKey();
    if (next === this.#route) return; // replaceState of the same URL, hash changes
    this.flushViews(); // exposures so far belong to the old route
    this.#route = next;
    this.#viewed.clear();
    this.#rearmViews();
    // The app renders the new route after changing the URL; look for its category marker once it has.
    this.#win.setTimeout(
      quietly(() => this.#recordCategoryVisit()),
      0
    );
  }

  #recordCategoryVisit() {
    if (this.#categoryVisited.has(this.#route)) return;
    const marker = this.#doc.querySelector(`[${ATTR.categoryPage}]`);
    const category = marker?.getAttribute(ATTR.categoryPage)?.trim();
    if (!category) return;
    this.#categoryVisited.add(this.#route);
    this.#emit({ kind: 'category_visit', category });
  }

  // ---------------------------------------------------------------------------------------------- clicks, searches

  #onClick(event) {
    const target = event.target;
    if (!target || typeof target.closest !== 'function') return;
    const action = target.closest(`[${ATTR.action}]`);
    if (action) {
      const kind = action.getAttribute(ATTR.action);
      if (kind !== 'add_to_cart' && kind !== 'purchase') return;
      const el = action.hasAttribute(ATTR.item) ? action : closestItem(action);
      const item = el ? describeItem(el) : null;
      if (!item) return;
      const qty = Number.parseInt(action.getAttribute('data-vitrine-qty') ?? '', 10);
      this.#emit({
        kind,
        item: item.id,
        category: item.category,
        brand: item.brand,
        price: item.price,
        code: item.code,
        qty: qty > 0 ? qty : undefined,
      });
      this.#flushNow(); // a cart or checkout click often navigates right away
      return;
    }
    const el = closestItem(target);
    const id = itemId(el);
    if (!id) return;
    const now = this.#clock();
    if (this.#lastClick.key === id && now - this.#lastClick.at < REPEAT_CLICK_MS) return; // double click
    this.#lastClick = { key: id, at: now };
    const item = describeItem(el);
    this.#emit({
      kind: 'click',
      item: id,
      category: item.category,
      brand: item.brand,
      price: item.price,
      code: item.code,
    });
    this.#flushNow(); // clicking a product usually opens its page
  }

  #onSubmit(event) {
    const form = event.target;
    if (!form?.hasAttribute?.(ATTR.search)) return;
    const input = form.querySelector(
      `input[${ATTR.search}], input[type="search"], input[name="q"], input[type="text"]`
    );
    this.#search(input?.value);
  }

  #onChange(event) {
    const input = event.target;
    if (input?.tagName !== 'INPUT' || !input.hasAttribute(ATTR.search)) return;
    if (input.form?.hasAttribute(ATTR.search)) return; // the form's submit records it
    this.#search(input.value);
  }

  #search(value) {
    const query = typeof value === 'string' ? value.trim() : '';
    if (!query || query === this.#lastQuery) return;
    this.#lastQuery = query;
    this.#emit({ kind: 'search', query });
    this.#flushNow();
  }

  #leave() {
    this.flushViews();
    this.#flushNow();
  }

  #listen(target, type, handler, capture = false) {
    const safe = quietly(handler);
    const options = { capture, passive: true };
    target.addEventListener(type, safe, options);
    this.#undo.push(() => target.removeEventListener(type, safe, options));
  }
}
