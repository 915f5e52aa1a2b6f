// Widgets the shop places with markup. "recent": the products the shopper viewed, newest first, from their own
// stored views (a view keeps the product's name, url and image when its element carries data-vitrine-name, -url
// and -image). Each product is a clone of the shop's <template data-vitrine-template>, filled with text and
// same-origin links only, never with markup. Nothing here decides an order from a model.
import { ATTR } from './dom.mjs';
import { EventKind } from './event_kinds.mjs';

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
