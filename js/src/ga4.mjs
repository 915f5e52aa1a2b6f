// Google Analytics 4 ecommerce events as Vitrine events: what a shop already pushes to its dataLayer (through GTM
// or gtag.js) becomes the shopper's history without extra markup (data-datalayer="ga4"), and track() takes the
// same GA4-style items[]. Only what the engine uses is read: ids, category, brand, price, quantity. An item's
// `index` and `item_list_id` are accepted and not kept (no model reads them yet).
import { parsePrice } from './price.mjs';

// GA4 event name -> Vitrine kind, for the events that carry items.
const ITEM_EVENTS = Object.freeze({
  view_item: 'view',
  view_item_list: 'impression',
  select_item: 'click',
  add_to_cart: 'add_to_cart',
  purchase: 'purchase',
});
const MAX_ITEMS = 200; // one push of a long listing: the first ones are what the shopper saw

function field(object, key) {
  try {
    return object !== null && typeof object === 'object' && Object.hasOwn(object, key) ? object[key] : undefined;
  } catch {
    return undefined; // a throwing getter is no value
  }
}

/**
 * Vitrine event inputs (for toRecord) for one event of `kind` with GA4 items: one per item. `base` gives the
 * event's own fields (t, category); an item's item_category and item_brand override them.
 */
export function itemEvents(kind, items, base = {}) {
  if (!Array.isArray(items)) return [];
  const out = [];
  for (const item of items.slice(0, MAX_ITEMS)) {
    const id = field(item, 'item_id') ?? field(item, 'id');
    const input = { kind, item: typeof id === 'number' ? String(id) : id };
    if (base.t !== undefined) input.t = base.t;
    const category = field(item, 'item_category') ?? base.category;
    if (category !== undefined) input.category = category;
    const brand = field(item, 'item_brand') ?? base.brand;
    if (brand !== undefined) input.brand = brand;
    const price = parsePrice(field(item, 'price'));
    if (price !== null) input.price = price;
    const qty = Number(field(item, 'quantity'));
    if (Number.isInteger(qty) && qty > 0) input.qty = qty;
    out.push(input);
  }
  return out;
}

/** The GA4 event name and parameters of a dataLayer entry: a GTM object or gtag's arguments; null otherwise. */
export function readEntry(entry) {
  if (entry === null || typeof entry !== 'object') return null;
  if (field(entry, 0) === 'event' && typeof field(entry, 1) === 'string') {
    return { name: field(entry, 1), params: field(entry, 2) ?? {} }; // gtag('event', name, params)
  }
  const name = field(entry, 'event');
  if (typeof name !== 'string') return null;
  return { name, params: field(entry, 'ecommerce') ?? entry };
}

/** Vitrine event inputs for one dataLayer entry (none for the events Vitrine does not use). */
export function dataLayerEvents(entry) {
  const read = readEntry(entry);
  if (!read) return [];
  if (read.name === 'search') {
    const term = field(read.params, 'search_term');
    return typeof term === 'string' && term.trim() ? [{ kind: 'search', query: term }] : [];
  }
  if (!Object.hasOwn(ITEM_EVENTS, read.name)) return [];
  return itemEvents(ITEM_EVENTS[read.name], field(read.params, 'items'));
}

/**
 * Reads the page's dataLayer: the entries already there, then every push, including through a push function
 * set later (GTM replaces it when it loads). Returns a function that stops reading and leaves push as it found it.
 * @param {object} win
 * @param {(input: object) => void} emit called with each Vitrine event input
 */
export function bridgeDataLayer(win, emit) {
  return watchDataLayer(win, (entry) => {
    for (const input of dataLayerEvents(entry)) emit(input);
  });
}

const watchers = new WeakMap(); // dataLayer -> its one push hook, shared by every reader (events, consent)

/**
 * Calls `onEntry` with every dataLayer entry: those already there, then each one pushed. One hook per dataLayer,
 * whatever the number of readers, so a push function set later (GTM's) reaches all of them. Returns a function that
 * stops this reader; the last one to stop leaves push as it found it.
 */
export function watchDataLayer(win, onEntry) {
  if (!Array.isArray(win.dataLayer)) win.dataLayer = []; // as GTM's own snippet does
  const layer = win.dataLayer;
  const safely = (entry) => {
    try {
      onEntry(entry);
    } catch {
      // the shop's push must go through whatever an entry holds
    }
  };
  for (const entry of Array.from(layer)) safely(entry);
  let hook = watchers.get(layer);
  if (!hook) {
    const listeners = new Set();
    let current = layer.push;
    const wrap = (fn) =>
      function push(...entries) {
        for (const entry of entries) for (const listener of [...listeners]) listener(entry);
        return fn.apply(this, entries);
      };
    let wrapped = wrap(current);
    Object.defineProperty(layer, 'push', {
      configurable: true,
      enumerable: false,
      get: () => wrapped,
      set: (fn) => {
        current = fn;
        wrapped = typeof fn === 'function' ? wrap(fn) : fn;
      },
    });
    hook = {
      listeners,
      restore: () => {
        delete layer.push;
        if (current !== Array.prototype.push) layer.push = current;
      },
    };
    watchers.set(layer, hook);
  }
  hook.listeners.add(safely);
  return () => {
    hook.listeners.delete(safely);
    if (hook.listeners.size === 0 && watchers.get(layer) === hook) {
      watchers.delete(layer);
      hook.restore();
    }
  };
}
