// The demo shop's consent banner. The demo has no consent manager: on the shop under /vault/ (Vitrine on its own
// origin, data-consent="required"), Vitrine asks in its own frame, which it puts into this element and shows until
// the shopper answers (js/src/vault_client.mjs mountConsentPrompts). The shop only places and styles it; its scripts
// can neither answer for the shopper nor read the answer, which Vitrine keeps on its own origin. The plain demo says
// data-consent="not-required", and the element stays hidden.
import { el } from './dom.mjs';

// Placed when this module loads (before Vitrine's own modules, which the deferred tag imports later), so Vitrine
// finds it when it asks.
document.body.append(
  el('div', {
    class: 'consent-banner',
    id: 'consent-banner',
    'data-vitrine-consent': true,
    'data-vitrine-consent-height': '110',
    hidden: true,
    role: 'region',
    'aria-label': 'Personalization',
  })
);
