// What Vitrine says to the shopper, per language: English, and German, French and Chinese as proof that every
// sentence goes through this table. The page's <html lang> picks the table (messagesFor); anything else is English.
// Each entry is a function of numbers and names only; names come from the shop's data and stay plain text
// (callers write the result with textContent, text.mjs).

const en = {
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
  and: ', and ',
  unavailable: 'Shown after the products in stock: it is out of stock.',
  boughtMovedDown: (places) => `Moved down ${places === 1 ? '1 place' : `${places} places`}: you bought it already, so products you have not bought come first.`,
  boughtShownAfter: 'Shown after the products you have not bought: you bought it already.',
  movedUp: (places, because) => `Moved up ${places === 1 ? '1 place' : `${places} places`} because ${because}.`,
  movedUpOthersFitLess: (places) => `Moved up ${places === 1 ? '1 place' : `${places} places`}: products the shop put above it fit what you did here less well.`,
  movedDown: (places, though) => `Moved down ${places === 1 ? '1 place' : `${places} places`}: other products fit what you did here better${though ? `, though ${though}` : ''}.`,
  shopOrderNothingYet: 'Shown in the shop\u2019s order: nothing you did here relates to it yet.',
  keptAtShopPosition: (because) => `Kept at the shop\u2019s position; ${because}.`,
  related: (because) => `Related to what you did here: ${because}.`,
  slotShown: (category) => `Shown because you have been looking at ${category}`,
};

const plural = (n, one, many) => (n === 1 ? one : many);

const de = {
  session: 'oft gewählt von Kundinnen und Kunden, die sich in diesem Besuch dasselbe angesehen haben wie Sie',
  repeatTimes: (n) => `Sie haben es sich in diesem Besuch ${n}-mal angesehen`,
  repeatOnce: 'Sie haben es sich in diesem Besuch schon angesehen',
  repeatEarlierVisit: 'Sie haben es sich bei einem früheren Besuch angesehen',
  categoryOften: (name, n) => `Sie sehen sich oft ${name} an (${n} Ihrer Aktionen hier betrafen diese Kategorie)`,
  categoryBefore: (name) => `Sie haben sich ${name} schon angesehen`,
  brandOften: (name, n) => `Sie wählen oft ${name} (${n} Ihrer Aktionen hier betrafen diese Marke)`,
  brandBefore: (name) => `Sie haben sich für ${name} interessiert`,
  price: 'sein Preis liegt nahe an dem, was Sie sich sonst ansehen',
  popular: 'es ist hier beliebt',
  shop: 'der Shop führt es weit oben',
  boost: 'der Shop hebt es hervor',
  and: ' und ',
  unavailable: 'Nach den lieferbaren Produkten gezeigt: es ist nicht vorrätig.',
  boughtMovedDown: (places) => `${places} ${plural(places, 'Platz', 'Plätze')} nach unten: Sie haben es schon gekauft, daher kommen Produkte zuerst, die Sie noch nicht gekauft haben.`,
  boughtShownAfter: 'Nach den Produkten gezeigt, die Sie noch nicht gekauft haben: Sie haben es schon gekauft.',
  movedUp: (places, because) => `${places} ${plural(places, 'Platz', 'Plätze')} nach oben, weil ${because}.`,
  movedUpOthersFitLess: (places) => `${places} ${plural(places, 'Platz', 'Plätze')} nach oben: Was der Shop darüber zeigte, passt weniger zu dem, was Sie hier getan haben.`,
  movedDown: (places, though) => `${places} ${plural(places, 'Platz', 'Plätze')} nach unten: andere Produkte passen besser zu dem, was Sie hier getan haben${though ? `, obwohl ${though}` : ''}.`,
  shopOrderNothingYet: 'In der Reihenfolge des Shops: Nichts, was Sie hier getan haben, hängt bisher damit zusammen.',
  keptAtShopPosition: (because) => `Auf dem Platz, den der Shop vorsieht; ${because}.`,
  related: (because) => `Passt zu dem, was Sie hier getan haben: ${because}.`,
  slotShown: (category) => `Gezeigt, weil Sie sich ${category} angesehen haben`,
};

