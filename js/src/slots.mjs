// Personalized slots: a [data-vitrine-slot] holds variants tagged with categories; the one that best fits the
// shopper's category affinities is shown and the others get the `hidden` attribute. The profile is an input here:
// it comes from the engine through the worker (vitrine.mjs asks for it in one place), never computed in this file.
import { ATTR } from './dom.mjs';
import { plainText } from './text.mjs';
import { MESSAGES } from './messages.mjs';

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

/**
 * Picks the variant that best fits the profile: the highest affinity among its categories; ties keep the merchant's
 * order; with no positive fit the merchant's default (data-vitrine-default, else the first visible) stays.
 * @returns {{variant: Element, category: string|null, fit: number} | null}
 */
export function chooseVariant(slot, profile) {
  const variants = slotVariants(slot);
  if (variants.length === 0) return null;
  const fallback = variants.find((v) => v.hasAttribute(ATTR.defaultVariant)) ?? variants.find((v) => !v.hidden) ?? variants[0];
  const affinity = categoryAffinity(profile);
  let best = { variant: fallback, category: null, fit: 0 };
  for (const variant of variants) {
    for (const category of variantCategories(variant)) {
      const fit = affinity.get(category) ?? 0;
      if (fit > best.fit) best = { variant, category, fit };
    }
  }
  return best;
}

/**
 * Shows the chosen variant and hides the others. Returns the explanation text (or null for the default), in the
 * language of the message table `m` (messages.mjs).
 */
export function applySlot(slot, choice, m = MESSAGES.en) {
  for (const variant of slotVariants(slot)) {
    const show = variant === choice.variant;
    if (variant.hidden === show) variant.hidden = !show;
  }
  return choice.category ? plainText(m.slotShown(choice.category)) : null;
}
