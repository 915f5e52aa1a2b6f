// Personalized slots: a [data-vitrine-slot] holds variants tagged with categories; the one that best fits the
// shopper's category affinities is shown and the others get the `hidden` attribute. The profile is an input here:
// it comes from the engine through the worker (vitrine.mjs asks for it in one place), never computed in this file.
import { ATTR } from './dom.mjs';
import { plainText } from './text.mjs';
import { ENGLISH } from './messages.mjs';

/** The categories a variant is tagged with, lower-cased. */
export function variantCategories(variant) {
  return (variant.getAttribute(ATTR.categories) ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
}

/** Lower-cased affinity table from a profile ({ categoryAffinity: { shoes: 0.8, ... } }); non-numbers dropped. */
export function categoryAffinity(profile) {
  const table = new Map();
  const source = profile?.categoryAffinity;
  if (!source || typeof source !== 'object') return table;
  for (const [category, value] of Object.entries(source)) {
    const v = Number(value);
    const key = category.trim().toLowerCase();
    if (Number.isFinite(v)) table.set(key, Math.max(v, table.get(key) ?? -Infinity));
  }
  return table;
}

export function slotVariants(slot) {
  return Array.from(slot.children).filter((child) => child.hasAttribute(ATTR.variant));
}

/** What the choice needs of a slot, without its DOM: each variant's categories and the default's index. */
export function describeSlot(slot) {
  const variants = slotVariants(slot);
  const byDefault = variants.findIndex((v) => v.hasAttribute(ATTR.defaultVariant));
  const fallback =
    byDefault >= 0
      ? byDefault
      : Math.max(
          0,
          variants.findIndex((v) => !v.hidden)
        );
  return { variants: variants.map(variantCategories), fallback };
}

/**
 * Picks the variant that best fits the profile: the highest affinity among its categories; ties keep the merchant's
 * order; with no positive fit the merchant's default stays. `described`: describeSlot()'s shape (the vault gets it
 * over its channel). Returns { index, category, fit }, or null for a slot without variants.
 */
export function chooseIndex(described, profile) {
  const variants = Array.isArray(described?.variants) ? described.variants : [];
  if (variants.length === 0) return null;
  const fallback =
    Number.isInteger(described.fallback) && described.fallback >= 0 && described.fallback < variants.length
      ? described.fallback
      : 0;
  const affinity = categoryAffinity(profile);
  let best = { index: fallback, category: null, fit: 0 };
  variants.forEach((categories, index) => {
    for (const category of Array.isArray(categories) ? categories : []) {
      const fit = affinity.get(String(category).trim().toLowerCase()) ?? 0;
      if (fit > best.fit) best = { index, category: String(category), fit };
    }
  });
  return best;
}

/**
 * chooseIndex() on a slot of the page (data-vitrine-default, else the first visible variant, is the default).
 * @returns {{variant: Element, category: string|null, fit: number} | null}
 */
export function chooseVariant(slot, profile) {
  const best = chooseIndex(describeSlot(slot), profile);
  return best && { variant: slotVariants(slot)[best.index], category: best.category, fit: best.fit };
}

/**
 * Shows the chosen variant and hides the others. Returns the explanation text (or null for the default), in the
 * language of the message table `m` (messages.mjs).
 */
export function applySlot(slot, choice, m = ENGLISH) {
  for (const variant of slotVariants(slot)) {
    const show = variant === choice.variant;
    if (variant.hidden === show) variant.hidden = !show;
  }
  return choice.category ? plainText(m.slotShown(choice.category)) : null;
}
