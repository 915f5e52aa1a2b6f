// Consent fails closed. A shop states data-consent="required" (the default, and what any value not understood
// means) or, outside the consent regimes, data-consent="not-required". When consent is required, Vitrine records and
// ranks only once it is given: by the standard signals the shop's consent manager already sets on the page, read
// here, or by the shop's own call of grantConsent(). A signal that says no wins over grantConsent().
//
// - IAB TCF v2.2 (__tcfapi): granted when GDPR does not apply, or when purposes 1 (store on the device), 3 and 4
//   (build and use a profile to personalize) have consent; undecided while the consent manager is still asking.
// - Google Consent Mode v2 (gtag('consent', 'default' | 'update', {...}) in dataLayer): granted when both
//   ad_personalization and personalization_storage are 'granted'; a field left unset is not consent.
import { watchDataLayer } from './ga4.mjs';

export const CONSENT_REQUIRED = 'required';
export const CONSENT_NOT_REQUIRED = 'not-required';

/** What one TCData says: 'granted', 'denied' or 'pending' (the shopper has not decided yet). */
export function tcfDecision(tcData, success) {
  if (!success || !tcData || typeof tcData !== 'object') return 'pending';
  if (tcData.eventStatus !== 'tcloaded' && tcData.eventStatus !== 'useractioncomplete') return 'pending';
  if (tcData.gdprApplies === false) return 'granted';
  const consents = tcData.purpose?.consents ?? {};
  return consents[1] === true && consents[3] === true && consents[4] === true ? 'granted' : 'denied';
}

/** Applies one dataLayer entry to the Consent Mode state; true when it was a consent command. */
export function applyConsentMode(state, entry) {
  if (!entry || typeof entry !== 'object' || entry[0] !== 'consent') return false;
  if ((entry[1] !== 'default' && entry[1] !== 'update') || !entry[2] || typeof entry[2] !== 'object') return false;
  for (const key of ['ad_personalization', 'personalization_storage']) {
    const value = entry[2][key];
    if (value === 'granted' || value === 'denied') state[key] = value;
  }
  return true;
}

/** What Consent Mode says: null when the page never set it. */
export function consentModeDecision(state, seen) {
  if (!seen) return null;
  return state.ad_personalization === 'granted' && state.personalization_storage === 'granted' ? 'granted' : 'denied';
}

/** One decision from every source present: any no is no, any undecided waits, else any yes is yes; null: no signal. */
export function combine(decisions) {
  const present = decisions.filter((d) => d !== null);
  if (present.includes('denied')) return 'denied';
  if (present.includes('pending')) return 'pending';
  return present.includes('granted') ? 'granted' : null;
}

/**
 * Watches the page's consent signals. `onChange(decision)` is called whenever the combined decision changes
 * ('granted', 'denied', 'pending' or null for no signal at all). Returns { decision, stop }.
 */
export function watchConsentSignals(win, onChange) {
  let tcf = null;
  let modeSeen = false;
  const mode = {};
  let decision = null;
  const update = () => {
    const next = combine([tcf, consentModeDecision(mode, modeSeen)]);
    if (next === decision) return;
    decision = next;
    onChange(next);
  };
  const stops = [];
  if (typeof win.__tcfapi === 'function') {
    tcf = 'pending';
    let listenerId = null;
    const listener = (tcData, success) => {
      if (tcData && Number.isInteger(tcData.listenerId)) listenerId = tcData.listenerId;
      tcf = tcfDecision(tcData, success);
      update();
    };
    try {
      win.__tcfapi('addEventListener', 2, listener);
      stops.push(() => win.__tcfapi('removeEventListener', 2, () => {}, listenerId));
    } catch {
      tcf = 'pending'; // a broken consent manager never grants
    }
  }
  if (Array.isArray(win.dataLayer)) {
    stops.push(
      watchDataLayer(win, (entry) => {
        if (applyConsentMode(mode, entry)) {
          modeSeen = true;
          update();
        }
      })
    );
  }
  update();
  return {
    get decision() {
      return decision;
    },
    stop() {
      for (const stop of stops.splice(0)) {
        try {
          stop();
        } catch {
          // the consent manager went away
        }
      }
    },
  };
}
