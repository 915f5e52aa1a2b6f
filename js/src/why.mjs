// The "why?" affordance: an explanation shows when the shopper asks for it, not as text written into every promoted
// card, where session-replay tools would record it.
//
// The shop puts a button in its product card, hidden: <button data-vitrine-why hidden>Why?</button>. Vitrine shows
// it on the items it promoted, and on the shopper's click (a trusted event: a script's click() does nothing) shows
// the reason in the card's [data-vitrine-explain] element (one is added after the button when the card has none).
//   - On the shop's own origin, the reason is written there as text.
//   - With the vault (vault.mjs), the page never holds the reason: the element gets a frame of the vault's origin,
//     why.html, which asks the vault for the reason by a ticket the ranking gave (WHY_CHANNEL) and shows it.
//     Page scripts can neither read that frame nor join its channel.
// A second click hides the reason again. clear() puts every button and element back as the shop rendered it.
import { ATTR } from './dom.mjs';

/** The vault's BroadcastChannel for why.html frames: { type: 'why-ask', ticket, item } -> 'why-answer'. */
export const WHY_CHANNEL = 'vitrine.why';

/**
 * @param {Document} doc
 * @param {{write: (element: Element, text: string) => void, restore: (element: Element) => void,
 *          frameUrl?: string|null, lang?: string}} io
 *   write/restore: the page's text ledger (text.mjs); frameUrl: the vault's base URL, or null on the shop's origin.
 * @returns {{arm: (list: Element, entries: Map<string, object>) => Set<string>, clear: () => void, stop: () => void}}
 */
export function createWhyButtons(doc, io) {
  const armed = new Map(); // button -> { item, entry, wasHidden }
  const opened = new Map(); // button -> undo

  function open(button, { item, entry }) {
    let target = item.querySelector(`[${ATTR.explain}]`);
    let added = null;
    if (!target) {
      added = target = doc.createElement('span');
      target.setAttribute(ATTR.explain, '');
      button.after(target);
    }
    let frame = null;
    if (io.frameUrl) {
      frame = doc.createElement('iframe');
      const src = new URL('./why.html', io.frameUrl);
      // In the fragment: never sent to a server. The positions are the page's own; the reason stays in the vault.
      src.hash = new URLSearchParams({
        t: entry.ticket,
        i: entry.id,
        f: String(entry.from ?? ''),
        o: String(entry.to ?? ''),
        lang: io.lang ?? '',
      }).toString();
      frame.src = src.href;
      frame.title = 'Why this product is shown here';
      frame.referrerPolicy = 'no-referrer';
      frame.setAttribute('data-vitrine-why-frame', '');
      frame.style.cssText = 'display:block;width:100%;height:4.5em;border:0';
      target.appendChild(frame);
    } else {
      io.write(target, entry.text);
    }
    button.setAttribute('aria-expanded', 'true');
    opened.set(button, () => {
      frame?.remove();
      if (!frame) io.restore(target);
      added?.remove();
      button.setAttribute('aria-expanded', 'false');
    });
  }

  function close(button) {
    opened.get(button)?.();
    opened.delete(button);
  }

  const onClick = (event) => {
    const button = event.target?.closest?.(`[${ATTR.why}]`);
    const armedFor = button && armed.get(button);
    // Only the shopper's own click: a page script's click() or dispatchEvent is not a request to see the reason.
    if (!armedFor || !event.isTrusted) return;
    event.preventDefault();
    if (opened.has(button)) close(button);
    else open(button, armedFor);
  };
  doc.addEventListener('click', onClick, true);

  return {
    /** Shows the button of each item of `list` with an entry; returns the ids whose card has one. */
    arm(list, entries) {
      const asked = new Set();
      for (const item of list.querySelectorAll(`[${ATTR.item}]`)) {
        const id = item.getAttribute(ATTR.item);
        const button = item.querySelector(`[${ATTR.why}]`);
        if (!button || !entries.has(id)) continue;
        close(button);
        const before = armed.get(button);
        armed.set(button, {
          item,
          entry: { id, ...entries.get(id) },
          wasHidden: before ? before.wasHidden : button.hidden,
        });
        button.hidden = false;
        button.setAttribute('aria-expanded', 'false');
        asked.add(id);
      }
      return asked;
    },
    clear() {
      for (const button of [...opened.keys()]) close(button);
      for (const [button, { wasHidden }] of armed) {
        button.hidden = wasHidden;
        button.removeAttribute('aria-expanded');
      }
      armed.clear();
    },
    stop() {
      doc.removeEventListener('click', onClick, true);
    },
  };
}
