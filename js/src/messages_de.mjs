// What Vitrine says to the shopper in German (messages.mjs has English and the rules every table follows). Loaded only
// on pages whose <html lang> asks for it.

const plural = (n, one, many) => (n === 1 ? one : many);

export default Object.freeze({
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
});
