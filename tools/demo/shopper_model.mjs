// The simulated shoppers' choice model, in one place: the training simulator (tools/simulate_shoppers.mjs) and the
// offline uplift test (tools/uplift.mjs) both take their shoppers' behaviour from here.
//
// A shopper has hidden tastes (makeTaste). A product's utility for them is brand affinity minus how far its price
// and look are from what they like (utilities). On a listing, product i at position r is opened with weight
//   exp(utility_i + pull from the product just viewed) * exp(-r / exposureScale)
// (listingWeights): products high in the list are seen more. A viewed product goes to the cart with probability
// cartProbability(utility); a cart item is bought at the end of the session with probability pBuy.

export const PARAMS = Object.freeze({
  favouriteBoost: 2.5, // log-weight added to a favourite category
  brandBoost: 1.5, // utility of a favourite brand
  pStay: 0.75, // next view in the same category
  pSwitch: 0.13, // next view in another category; the rest go back to a product seen this session
  sameBrandBonus: 0.8, // the product just viewed pulls its brand and colour along
  sameColorBonus: 0.6,
  exposureScale: 80, // exposure ~ exp(-position / scale) in the order the listing is shown
  cartThreshold: 2.0, // P(add to cart) = 0.5 * sigmoid(utility - threshold)
  pBuy: 0.6, // a cart item is bought at the end of the session
});

/**
 * The option of leaving a listing without opening anything, on the same scale as listingWeights. Only the uplift
 * test offers it (training walks have a planned length), so that how well a listing is ordered shows in its clicks.
 * On the demo's 60-product category pages in the merchant's order, held-out shoppers open a product from 77.6% of
 * the pages they see (tools/uplift.mjs on the demo shop).
 */
export const LEAVE_WEIGHT = 6;

const round2 = (x) => Math.round(x * 100) / 100;

/** Hidden tastes of one shopper. Draws from `random` in a fixed order (the simulator's streams depend on it). */
export function makeTaste(random, catalog) {
  const categories = catalog.categories.map(() => 0.7 * random.normal());
  const favourites = 1 + (random.next() < 0.4 ? 1 : 0);
  for (let k = 0; k < favourites; ++k) categories[random.int(categories.length)] += PARAMS.favouriteBoost;
  const brands = Object.fromEntries(catalog.brands.map((b) => [b.name, 0.4 * random.normal()]));
  const liked = 1 + (random.next() < 0.5 ? 1 : 0);
  for (let k = 0; k < liked; ++k) brands[random.pick(catalog.brands).name] += PARAMS.brandBoost;
  return {
    categories: Object.fromEntries(catalog.categories.map((c, i) => [c.slug, round2(categories[i])])),
    brands: Object.fromEntries(Object.entries(brands).map(([k, v]) => [k, round2(v)])),
    priceLevel: round2(0.35 * random.normal()), // preferred log(price / category median)
    priceWeight: round2(0.5 + random.next()),
    lightness: round2(0.1 + 0.8 * random.next()), // preferred look[0]
    lookWeight: round2(0.5 + 2.5 * random.next()),
  };
}

function median(values) {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * What the choice model needs to know about the shop: products (catalog order), each category's listing in the
 * merchant's own order (product indices) and each category's median log price.
 */
export function shopIndex(catalog) {
  const products = catalog.products;
  const byCategory = catalog.categories.map((c) =>
    products.flatMap((p, i) => (p.category === c.slug ? [i] : [])).sort((a, b) => products[a].rank - products[b].rank)
  );
  const medianLogPrice = Object.fromEntries(
    catalog.categories.map((c, k) => [c.slug, Math.log(median(byCategory[k].map((i) => products[i].price)))])
  );
  return { catalog, products, byCategory, medianLogPrice, slugs: catalog.categories.map((c) => c.slug) };
}

/** Utility of every product for a taste (without the category term, which picks where a session goes). */
export function utilities(taste, shop) {
  return shop.products.map((p) => {
    const price = Math.log(p.price) - shop.medianLogPrice[p.category] - taste.priceLevel;
    const look = (p.look[0] - taste.lightness) / 0.25;
    return taste.brands[p.brand] - 0.5 * taste.priceWeight * (price / 0.35) ** 2 - 0.5 * taste.lookWeight * look * look;
  });
}

/**
 * A bestseller order: every category's listing sorted by the mean of exp(utility) over `tastes` (the shoppers the
 * model was trained on), best first. What a shop's sales ranking approximates: information about the population,
 * none about the shopper.
 */
export function popularOrder(shop, tastes) {
  const appeal = new Float64Array(shop.products.length);
  for (const taste of tastes)
    utilities(taste, shop).forEach((u, i) => {
      appeal[i] += Math.exp(u);
    });
  return {
    ...shop,
    byCategory: shop.byCategory.map((listing) => listing.slice().sort((a, b) => appeal[b] - appeal[a])),
  };
}

/** Weight of each category as the place a session starts or switches to. */
export function categoryWeights(taste, shop) {
  return shop.slugs.map((s) => Math.exp(taste.categories[s]));
}

/**
 * The weight of opening each product of a listing, in the order shown (`listing`: product indices). Products
 * already viewed in this session (`seen`) get 0; `last` is the product index just viewed, or -1.
 */
export function listingWeights(listing, utility, products, last, seen) {
  const previous = last >= 0 ? products[last] : null;
  return listing.map((i, position) => {
    if (seen.has(i)) return 0;
    const p = products[i];
    let u = utility[i];
    if (previous && p.brand === previous.brand) u += PARAMS.sameBrandBonus;
    if (previous && p.color === previous.color) u += PARAMS.sameColorBonus;
    return Math.exp(u - position / PARAMS.exposureScale);
  });
}

/** Probability that a viewed product goes to the cart. */
export function cartProbability(utility) {
  return 0.5 / (1 + Math.exp(-(utility - PARAMS.cartThreshold)));
}

/** Planned number of product views in a session (one draw). */
export function sessionLength(random) {
  return Math.min(20, 2 + Math.floor(-Math.log(1 - random.next()) / 0.2));
}
