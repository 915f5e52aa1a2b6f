// Widgets the shop places with markup:
//   "recent"   the products the shopper viewed, newest first, from their own stored views (a view keeps the
//              product's name, url and image when its element carries data-vitrine-name, -url and -image);
//   "similar"  "you may also like" on a product page: the model's best products of the whole catalog for this
//              visit with the page's product as its latest view (item to item, in the shopper's context);
//   "picks"    a personal pick from the whole catalog (a home page strip): the model's best products for the
//              shopper's history, leaving out what they already viewed or bought.
// "similar" and "picks" name the shop's product feed (data-vitrine-products: a JSON file, the same for every
// shopper) for the name, url, image, price and stock of products that are not on the page. Each product is a clone
// of the shop's <template data-vitrine-template>, filled with text and same-origin links only, never with markup.
// Cards the shop put in the widget itself with data-vitrine-pin keep their place, and their products are not shown
// twice. The order of "similar" and "picks" is the engine's (its topK); this module only filters and renders it.
import { ATTR } from './dom.mjs';
import { EventKind } from './event_kinds.mjs';
import { VitrineError } from './status.mjs';

/** The widget kinds this package fills. */
export const WIDGET_KINDS = Object.freeze(['recent', 'similar', 'picks']);
/** Most products a feed may list; most bytes it may have (fetched like the model, bounded). */
export const MAX_FEED_PRODUCTS = 200_000;
export const MAX_FEED_BYTES = 32 * 1024 * 1024;
const MAX_FEED_STRING = 2048;

export const DEFAULT_WIDGET_LIMIT = 8;
const MAX_WIDGET_LIMIT = 50;

/**
 * The products to show as recently viewed: distinct items of view events that kept a name and a url, newest
 * first, without `exclude` (the product the page shows), at most `limit`.
 */
export function recentlyViewed(events, { exclude = new Set(), limit = DEFAULT_WIDGET_LIMIT } = {}) {
  const out = [];
  const seen = new Set();
  for (let i = events.length - 1; i >= 0 && out.length < limit; --i) {
    const e = events[i];
    if (e.kind !== EventKind.view || !e.name || !e.url || seen.has(e.item) || exclude.has(e.item)) continue;
    seen.add(e.item);
    out.push({ id: e.item, name: e.name, url: e.url, image: e.image ?? null, price: e.price ?? null });
  }
  return out;
}

/** The widget's limit (data-vitrine-limit, 1 to 50). */
export function widgetLimit(widget) {
  const n = Number(widget.getAttribute(ATTR.limit));
  return Number.isInteger(n) && n >= 1 && n <= MAX_WIDGET_LIMIT ? n : DEFAULT_WIDGET_LIMIT;
}

function sameOrigin(url, win) {
  try {
    const resolved = new URL(url, win.document.baseURI);
    return resolved.origin === win.location.origin ? resolved.href : null;
  } catch {
    return null;
  }
}

/**
 * Fills the widget with one clone of its template per product and shows it; with no product it stays hidden.
 * Returns a function that takes it back (clones removed, `hidden` as before), or null when the widget has no
 * usable template.
 * @param {{id: string, name: string, url: string, image: string|null, price: number|null}[]} products
 * @param {{formatPrice?: (price: number) => string}} [options]
 */
