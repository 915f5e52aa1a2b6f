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
  likelyToBuy: (percent) => `die Wahrscheinlichkeit, dass Sie es bei diesem Besuch kaufen, liegt bei ${percent}\u00a0%`,
  likelyToCart: (percent) =>
    `die Wahrscheinlichkeit, dass Sie es bei diesem Besuch in den Warenkorb legen, liegt bei ${percent}\u00a0%`,
  and: ' und ',
  unavailable: 'Nach den lieferbaren Produkten gezeigt: es ist nicht vorrätig.',
  boughtMovedDown: (places) =>
    `${places} ${plural(places, 'Platz', 'Plätze')} nach unten: Sie haben es schon gekauft, daher kommen Produkte zuerst, die Sie noch nicht gekauft haben.`,
  boughtShownAfter: 'Nach den Produkten gezeigt, die Sie noch nicht gekauft haben: Sie haben es schon gekauft.',
  movedUp: (places, because) => `${places} ${plural(places, 'Platz', 'Plätze')} nach oben, weil ${because}.`,
  movedUpOthersFitLess: (places) =>
    `${places} ${plural(places, 'Platz', 'Plätze')} nach oben: Was der Shop darüber zeigte, passt weniger zu dem, was Sie hier getan haben.`,
  movedDown: (places, though) =>
    `${places} ${plural(places, 'Platz', 'Plätze')} nach unten: andere Produkte passen besser zu dem, was Sie hier getan haben${though ? `, obwohl ${though}` : ''}.`,
  shopOrderNothingYet: 'In der Reihenfolge des Shops: Nichts, was Sie hier getan haben, hängt bisher damit zusammen.',
  keptAtShopPosition: (because) => `Auf dem Platz, den der Shop vorsieht; ${because}.`,
  related: (because) => `Passt zu dem, was Sie hier getan haben: ${because}.`,
  slotShown: (category) => `Gezeigt, weil Sie sich ${category} angesehen haben`,
  panelTitle: 'Ihre Daten für die Empfehlungen dieses Shops',
  panelKept: (n) =>
    `${n} ${plural(n, 'Aktion', 'Aktionen')} von Ihnen ${plural(n, 'ist', 'sind')} nur in diesem Browser gespeichert.`,
  panelNothing: 'Nichts ist gespeichert.',
  panelRecent: 'Angesehene Produkte',
  panelDownload: 'Herunterladen',
  panelErase: 'Löschen',
  panelErased: 'Gelöscht.',
  panelEraseFailed:
    'Der Browser hat das Löschen nicht bestätigt. Schließen Sie die anderen Tabs des Shops und versuchen Sie es erneut.',
  panelTurnOff: 'Ausschalten',
  panelTurnOn: 'Einschalten',
  panelIsOn: 'Empfehlungen sind an. Was Sie hier tun, bleibt in diesem Browser.',
  whyUnknown: 'Der Grund für diese Reihenfolge ist nicht mehr gespeichert: Laden Sie die Seite neu, um ihn zu sehen.',
  consentAsk:
    'Darf dieser Shop seine Produkte danach ordnen, was Sie sich hier ansehen? Was Sie tun, bleibt nur in diesem Browser, wo weder die Skripte noch die Server des Shops es lesen können.',
  consentAllow: 'Erlauben',
  consentRefuse: 'Nein, danke',
  consentNotKept: 'Dieser Browser blockiert den Speicher, daher kann die Antwort nicht gespeichert werden.',
  panelIsOff: 'Empfehlungen sind aus. Nichts wird gespeichert.',
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
  likelyToBuy: (percent) => `la probabilité que vous l\u2019achetiez pendant cette visite est de ${percent}\u00a0%`,
  likelyToCart: (percent) =>
    `la probabilité que vous l\u2019ajoutiez au panier pendant cette visite est de ${percent}\u00a0%`,
  and: ', et ',
  unavailable: 'Affiché après les produits en stock : il est épuisé.',
  boughtMovedDown: (places) =>
    `Descendu de ${places} ${plural(places, 'place', 'places')} : vous l\u2019avez déjà acheté, les produits que vous n\u2019avez pas achetés passent d\u2019abord.`,
  boughtShownAfter: 'Affiché après les produits que vous n\u2019avez pas achetés : vous l\u2019avez déjà acheté.',
  movedUp: (places, because) => `Monté de ${places} ${plural(places, 'place', 'places')} parce que ${because}.`,
  movedUpOthersFitLess: (places) =>
    `Monté de ${places} ${plural(places, 'place', 'places')} : les produits placés au-dessus par la boutique correspondent moins à ce que vous avez fait ici.`,
  movedDown: (places, though) =>
    `Descendu de ${places} ${plural(places, 'place', 'places')} : d\u2019autres produits correspondent mieux à ce que vous avez fait ici${though ? `, même si ${though}` : ''}.`,
  shopOrderNothingYet:
    'Dans l\u2019ordre de la boutique : rien de ce que vous avez fait ici ne s\u2019y rapporte encore.',
  keptAtShopPosition: (because) => `Gardé à la place choisie par la boutique ; ${because}.`,
  related: (because) => `En rapport avec ce que vous avez fait ici : ${because}.`,
  slotShown: (category) => `Affiché parce que vous avez regardé ${category}`,
  panelTitle: 'Vos données pour les recommandations de cette boutique',
  panelKept: (n) =>
    `${n} ${plural(n, 'action', 'actions')} de votre part ${plural(n, 'est conservée', 'sont conservées')} dans ce navigateur uniquement.`,
  panelNothing: 'Rien n\u2019est conservé.',
  panelRecent: 'Produits consultés',
  panelDownload: 'Télécharger',
  panelErase: 'Effacer',
  panelErased: 'Effacé.',
  panelEraseFailed:
    'Le navigateur n\u2019a pas confirmé l\u2019effacement. Fermez les autres onglets de la boutique et réessayez.',
  panelTurnOff: 'Désactiver',
  panelTurnOn: 'Activer',
  panelIsOn: 'Les recommandations sont activées. Ce que vous faites ici reste dans ce navigateur.',
  whyUnknown: 'La raison de cet ordre n\u2019est plus conservée : rechargez la page pour la voir.',
  consentAsk:
    'Cette boutique peut-elle ordonner ses produits selon ce que vous regardez ici ? Ce que vous faites reste uniquement dans ce navigateur, où ni les scripts ni les serveurs de la boutique ne peuvent le lire.',
  consentAllow: 'Autoriser',
  consentRefuse: 'Non merci',
  consentNotKept: 'Ce navigateur bloque le stockage : la réponse ne peut pas être conservée.',
  panelIsOff: 'Les recommandations sont désactivées. Rien n\u2019est enregistré.',
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
  likelyToBuy: (percent) => `您本次访问购买它的可能性为 ${percent}%`,
  likelyToCart: (percent) => `您本次访问把它加入购物车的可能性为 ${percent}%`,
  and: '，并且',
  unavailable: '排在有货商品之后：它已售罄。',
  boughtMovedDown: (places) => `下移了 ${places} 位：您已经买过它，所以您还没买过的商品排在前面。`,
  boughtShownAfter: '排在您还没买过的商品之后：您已经买过它。',
  movedUp: (places, because) => `上移了 ${places} 位，因为${because}。`,
  movedUpOthersFitLess: (places) => `上移了 ${places} 位：商店排在它前面的商品与您在这里的操作不太相符。`,
  movedDown: (places, though) =>
    `下移了 ${places} 位：其他商品更符合您在这里的操作${though ? `，尽管${though}` : ''}。`,
  shopOrderNothingYet: '按商店的顺序显示：您在这里的操作还与它无关。',
  keptAtShopPosition: (because) => `保持在商店安排的位置；${because}。`,
  related: (because) => `与您在这里的操作相关：${because}。`,
  slotShown: (category) => `因为您一直在看${category}而显示`,
  panelTitle: '您在本店推荐中的数据',
  panelKept: (n) => `您在这里的 ${n} 项操作仅保存在此浏览器中。`,
  panelNothing: '没有保存任何内容。',
  panelRecent: '您看过的商品',
  panelDownload: '下载',
  panelErase: '删除',
  panelErased: '已删除。',
  panelEraseFailed: '浏览器未确认删除。请关闭本店的其他标签页后重试。',
  panelTurnOff: '关闭',
  panelTurnOn: '开启',
  panelIsOn: '推荐已开启。您在这里的操作只保留在此浏览器中。',
  whyUnknown: '此顺序的原因已不再保留：请重新加载页面查看。',
  consentAsk: '本店可以根据您在这里浏览的内容来排列商品吗？您的操作只保存在此浏览器中，本店的脚本和服务器都无法读取。',
  consentAllow: '允许',
  consentRefuse: '不用了',
  consentNotKept: '此浏览器阻止了存储，因此无法保存您的选择。',
  panelIsOff: '推荐已关闭。不记录任何内容。',
};

export const MESSAGES = Object.freeze({ en, de, fr, zh });

/** The table for a BCP 47 language tag ("de-CH" -> de); English when there is none for it. */
export function messagesFor(lang) {
  const primary = typeof lang === 'string' ? lang.trim().toLowerCase().split(/[-_]/)[0] : '';
  return Object.hasOwn(MESSAGES, primary) ? MESSAGES[primary] : en;
}
