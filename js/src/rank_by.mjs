// What a listing is ordered by (the request's rank_by, core/include/vitrine/ranker.h), read in one place for the
// tag (data-rank-by, config.mjs), a listing (data-vitrine-rank-by, dom.mjs) and the worker and the vault, which
// check what the page sends. No imports: the frames that read the markup load it too.
//   relevance   the session model and the shopper's profile (the default)
//   conversion  ln(the probability that the shopper buys the product this visit; adds it to the cart, for a model
//               trained without purchases)
//   value       ln(that probability x the price); a product without a price takes the median of the listing's
// The last two need a model with a conversion head (`vitrine train --events` on a log with add_to_cart or purchase
// rows); the worker ranks by relevance otherwise (ranking_service.mjs). The shop's order, boosts and the bought
// and out-of-stock rules apply the same way to all three.
export const RANK_BY = Object.freeze(['relevance', 'conversion', 'value']);
export const DEFAULT_RANK_BY = 'relevance';

/** A rank-by value as written (case and spaces aside), or null when it is none of RANK_BY. */
export function rankByValue(value) {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : null;
  return RANK_BY.includes(v) ? v : null;
}