export function renderWidget(widget, products, win, { formatPrice = (p) => String(p) } = {}) {
  // Vitrine's cards go after the shop's own (pinned) ones, which never move.
  const template = widget.querySelector(`template[${ATTR.template}]`);
  const model = template?.content?.firstElementChild;
  if (!model) return null;
  const wasHidden = widget.hidden;
  for (const old of widget.querySelectorAll(`[${ATTR.rendered}]`)) old.remove();
  const added = [];
  for (const product of products) {
    const card = model.cloneNode(true);
    card.setAttribute(ATTR.rendered, '');
    card.setAttribute(ATTR.item, product.id); // clicks on it are recorded like any product's
    const fields = [card, ...card.querySelectorAll(`[${ATTR.field}]`)].filter((el) => el.hasAttribute(ATTR.field));
    for (const el of fields) {
      const field = el.getAttribute(ATTR.field);
      if (field === 'name') el.textContent = product.name;
      else if (field === 'price') el.textContent = product.price === null ? '' : formatPrice(product.price);
      else if (field === 'url') {
        const href = sameOrigin(product.url, win);
        if (href) el.setAttribute('href', href);
      } else if (field === 'image') {
        const src = product.image ? sameOrigin(product.image, win) : null;
        if (src) el.setAttribute('src', src);
        else el.removeAttribute('src');
      }
    }
    widget.append(card);
    added.push(card);
  }
  widget.hidden = added.length === 0 ? wasHidden : false;
  return () => {
    for (const card of added) card.remove();
    widget.hidden = wasHidden;
  };
}

/**
 * The shop's product feed as a Map id -> product. The feed is JSON: {"products": [{"id", "name", "url", "image"?,
 * "price"?, "available"?}]}. A product without a string id, name and url, or with a wrong type in another field, is
 * left out and counted (`skipped`), never half-used; a file that is not that shape throws a VitrineError BAD_INPUT.
 * @returns {{products: Map<string, {id: string, name: string, url: string, image: string|null, price: number|null,
 *   available: boolean}>, skipped: number}}
 */
export function parseProductFeed(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VitrineError('BAD_INPUT', `the product feed is not JSON (${e.message})`);
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.products))
    throw new VitrineError('BAD_INPUT', 'the product feed needs a "products" array');
  if (doc.products.length > MAX_FEED_PRODUCTS)
    throw new VitrineError('BAD_INPUT', `the product feed lists more than ${MAX_FEED_PRODUCTS} products`);
  const isText = (v) => typeof v === 'string' && v !== '' && v.length <= MAX_FEED_STRING;
  const products = new Map();
  let skipped = 0;
  for (const p of doc.products) {
    const ok =
      p &&
      typeof p === 'object' &&
      isText(p.id) &&
      isText(p.name) &&
      isText(p.url) &&
      (p.image == null || isText(p.image)) &&
      (p.price == null || (typeof p.price === 'number' && Number.isFinite(p.price) && p.price >= 0)) &&
      (p.available == null || typeof p.available === 'boolean') &&
      !products.has(p.id);
    if (!ok) {
      skipped += 1;
      continue;
    }
    products.set(p.id, {
      id: p.id,
      name: p.name,
      url: p.url,
      image: p.image ?? null,
      price: p.price ?? null,
      available: p.available ?? true,
    });
  }
  return { products, skipped };
}

/**
 * The products a "similar" or "picks" widget shows: `ranked` (product ids, best first) that the feed knows and has
 * in stock, without `exclude`, each once, at most `limit`.
 */
export function recommendedProducts(ranked, feed, { exclude = new Set(), limit = DEFAULT_WIDGET_LIMIT } = {}) {
  const out = [];
  const seen = new Set();
  for (const id of ranked) {
    if (out.length >= limit) break;
    const product = feed.get(id);
    if (!product || !product.available || exclude.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(product);
  }
  return out;
}

/**
 * What a "similar" or "picks" widget leaves out, from the shopper's events and the page: the products shown on the
 * page outside listings (`onPage`), the widget's own pinned cards, products bought exactly once (as the ranker
 * sinks them), and for "picks" every product the shopper already viewed, clicked, carted or bought.
 */
export function widgetExclusions(kind, events, onPage, widget) {
  const exclude = new Set(onPage);
  for (const pin of widget.querySelectorAll(`[${ATTR.pin}][${ATTR.item}]`)) exclude.add(pin.getAttribute(ATTR.item));
  const bought = new Map();
  for (const e of events) {
    if (!e.item) continue;
    if (e.kind === EventKind.purchase) bought.set(e.item, (bought.get(e.item) ?? 0) + 1);
    if (kind === 'picks' && e.kind !== EventKind.impression) exclude.add(e.item);
  }
  for (const [item, times] of bought) if (times === 1) exclude.add(item);
  return exclude;
}
