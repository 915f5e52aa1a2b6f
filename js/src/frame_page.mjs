// What the pages Vitrine shows on its own origin share (panel.html, consent.html, why.html): the language the shop's
// page asked for, plain-text elements, and handlers that act only on the shopper's own click.
import { messagesFor } from './messages.mjs';

/** The `lang` parameter if it is a language tag (else English), set on this document; resolves to its messages. */
export function frameMessages(params) {
  const asked = params.get('lang') ?? '';
  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(asked) ? asked : 'en';
  document.documentElement.lang = lang;
  return messagesFor(lang);
}

/** An element with attributes and text content (never markup). */
export function el(tag, attrs = {}, text = '') {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.textContent = text;
  return node;
}

/**
 * A click handler that runs `action` only for a click the shopper made in this frame: a synthetic event carries no
 * user activation, and the shop's scripts cannot reach into this origin to click. `onError` gets a failure's text.
 */
export function byShopper(action, onError) {
  return async (event) => {
    if (!event.isTrusted || navigator.userActivation?.isActive === false) return;
    try {
      await action();
    } catch (e) {
      onError(String(e?.message ?? e));
    }
  };
}
