// Words for an explanation, built from the engine's factors (core/include/vitrine/ranker.h, ExplanationFactor).
// The engine says which terms moved an item and the evidence; this file only phrases them, and says which way the
// item moved only from the positions it is given. The result is plain text: callers write it with textContent
// (text.mjs), never as HTML.
const MAX_REASONS = 2;

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// A factor's `events` counts the shopper's stored events of any kind (views, clicks, cart adds, purchases, searches,
// category visits) that back it, so the counts are worded as "things you did", never as visits.
function didThere(n, what) {
  return `${plural(n, 'thing', 'things')} you did here ${n === 1 ? 'was' : 'were'} ${what}`;
}

const phrases = {
  session: (f) => f.events > 0 ? 'often chosen by shoppers who looked at what you looked at this visit' : '',
  // `events` counts this visit only (a visit ends after 30 minutes without activity); 0: only on earlier visits.
  repeat: (f) => (f.events > 1 ? `you looked at it ${plural(f.events, 'time', 'times')} this visit`
    : f.events === 1 ? 'you looked at it earlier this visit' : 'you looked at it on an earlier visit'),
  category: (f) => f.events > 1 ? `you often browse ${f.name} (${didThere(f.events, 'in that category')})`
    : `you have looked at ${f.name} before`,
  brand: (f) => f.events > 1 ? `you often choose ${f.name} (${didThere(f.events, 'from that brand')})`
    : `you have shown interest in ${f.name}`,
  price: () => 'its price is close to what you usually look at',
  // The model's prior for the item, relative to this listing: about the shop's shoppers, not about this one.
  popular: () => 'it is popular with shoppers here',
  // The merchant's own terms (ranker.h step 2): said as the shop's, never as something about the shopper.
  shop: () => 'the shop lists it near the top',
  boost: () => 'the shop features it',
};

/** True when factors are the engine's own ({kind, contribution, ...}), which explanationText can word. */
export function isEngineFactors(factors) {
  return Array.isArray(factors) && factors.every((f) => typeof f?.kind === 'string' && Number.isFinite(f.contribution));
}

/**
 * One sentence for an item from its factors and, when known, where it moved. Only factors that lift the item are
 * worded, the strongest first; "moved up" is said only of an item shown above its place in the shop's order.
 * @param {{kind: string, name: string, contribution: number, events: number}[]} factors
 * @param {{from: number, to: number}} [move] the item's position in the shop's order and in the order shown
 */
export function explanationText(factors, move) {
  const known = move && Number.isInteger(move.from) && Number.isInteger(move.to);
  const places = known ? Math.abs(move.from - move.to) : 0;
  // Out of stock, the merchant's rule, goes after everything available (ranker.h), whatever else applies.
  if (Array.isArray(factors) && factors.some((f) => f?.kind === 'unavailable')) {
    return 'Shown after the products in stock: it is out of stock.';
  }
  // The engine puts a product bought once after those not bought (ranker.h): that, not its lifts, is the reason.
  if (Array.isArray(factors) && factors.some((f) => f?.kind === 'bought')) {
    return known && move.to > move.from
      ? `Moved down ${plural(places, 'place', 'places')}: you bought it already, so products you have not bought come first.`
      : 'Shown after the products you have not bought: you bought it already.';
  }
  const lifting = (Array.isArray(factors) ? factors : [])
    .filter((f) => f?.contribution > 0 && Object.hasOwn(phrases, f.kind))
    .sort((a, b) => b.contribution - a.contribution); // stable: equal terms keep the engine's order
  const parts = [];
  for (const f of lifting) {
    const text = phrases[f.kind](f);
    if (text) parts.push(text);
    if (parts.length === MAX_REASONS) break;
  }
  const because = parts.join(', and ');
  if (known && move.to < move.from) {
    return parts.length ? `Moved up ${plural(places, 'place', 'places')} because ${because}.`
      : `Moved up ${plural(places, 'place', 'places')}: products the shop put above it fit what you did here less well.`;
  }
  if (known && move.to > move.from) {
    return `Moved down ${plural(places, 'place', 'places')}: other products fit what you did here better${parts.length ? `, though ${because}` : ''}.`;
  }
  if (parts.length === 0) return 'Shown in the shop\u2019s order: nothing you did here relates to it yet.';
  return known ? `Kept at the shop\u2019s position; ${because}.` : `Related to what you did here: ${because}.`;
}
