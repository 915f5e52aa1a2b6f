// What Vitrine says to the shopper, per language: English here, and German, French and Chinese (messages_de.mjs,
// messages_fr.mjs, messages_zh.mjs) as proof that every sentence goes through a table. The page's <html lang> picks
// the table (messagesFor); anything else is English. The other languages are separate files, fetched only by pages
// in that language: together they were 7.4 KB gzip of every page's bundles (the page's and the vault frame's).
// Each entry is a function of numbers and names only; names come from the shop's data and stay plain text
// (callers write the result with textContent, text.mjs).

export const ENGLISH = Object.freeze({
  session: 'often chosen by shoppers who looked at what you looked at this visit',
  repeatTimes: (n) => `you looked at it ${n} times this visit`,
  repeatOnce: 'you looked at it earlier this visit',
  repeatEarlierVisit: 'you looked at it on an earlier visit',
  categoryOften: (name, n) => `you often browse ${name} (${n} things you did here were in that category)`,
  categoryBefore: (name) => `you have looked at ${name} before`,
  brandOften: (name, n) => `you often choose ${name} (${n} things you did here were from that brand)`,
  brandBefore: (name) => `you have shown interest in ${name}`,
  price: 'its price is close to what you usually look at',
  popular: 'it is popular with shoppers here',
  shop: 'the shop lists it near the top',
  boost: 'the shop features it',
  likelyToBuy: (percent) => `your chance of buying it this visit is ${percent}%`,
  likelyToCart: (percent) => `your chance of adding it to your cart this visit is ${percent}%`,
  and: ', and ',
  unavailable: 'Shown after the products in stock: it is out of stock.',
  boughtMovedDown: (places) =>
    `Moved down ${places === 1 ? '1 place' : `${places} places`}: you bought it already, so products you have not bought come first.`,
  boughtShownAfter: 'Shown after the products you have not bought: you bought it already.',
  movedUp: (places, because) => `Moved up ${places === 1 ? '1 place' : `${places} places`} because ${because}.`,
  movedUpOthersFitLess: (places) =>
    `Moved up ${places === 1 ? '1 place' : `${places} places`}: products the shop put above it fit what you did here less well.`,
  movedDown: (places, though) =>
    `Moved down ${places === 1 ? '1 place' : `${places} places`}: other products fit what you did here better${though ? `, though ${though}` : ''}.`,
  shopOrderNothingYet: 'Shown in the shop\u2019s order: nothing you did here relates to it yet.',
  keptAtShopPosition: (because) => `Kept at the shop\u2019s position; ${because}.`,
  related: (because) => `Related to what you did here: ${because}.`,
  slotShown: (category) => `Shown because you have been looking at ${category}`,
  panelTitle: 'Your data for this shop\u2019s recommendations',
  panelKept: (n) => `${n} ${n === 1 ? 'thing you did here is' : 'things you did here are'} kept in this browser only.`,
  panelNothing: 'Nothing is kept.',
  panelRecent: 'Products you viewed',
  panelDownload: 'Download',
  panelErase: 'Erase',
  panelErased: 'Erased.',
  panelEraseFailed: 'The browser did not confirm the erasure. Close the shop\u2019s other tabs and try again.',
  panelTurnOff: 'Turn off',
  panelTurnOn: 'Turn on',
  panelIsOn: 'Recommendations are on. What you do here stays in this browser.',
  whyUnknown: 'The reason for this order is no longer kept: reload the page to see it.',
  consentAsk:
    'May this shop order its products by what you look at here? What you do is kept in this browser only, where neither the shop\u2019s scripts nor its servers can read it.',
  consentAllow: 'Allow',
  consentRefuse: 'No thanks',
  consentNotKept: 'This browser blocks storage, so the answer cannot be kept.',
  panelIsOff: 'Recommendations are off. Nothing is recorded.',
});

// Literal specifiers, so that a shop's bundler emits each table as a chunk of its own; tools/build_package.mjs
// keeps them out of the package's bundles the same way.
const OTHER_LANGUAGES = {
  de: () => import('./messages_de.mjs'),
  fr: () => import('./messages_fr.mjs'),
  zh: () => import('./messages_zh.mjs'),
};

/** The language Vitrine speaks for a BCP 47 tag: its primary subtag ("de-CH" -> "de") if there is a table, else "en". */
export function languageFor(lang) {
  const primary = typeof lang === 'string' ? lang.trim().toLowerCase().split(/[-_]/)[0] : '';
  return Object.hasOwn(OTHER_LANGUAGES, primary) ? primary : 'en';
}

/**
 * Resolves to the table for a BCP 47 language tag; English when there is none for it, or when its file does not
 * load (a page is never left without words).
 */
export async function messagesFor(lang) {
  const language = languageFor(lang);
  if (language === 'en') return ENGLISH;
  try {
    return (await OTHER_LANGUAGES[language]()).default;
  } catch {
    return ENGLISH;
  }
}
