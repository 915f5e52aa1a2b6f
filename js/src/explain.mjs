// Words for an explanation, built from the engine's factors (core/include/vitrine/ranker.h, ExplanationFactor).
// The engine says which terms moved an item and the evidence; this file only phrases them, and says which way the
// item moved only from the positions it is given. The result is plain text: callers write it with textContent
// (text.mjs), never as HTML.
import { ENGLISH } from './messages.mjs';

const MAX_REASONS = 2;

// A factor's `events` counts the shopper's stored events of any kind (views, clicks, cart adds, purchases, searches,
// category visits) that back it, so the counts are worded as "things you did", never as visits.
const phrases = {
  session: (f, m) => (f.events > 0 ? m.session : ''),
  // `events` counts this visit only (a visit ends after 30 minutes without activity); 0: only on earlier visits.
  repeat: (f, m) => (f.events > 1 ? m.repeatTimes(f.events) : f.events === 1 ? m.repeatOnce : m.repeatEarlierVisit),
  category: (f, m) => (f.events > 1 ? m.categoryOften(f.name, f.events) : m.categoryBefore(f.name)),
  brand: (f, m) => (f.events > 1 ? m.brandOften(f.name, f.events) : m.brandBefore(f.name)),
  price: (f, m) => m.price,
  // The model's prior for the item, relative to this listing: about the shop's shoppers, not about this one.
  popular: (f, m) => m.popular,
  // The merchant's own terms (ranker.h step 2): said as the shop's, never as something about the shopper.
  shop: (f, m) => m.shop,
  boost: (f, m) => m.boost,
  // rank_by conversion or value (ranker.h): the probability the ranking used, of a purchase this visit, or of an
  // add-to-cart for a model trained without purchases (engine.mjs names that factor 'cart').
  conversion: (f, m) => {
    if (!(f.probability >= 0 && f.probability <= 1)) return '';
    return f.name === 'cart' ? m.likelyToCart(percent(f.probability)) : m.likelyToBuy(percent(f.probability));
  },
};

/** A probability as a whole percentage, as text: "12", and "<1" for a chance that rounds to 0 without being 0. */
function percent(p) {
  const rounded = Math.round(p * 100);
  return rounded === 0 && p > 0 ? '<1' : String(rounded);
}

/** True when factors are the engine's own ({kind, contribution, ...}), which explanationText can word. */
export function isEngineFactors(factors) {
  return Array.isArray(factors) && factors.every((f) => typeof f?.kind === 'string' && Number.isFinite(f.contribution));
}

/**
 * One sentence for an item from its factors and, when known, where it moved. Only factors that lift the item are
 * worded, the strongest first; "moved up" is said only of an item shown above its place in the shop's order.
 * @param {{kind: string, name: string, contribution: number, events: number}[]} factors
 * @param {{from: number, to: number}} [move] the item's position in the shop's order and in the order shown
 * @param {object} [m] the message table (messages.mjs messagesFor), English by default
 */
export function explanationText(factors, move, m = ENGLISH) {
  const known = move && Number.isInteger(move.from) && Number.isInteger(move.to);
  const places = known ? Math.abs(move.from - move.to) : 0;
  // Out of stock, the merchant's rule, goes after everything available (ranker.h), whatever else applies.
  if (Array.isArray(factors) && factors.some((f) => f?.kind === 'unavailable')) return m.unavailable;
  // The engine puts a product bought once after those not bought (ranker.h): that, not its lifts, is the reason.
  if (Array.isArray(factors) && factors.some((f) => f?.kind === 'bought')) {
    return known && move.to > move.from ? m.boughtMovedDown(places) : m.boughtShownAfter;
  }
  // A conversion factor is what the order was made of, so it is said first whatever its sign: its contribution is
  // ln p (or ln p x price), below 0 for every probability.
  const lifting = (Array.isArray(factors) ? factors : [])
    .filter((f) => (f?.kind === 'conversion' || f?.contribution > 0) && Object.hasOwn(phrases, f.kind))
    .sort((a, b) =>
      (a.kind === 'conversion') !== (b.kind === 'conversion')
        ? a.kind === 'conversion'
          ? -1
          : 1
        : b.contribution - a.contribution
    ); // stable: equal terms keep the engine's order
  const parts = [];
  for (const f of lifting) {
    const text = phrases[f.kind](f, m);
    if (text) parts.push(text);
    if (parts.length === MAX_REASONS) break;
  }
  const because = parts.join(m.and);
  if (known && move.to < move.from) return parts.length ? m.movedUp(places, because) : m.movedUpOthersFitLess(places);
  if (known && move.to > move.from) return m.movedDown(places, parts.length ? because : '');
  if (parts.length === 0) return m.shopOrderNothingYet;
  return known ? m.keptAtShopPosition(because) : m.related(because);
}
