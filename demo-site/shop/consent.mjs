// The demo shop's consent banner: the part a consent manager plays on a real shop. It shows only where Vitrine waits
// for consent (the shop under /vault/ requires it; the plain demo says data-consent="not-required"). The shopper's
// answer is kept in the shop's localStorage and handed to Vitrine on every later page, as a consent manager does.
import { el, vitrine } from './dom.mjs';

const KEY = 'loomlane.consent';

function loaded() {
  return document.readyState === 'loading'
    ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }))
    : Promise.resolve();
}

function remember(answer) {
  try {
    localStorage.setItem(KEY, answer);
  } catch {
    // blocked storage: the banner asks again on the next page
  }
}

let asked = null;

/**
 * Shows the banner if Vitrine waits for consent, or hands it a remembered answer. Once per page; resolves when a
 * remembered "yes" has been given to Vitrine, so that a listing awaiting `vitrine.ready` after it sees the ranking.
 */
export function askForConsent() {
  asked ??= ask();
  return asked;
}

async function ask() {
  await loaded(); // the deferred vitrine.js tag has run by now
  const v = vitrine();
  if (!v) return;
  let answer = null;
  try {
    answer = localStorage.getItem(KEY);
  } catch {
    answer = null;
  }
  if (answer === 'granted') {
    await v.grantConsent();
    return;
  }
  await v.ready;
  if (answer === 'denied' || v.status().state !== 'waiting-consent') return;
  const allow = el('button', { type: 'button', class: 'btn', id: 'consent-allow', text: 'Allow personalization' });
  const deny = el('button', { type: 'button', class: 'btn secondary', id: 'consent-deny', text: 'No thanks' });
  const banner = el('div', { class: 'consent-banner', id: 'consent-banner', role: 'dialog', 'aria-label': 'Personalization' },
    el('p', { text: 'Loom&Lane can order what you see by what you do here. It is kept in this browser only, in ' +
      'Vitrine\u2019s own frame: neither this shop\u2019s scripts nor its servers can read it. ' }),
    el('div', { class: 'actions' }, allow, deny));
  allow.addEventListener('click', async () => {
    remember('granted');
    banner.remove();
    await v.grantConsent();
  });
  deny.addEventListener('click', () => {
    remember('denied');
    banner.remove();
  });
  document.body.append(banner);
}
