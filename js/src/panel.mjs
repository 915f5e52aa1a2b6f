// panel.html's module: the shopper's own view of what the vault keeps (vault.mjs), rendered on Vitrine's origin
// inside the shop's page (a [data-vitrine-panel] element gets this frame). Reading, downloading and erasing the
// history, and turning personalization off and on, happen here, where only the shopper's clicks reach: the shop's
// scripts can neither read this frame nor click in it, and the panel listens to no messages.
import { openStore } from './storage.mjs';
import { DEFAULTS } from './config.mjs';
import { readOptOut, writeOptOut, writeConsentAnswer, eraseWebStorageKeys, OPT_OUT_KEY } from './privacy.mjs';
import { EventKind } from './event_kinds.mjs';
import { frameMessages, el, byShopper as onClick } from './frame_page.mjs';

const say = await frameMessages(new URLSearchParams(location.search));
const limits = { maxEvents: DEFAULTS.maxEvents, maxBytes: DEFAULTS.maxBytes, retentionDays: DEFAULTS.retentionDays };

const title = el('h2', {}, say.panelTitle);
const state = el('p', { id: 'state' });
const kept = el('p', { id: 'kept' });
const recentTitle = el('h3', {}, say.panelRecent);
const recent = el('ul', { id: 'recent' });
const download = el('button', { type: 'button', id: 'download' }, say.panelDownload);
const erase = el('button', { type: 'button', id: 'erase' }, say.panelErase);
const toggle = el('button', { type: 'button', id: 'toggle' });
const result = el('p', { id: 'result', role: 'status', 'aria-live': 'polite' });
document.body.append(title, state, kept, recentTitle, recent, el('p', {}, ''), result);
document.body.lastElementChild.previousElementSibling.append(download, ' ', erase, ' ', toggle);

let store = null;

async function theStore() {
  if (!store) {
    store = await openStore({ limits });
    store.onChange(() => void show()); // the vault of a page (this one or another tab) stored or erased events
  }
  return store;
}

async function show() {
  const off = readOptOut(window);
  state.textContent = off ? say.panelIsOff : say.panelIsOn;
  toggle.textContent = off ? say.panelTurnOn : say.panelTurnOff;
  const events = off ? [] : (await (await theStore()).exportAll()).events;
  kept.textContent = events.length === 0 ? say.panelNothing : say.panelKept(events.length);
  recent.replaceChildren(...viewedProducts(events, 20).map((name) => el('li', {}, name)));
  recentTitle.hidden = recent.childElementCount === 0;
  download.disabled = events.length === 0;
  erase.disabled = events.length === 0;
}

/** The products viewed, newest first, by name where the shop gave one. */
function viewedProducts(events, limit) {
  const names = new Map();
  for (let i = events.length - 1; i >= 0 && names.size < limit; --i) {
    const e = events[i];
    if (e.kind === EventKind.view && !names.has(e.item)) names.set(e.item, e.name ?? e.item);
  }
  return [...names.values()];
}

// Only a click the shopper made in this frame counts; the panel shows the state after it either way.
function byShopper(action) {
  const run = onClick(action, (message) => {
    result.textContent = message;
  });
  return async (event) => {
    await run(event);
    if (event.isTrusted) await show();
  };
}

download.addEventListener(
  'click',
  byShopper(async () => {
    const data = await (await theStore()).exportAll();
    const body = JSON.stringify(
      { format: 'vitrine-export', exportedAt: new Date().toISOString(), storage: data },
      null,
      2
    );
    const url = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
    const link = el('a', { href: url, download: 'vitrine-data.json' });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  })
);

erase.addEventListener(
  'click',
  byShopper(async () => {
    const erased = await (await theStore()).clear(); // tells the vaults of every tab, which clear their pages
    eraseWebStorageKeys(window);
    result.textContent = erased ? say.panelErased : say.panelEraseFailed;
  })
);

toggle.addEventListener(
  'click',
  byShopper(async () => {
    if (readOptOut(window)) {
      writeOptOut(false, window); // from the shop's next page on
      writeConsentAnswer('granted', window); // the shopper's own click in Vitrine's frame: consent for its prompt too
      return;
    }
    writeOptOut(true, window); // the vaults of open pages hear it (storage event) and stop their pages
    const s = await theStore();
    const erased = await s.clear();
    s.close();
    store = null;
    eraseWebStorageKeys(window);
    if (!erased) result.textContent = say.panelEraseFailed;
  })
);

addEventListener('storage', (event) => {
  if (event.key === OPT_OUT_KEY || event.key === null) void show();
});
void show();
