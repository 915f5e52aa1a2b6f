// The markup contract, read in one place.
//   listing  [data-vitrine-list]                    (optionally data-vitrine-category-page="<category>")
//   item     [data-vitrine-item="<id>"]             data-vitrine-category, data-vitrine-brand, data-vitrine-price
//            data-vitrine-code="<item code>"         the product's vector, for a model whose catalog is out of its
//                                                    file (`vitrine export-codes`); kept with the shopper's events
//   pinned   [data-vitrine-pin] on an item           never moves
//   merchant [data-vitrine-boost="2"] on an item       boost (> 0) or bury (< 0), in score units (-100..100)
//            [data-vitrine-available="false"]          out of stock: ranked after every available item
//            [data-vitrine-blend="1"] on a listing     weight of the shop's order (0: the personal order alone)
//            [data-vitrine-rank-by="value"] on a listing  what it is ordered by: relevance, conversion or value
//                                                      (overrides the tag's data-rank-by; rank_by.mjs)
//            [data-vitrine-search-page] on a listing   search results: the shop's relevance order weighs more
//            [data-vitrine-diversity="brand:2/8"]      on a listing: at most 2 items of one brand (or category) in
//                                                      the first 8
//   action   [data-vitrine-action="add_to_cart"|"purchase"] on a button inside an item (or with its own item id)
//   search   form or input [data-vitrine-search]
//   slot     [data-vitrine-slot="<name>"] > [data-vitrine-variant][data-vitrine-categories="a,b"]
//   explain  [data-vitrine-explain] inside an item or slot: receives the explanation as text
//   why      [data-vitrine-why] a hidden button inside an item: shown on promoted items, it shows the explanation on
//            the shopper's click instead of writing it at once (why.mjs)
//   panel    [data-vitrine-panel] with the vault: gets the shopper's "your data" frame (vault_client.mjs)
//   consent  [data-vitrine-consent] with the vault and no consent manager, rendered hidden: shown with Vitrine's own
//            consent prompt in it until the shopper answers (vault_client.mjs mountConsentPrompts)
//   result   [data-vitrine-result] written by Vitrine on a listing: reordered | unchanged | shopper-active (the
//            shopper used it before the order was ready, so it was left alone) | no-history | too-large | off | failed
//            | holdout (the shopper is in the holdout arm, data-holdout: the merchant's order is kept)
//   display  [data-vitrine-name], [data-vitrine-url], [data-vitrine-image] on a product: kept with its views, so the
//            "recently viewed" widget can show it (widgets.mjs)
//   widget   [data-vitrine-widget="recent"] > template[data-vitrine-template] with [data-vitrine-field="name" |
//            "price" | "url" (href) | "image" (src)]; data-vitrine-limit (default 8)
//   hold     [data-vitrine-hold] set by Vitrine on a listing it keeps invisible until its order is applied (hold.mjs)
//            [data-vitrine-long] on a listing the shop knows fills more than a screen: held without being laid out
import { itemCode } from './events.mjs';
import { parsePrice } from './price.mjs';
import { rankByValue } from './rank_by.mjs';

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
  why: 'data-vitrine-why',
  result: 'data-vitrine-result',
  hold: 'data-vitrine-hold',
  long: 'data-vitrine-long',
  boost: 'data-vitrine-boost',
  available: 'data-vitrine-available',
  blend: 'data-vitrine-blend',
  rankBy: 'data-vitrine-rank-by',
  searchPage: 'data-vitrine-search-page',
  diversity: 'data-vitrine-diversity',
  name: 'data-vitrine-name',
  url: 'data-vitrine-url',
  image: 'data-vitrine-image',
  code: 'data-vitrine-code',
  widget: 'data-vitrine-widget',
  template: 'data-vitrine-template',
  field: 'data-vitrine-field',
  limit: 'data-vitrine-limit',
  rendered: 'data-vitrine-rendered',
  products: 'data-vitrine-products',
});

// The weight of the shop's order. A listing that sets none is ranked with the model's own (config.blend, learned by
// `vitrine train` from impressions with positions), which is DEFAULT_BLEND (ranker.h kDefaultBlend) for a model
// that learned none. On search pages the shop's order carries the query's relevance, which no profile knows: they
// weigh it SEARCH_BLEND, the most a learned weight can be (models/train/blend_fit.h kSearchPageBlend).
// tests/js/blend.test.mjs checks both against the C++.
export const DEFAULT_BLEND = 1;
export const SEARCH_BLEND = 4;
const MAX_BOOST = 100;
const MAX_BLEND = 100;

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

/** Describes an item element for the engine: { id, category?, brand?, price?, boost?, available?, code? }. */
export function describeItem(element, id = itemId(element)) {
  if (!id) return null;
  const out = { id };
  const category = attributeText(element, ATTR.category);
  if (category) out.category = category;
  const brand = attributeText(element, ATTR.brand);
  if (brand) out.brand = brand;
  const price = parsePrice(element.getAttribute(ATTR.price)); // as the shop prints it: "49,90", "1.299,00 €"
  if (price !== null) out.price = price;
  const boost = Number(element.getAttribute(ATTR.boost) ?? '');
  if (element.hasAttribute(ATTR.boost) && Number.isFinite(boost) && Math.abs(boost) <= MAX_BOOST && boost !== 0)
    out.boost = boost;
  if (element.getAttribute(ATTR.available)?.trim().toLowerCase() === 'false') out.available = false;
  const code = itemCode(element.getAttribute(ATTR.code)?.trim());
  if (code !== null) out.code = code;
  return out;
}

/** What a product shows of itself (name, url, image), for the widgets; only the attributes present. */
export function displayOf(element) {
  const out = {};
  for (const key of ['name', 'url', 'image']) {
    const text = element.getAttribute(ATTR[key])?.trim();
    if (text) out[key] = text;
  }
  return out;
}

/**
 * How a listing is ranked: the weight of the shop's order (undefined: the model's own), its diversity rule or null,
 * and what it is ranked by (its data-vitrine-rank-by, or null when it has none that is understood: the tag's
 * data-rank-by then).
 */
export function listingRules(list) {
  const given = list.getAttribute(ATTR.blend);
  const blend = given !== null && given.trim() !== '' ? Number(given) : NaN;
  const diversity = /^(brand|category):(\d{1,3})\/(\d{1,4})$/.exec(list.getAttribute(ATTR.diversity)?.trim() ?? '');
  return {
    blend:
      Number.isFinite(blend) && blend >= 0 && blend <= MAX_BLEND
        ? blend
        : list.hasAttribute(ATTR.searchPage)
          ? SEARCH_BLEND
          : undefined,
    diversity:
      diversity && Number(diversity[2]) >= 1
        ? { by: diversity[1], max: Number(diversity[2]), top: Number(diversity[3]) }
        : null,
    rankBy: rankByValue(list.getAttribute(ATTR.rankBy)),
  };
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
  return listEntries(list)
    .filter((e) => e.movable)
    .map((e) => describeItem(e.item, e.id)); // the id is read once per item
}
