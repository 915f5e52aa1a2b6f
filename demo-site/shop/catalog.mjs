// The shop's own catalog (rendering the listing is the shop's job; Vitrine only reorders what is rendered).
import { el } from './dom.mjs';

const CATALOG_URL = '/catalog/catalog.json';
let loading = null;

export function loadCatalog() {
  loading ??= fetch(CATALOG_URL)
    .then((r) => {
      if (!r.ok) throw new Error(`catalog: HTTP ${r.status}`);
      return r.json();
    })
    .then(indexCatalog);
  return loading;
}

function indexCatalog(catalog) {
  catalog.byId = new Map(catalog.products.map((p) => [p.id, p]));
  catalog.byCategory = new Map(catalog.categories.map((c) => [c.slug, []]));
  for (const p of catalog.products) catalog.byCategory.get(p.category).push(p);
  for (const list of catalog.byCategory.values()) list.sort((a, b) => a.rank - b.rank);
  catalog.labels = new Map(catalog.categories.map((c) => [c.slug, c.label]));
  return catalog;
}

/** The merchant's mixed listing: categories taken in turn, each in its own order, from position `from` on. */
export function mixedListing(catalog, from, count) {
  const out = [];
  const lists = [...catalog.byCategory.values()];
  for (let depth = from; out.length < count; ++depth) {
    let added = false;
    for (const list of lists) {
      if (depth < list.length && out.length < count) {
        out.push(list[depth]);
        added = true;
      }
    }
    if (!added) break;
  }
  return out;
}

const money = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
export const formatPrice = (price) => money.format(price);

/** A product photo: one cell of a sprite sheet, positioned through the CSSOM (allowed under the strict CSP). */
export function productImage(catalog, product, className = 'ph') {
  const { cols, files } = catalog.sprites;
  const node = el('div', { class: className, role: 'img', 'aria-label': product.name });
  const col = product.cell % cols,
    row = Math.floor(product.cell / cols);
  node.style.backgroundImage = `url("/catalog/${files[product.sheet]}")`;
  node.style.backgroundSize = `${cols * 100}% ${cols * 100}%`;
  node.style.backgroundPosition = `${(col / (cols - 1)) * 100}% ${(row / (cols - 1)) * 100}%`;
  return node;
}

export function productUrl(product) {
  return `product.html?id=${encodeURIComponent(product.id)}`;
}
