// What Vitrine says to the shopper in French (messages.mjs has English and the rules every table follows). Loaded only
// on pages whose <html lang> asks for it.

const plural = (n, one, many) => (n === 1 ? one : many);

export default Object.freeze({
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
});