const fr = {
  session: 'souvent choisi par les clients qui ont regardé ce que vous avez regardé pendant cette visite',
  repeatTimes: (n) => `vous l\u2019avez regardé ${n} fois pendant cette visite`,
  repeatOnce: 'vous l\u2019avez déjà regardé pendant cette visite',
  repeatEarlierVisit: 'vous l\u2019avez regardé lors d\u2019une visite précédente',
  categoryOften: (name, n) => `vous parcourez souvent ${name} (${n} de vos actions ici concernaient cette catégorie)`,
  categoryBefore: (name) => `vous avez déjà regardé ${name}`,
  brandOften: (name, n) => `vous choisissez souvent ${name} (${n} de vos actions ici concernaient cette marque)`,
  brandBefore: (name) => `vous vous êtes intéressé à ${name}`,
  price: 'son prix est proche de ce que vous regardez d\u2019habitude',
  popular: 'il est apprécié des clients ici',
  shop: 'la boutique le place en haut de la liste',
  boost: 'la boutique le met en avant',
  and: ', et ',
  unavailable: 'Affiché après les produits en stock : il est épuisé.',
  boughtMovedDown: (places) => `Descendu de ${places} ${plural(places, 'place', 'places')} : vous l\u2019avez déjà acheté, les produits que vous n\u2019avez pas achetés passent d\u2019abord.`,
  boughtShownAfter: 'Affiché après les produits que vous n\u2019avez pas achetés : vous l\u2019avez déjà acheté.',
  movedUp: (places, because) => `Monté de ${places} ${plural(places, 'place', 'places')} parce que ${because}.`,
  movedUpOthersFitLess: (places) => `Monté de ${places} ${plural(places, 'place', 'places')} : les produits placés au-dessus par la boutique correspondent moins à ce que vous avez fait ici.`,
  movedDown: (places, though) => `Descendu de ${places} ${plural(places, 'place', 'places')} : d\u2019autres produits correspondent mieux à ce que vous avez fait ici${though ? `, même si ${though}` : ''}.`,
  shopOrderNothingYet: 'Dans l\u2019ordre de la boutique : rien de ce que vous avez fait ici ne s\u2019y rapporte encore.',
  keptAtShopPosition: (because) => `Gardé à la place choisie par la boutique ; ${because}.`,
  related: (because) => `En rapport avec ce que vous avez fait ici : ${because}.`,
  slotShown: (category) => `Affiché parce que vous avez regardé ${category}`,
};

const zh = {
  session: '浏览过与您本次访问相同商品的顾客经常选择它',
  repeatTimes: (n) => `您本次访问看过它 ${n} 次`,
  repeatOnce: '您本次访问早些时候看过它',
  repeatEarlierVisit: '您在之前的访问中看过它',
  categoryOften: (name, n) => `您经常浏览${name}（您在这里的操作中有 ${n} 次属于该类别）`,
  categoryBefore: (name) => `您之前看过${name}`,
  brandOften: (name, n) => `您经常选择${name}（您在这里的操作中有 ${n} 次属于该品牌）`,
  brandBefore: (name) => `您对${name}感兴趣`,
  price: '它的价格接近您通常浏览的价位',
  popular: '它在这里很受欢迎',
  shop: '商店把它排在前面',
  boost: '商店重点推荐它',
  and: '，并且',
  unavailable: '排在有货商品之后：它已售罄。',
  boughtMovedDown: (places) => `下移了 ${places} 位：您已经买过它，所以您还没买过的商品排在前面。`,
  boughtShownAfter: '排在您还没买过的商品之后：您已经买过它。',
  movedUp: (places, because) => `上移了 ${places} 位，因为${because}。`,
  movedUpOthersFitLess: (places) => `上移了 ${places} 位：商店排在它前面的商品与您在这里的操作不太相符。`,
  movedDown: (places, though) => `下移了 ${places} 位：其他商品更符合您在这里的操作${though ? `，尽管${though}` : ''}。`,
  shopOrderNothingYet: '按商店的顺序显示：您在这里的操作还与它无关。',
  keptAtShopPosition: (because) => `保持在商店安排的位置；${because}。`,
  related: (because) => `与您在这里的操作相关：${because}。`,
  slotShown: (category) => `因为您一直在看${category}而显示`,
};

export const MESSAGES = Object.freeze({ en, de, fr, zh });

/** The table for a BCP 47 language tag ("de-CH" -> de); English when there is none for it. */
export function messagesFor(lang) {
  const primary = typeof lang === 'string' ? lang.trim().toLowerCase().split(/[-_]/)[0] : '';
  return Object.hasOwn(MESSAGES, primary) ? MESSAGES[primary] : en;
}
