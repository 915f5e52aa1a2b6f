// Browser privacy signals and the shopper's own opt-out. Opt-out is a preference, not behaviour, so it is the one
// thing kept in localStorage and it survives forget(): forgetting data must not silently opt the shopper back in.
export const OPT_OUT_KEY = 'vitrine.optOut';
// The shopper's answer to Vitrine's own consent prompt ('granted' or 'refused'), kept on the vault's origin only: it
// is written by a click in Vitrine's frame (panel.mjs), where no page script reaches. Also a preference: it survives
// forget(); an opt-out removes it.
export const CONSENT_KEY = 'vitrine.consent';
const KEY_PREFIX = 'vitrine.';

/** 'gpc' when Global Privacy Control is on, 'dnt' when Do Not Track is, else null. */
export function browserOptOutSignal(nav = globalThis.navigator, win = globalThis) {
  try {
    if (nav?.globalPrivacyControl === true) return 'gpc';
    const dnt = nav?.doNotTrack ?? win?.doNotTrack ?? nav?.msDoNotTrack;
    if (dnt === '1' || dnt === 'yes' || dnt === 1) return 'dnt';
  } catch {
    // a hostile getter is treated as no signal; the shopper's own opt-out still applies
  }
  return null;
}

function storageOf(win, name) {
  try {
    return win?.[name] ?? null; // reading localStorage throws when storage is blocked
  } catch {
    return null;
  }
}

export function readOptOut(win = globalThis) {
  try {
    return storageOf(win, 'localStorage')?.getItem(OPT_OUT_KEY) === '1';
  } catch {
    return false;
  }
}

/** Returns true when the preference was persisted. */
export function writeOptOut(value, win = globalThis) {
  try {
    const ls = storageOf(win, 'localStorage');
    if (!ls) return false;
    if (value) {
      ls.setItem(OPT_OUT_KEY, '1');
      ls.removeItem(CONSENT_KEY);
    } else {
      ls.removeItem(OPT_OUT_KEY);
    }
    return true;
  } catch {
    return false;
  }
}

/** The answer to Vitrine's own consent prompt: 'granted', 'refused' or null (not asked, or blocked storage). */
export function readConsentAnswer(win = globalThis) {
  try {
    const answer = storageOf(win, 'localStorage')?.getItem(CONSENT_KEY);
    return answer === 'granted' || answer === 'refused' ? answer : null;
  } catch {
    return null;
  }
}

/** Keeps the shopper's answer; true when it was persisted. Only Vitrine's own frame calls this (panel.mjs). */
export function writeConsentAnswer(answer, win = globalThis) {
  try {
    storageOf(win, 'localStorage').setItem(CONSENT_KEY, answer === 'granted' ? 'granted' : 'refused');
    return true;
  } catch {
    return false;
  }
}

/** Consent withdrawn: the kept answer goes, so the next page asks again. */
export function forgetConsentAnswer(win = globalThis) {
  try {
    storageOf(win, 'localStorage')?.removeItem(CONSENT_KEY);
  } catch {
    // blocked storage kept no answer
  }
}

/** Removes every vitrine.* key from localStorage and sessionStorage except the two preferences (opt-out, consent). */
export function eraseWebStorageKeys(win = globalThis) {
  for (const name of ['localStorage', 'sessionStorage']) {
    try {
      const s = storageOf(win, name);
      if (!s) continue;
      const doomed = [];
      for (let i = 0; i < s.length; ++i) {
        const key = s.key(i);
        if (key?.startsWith(KEY_PREFIX) && key !== OPT_OUT_KEY && key !== CONSENT_KEY) doomed.push(key);
      }
      for (const key of doomed) s.removeItem(key);
    } catch {
      // blocked storage holds nothing of ours
    }
  }
}
