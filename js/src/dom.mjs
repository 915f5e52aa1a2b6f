// The markup contract, read in one place.
//   listing  [data-vitrine-list]                    (optionally data-vitrine-category-page="<category>")
//   item     [data-vitrine-item="<id>"]             data-vitrine-category, data-vitrine-brand, data-vitrine-price
//   pinned   [data-vitrine-pin] on an item           never moves
//   action   [data-vitrine-action="add_to_cart"|"purchase"] on a button inside an item (or with its own item id)
//   search   form or input [data-vitrine-search]
//   slot     [data-vitrine-slot="<name>"] > [data-vitrine-variant][data-vitrine-categories="a,b"]
//   explain  [data-vitrine-explain] inside an item or slot: receives the explanation as text
//   result   [data-vitrine-result] written by Vitrine on a listing: reordered | unchanged | shopper-active (the
//            shopper used it before the order was ready, so it was left alone) | no-history | too-large | off | failed
//            | holdout (the shopper is in the holdout arm, data-holdout: the merchant's order is kept)
//   hold     [data-vitrine-hold] set by Vitrine on a listing it keeps invisible until its order is applied (hold.mjs)
export const ATTR = Object.freeze({
  list: 'data-vitrine-list',
  item: 'data-vitrine-item',
  category: 'data-vitrine-category',
  brand: 'data-vitrine-brand',
  price: 'data-vitrine-price',
  pin: 'data-vitrine-pin',
  action: 'data-vitrine-action',
  search: 'data-vitrine-search',
  categoryPage: 'data-vitrine-category-page',
  slot: 'data-vitrine-slot',
  variant: 'data-vitrine-variant',
  categories: 'data-vitrine-categories',
  defaultVariant: 'data-vitrine-default',
  explain: 'data-vitrine-explain',
  result: 'data-vitrine-result',
  hold: 'data-vitrine-hold',
});

const MAX_ID = 128;
// A UTF-16 half without its partner. Such text cannot be encoded for the engine, so one bad attribute in the
// shop's markup would otherwise fail the ranking of the whole listing.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** The item id of an element, or null when missing or unusable (too long, or not well-formed text). */
export function itemId(element) {
  const id = element?.getAttribute?.(ATTR.item)?.trim();
  if (!id || id.length > MAX_ID) return null;
  // Ids must match the model's vocabulary exactly, so a broken one is refused rather than repaired.
  return LONE_SURROGATE.test(id) ? null : id;
}

/** An attribute as at most MAX_ID characters of well-formed text (a cut pair or lone half becomes U+FFFD). */
function attributeText(element, name) {
  const text = element.getAttribute(name)?.trim();
  return text ? text.slice(0, MAX_ID).replace(LONE_SURROGATES, '\uFFFD') : '';
}

/** The item element a node belongs to (itself or an ancestor), or null. */
export function closestItem(node) {
  return node?.closest?.(`[${ATTR.item}]`) ?? null;
}

/** Describes an item element for the engine: { id, category?, brand?, price? }. */
export function describeItem(element, id = itemId(element)) {
  if (!id) return null;
  const out = { id };
  const category = attributeText(element, ATTR.category);
  if (category) out.category = category;
  const brand = attributeText(element, ATTR.brand);
  if (brand) out.brand = brand;
  const price = Number.parseFloat(element.getAttribute(ATTR.price) ?? '');
  if (Number.isFinite(price) && price >= 0) out.price = price;
  return out;
}

/**
 * The entries of a listing, one per child element (the unit that moves). An entry is movable when it carries (or
 * wraps) an item id that is not pinned and not a duplicate; everything else (pins, banners, headings) stays put.
 * @returns {{node: Element, item: Element|null, id: string|null, movable: boolean}[]}
 */
export function listEntries(list) {
  const seen = new Set();
  const entries = [];
  for (const node of Array.from(list.children)) {
    const item = node.hasAttribute(ATTR.item) ? node : node.querySelector(`[${ATTR.item}]`);
    const id = item ? itemId(item) : null;
    const pinned = node.hasAttribute(ATTR.pin) || (item?.hasAttribute(ATTR.pin) ?? false);
    const movable = id !== null && !pinned && !seen.has(id);
    if (id !== null) seen.add(id);
    entries.push({ node, item, id, movable });
  }
  return entries;
}

/** Candidates for ranking: the movable items of a listing, in the merchant's order. */
export function readCandidates(list) {
  return listEntries(list).filter((e) => e.movable).map((e) => describeItem(e.item, e.id)); // the id is read once per item
}
