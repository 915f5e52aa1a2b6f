// consent.html's module: Vitrine's own consent prompt, for a shop that serves Vitrine from its own origin (the vault,
// vault.mjs) and has no consent manager. It is a frame of that origin in the shop's [data-vitrine-consent] element
// (vault_client.mjs mountConsentPrompts). Only the shopper's click here writes the answer, in this origin's storage,
// where the vault reads it; no script of the shop's page can write it, click here or read it.
import { readConsentAnswer, writeConsentAnswer } from './privacy.mjs';
import { frameMessages, el, byShopper } from './frame_page.mjs';

const say = await frameMessages(new URLSearchParams(location.search));
const question = el('p', { id: 'question' }, say.consentAsk);
const allow = el('button', { type: 'button', id: 'allow' }, say.consentAllow);
const refuse = el('button', { type: 'button', id: 'refuse' }, say.consentRefuse);
const result = el('p', { id: 'result', role: 'status', 'aria-live': 'polite' });
document.body.append(question, el('p'), result);
question.nextElementSibling.append(allow, ' ', refuse);

const answer = (value) =>
  byShopper(
    () => {
      // The vault frames of this origin hear it (a storage event), start or stay off, and their pages remove this frame.
      if (!writeConsentAnswer(value, window)) throw new Error(say.consentNotKept);
      allow.disabled = true;
      refuse.disabled = true;
    },
    (message) => {
      result.textContent = message;
    }
  );
allow.addEventListener('click', answer('granted'));
refuse.addEventListener('click', answer('refused'));
if (readConsentAnswer(window) !== null) {
  allow.disabled = true;
  refuse.disabled = true;
}
