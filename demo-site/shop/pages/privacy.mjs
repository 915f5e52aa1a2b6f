// The shopper's privacy panel: everything Vitrine stores (exportData), what the engine concludes from it
// (profile), download as JSON, erase (forget) and opt out / in.
import { el, vitrine } from '../dom.mjs';
import { loadCatalog, formatPrice } from '../catalog.mjs';
import { renderLayout } from '../layout.mjs';

const $ = (id) => document.getElementById(id);

// Browser signals that Vitrine treats as an opt-out, which only the shopper's browser settings can lift.
const SIGNAL = {
  gpc: 'your browser sends the Global Privacy Control (GPC) signal, which asks sites not to use your data this way',
  dnt: 'your browser sends the Do Not Track signal',
};

function bars(entries, labelOf = (name) => name) {
  if (entries.length === 0) return el('p', { class: 'note', text: 'Nothing yet.' });
  return el(
    'div',
    { class: 'bars' },
    entries.flatMap((a) => {
      const fill = el('div', { class: 'fill' });
      fill.style.width = `${Math.round(a.weight * 100)}%`;
      return [
        el('span', { text: labelOf(a.name) }),
        el('div', { class: 'track' }, fill),
        el('span', { class: 'note', text: `${Math.round(a.weight * 100)}%` }),
      ];
    })
  );
}

/**
 * The engine's profile keeps the strongest names only (at most 20 per kind): when the stored events name more, say
 * how many are shown of how many, rather than implying the list is complete.
 */
function coverage(shown, events, field, plural) {
  const names = new Set(events.map((e) => e[field]).filter(Boolean));
  const count = shown?.length ?? 0;
  if (names.size <= count) return null;
  return el('p', {
    class: 'note coverage',
    'data-kind': plural,
    text: `Showing the ${count} strongest of the ${names.size} ${plural} in your stored events.`,
  });
}

async function refresh(catalog) {
  const v = vitrine();
  if (!v) {
    $('status').textContent = 'Vitrine did not load on this page, so nothing is recorded.';
    return;
  }
  await v.ready;
  const status = v.status();
  if (document.querySelector('iframe[data-vitrine-panel-frame]')) {
    // The history is out of this page's reach: Vitrine's own panel shows it (privacy.html, #vault-section).
    $('vault-section').hidden = false;
    for (const section of document.querySelectorAll('.api-only')) section.hidden = true;
    document.body.dataset.loaded = '1';
    return;
  }
  const exported = await v.exportData();
  const data = exported ? JSON.parse(exported) : null;
  const events = data?.storage?.events ?? [];
  $('event-count').textContent = String(events.length);
  $('stored').textContent = exported ?? 'Nothing could be read.';
  const where =
    { indexeddb: 'IndexedDB in this browser', memory: 'this tab\u2019s memory only', none: 'nowhere' }[
      status.storage
    ] ?? status.storage;
  $('status').textContent =
    status.state === 'opted-out'
      ? `Personalization is off${SIGNAL[status.optedOutBy] ? ` because ${SIGNAL[status.optedOutBy]}` : ''}: nothing is recorded, and the shop shows its own order.`
      : `Personalization is ${status.state === 'running' ? 'on' : status.state}. ${events.length} events stored in ${where}.`;
  $('opt').textContent = status.state === 'opted-out' ? 'Turn personalization back on' : 'Turn personalization off';
  const profile = status.state === 'running' && events.length ? await v.profile() : null;
  const label = (slug) => catalog?.labels.get(slug) ?? slug;
  $('profile').replaceChildren(
    ...(profile
      ? [
          el('h3', { text: 'Categories you browse' }),
          bars(profile.categories ?? [], label),
          coverage(profile.categories, events, 'category', 'categories'),
          el('h3', { text: 'Brands' }),
          bars(profile.brands ?? []),
          coverage(profile.brands, events, 'brand', 'brands'),
          el('h3', { text: 'Price range' }),
          el('p', {
            text: profile.price
              ? `Usually ${formatPrice(profile.price.low)} to ${formatPrice(profile.price.high)}, typically ${formatPrice(profile.price.typical)}.`
              : 'No prices seen yet.',
          }),
          el('h3', { text: 'This visit' }),
          el('p', {
            text: `${profile.session?.events ?? 0} events${profile.session?.category ? `, mostly ${label(profile.session.category)}` : ''}; stage: ${profile.session?.stage || 'browsing'}.`,
          }),
        ]
      : // Without a profile (e.g. the engine is unavailable) the stored events are still there: never claim otherwise.
        [
          el('p', {
            class: 'note',
            text: events.length
              ? `No profile to show right now, but ${events.length} events are stored: they are listed below.`
              : 'No profile: nothing is stored.',
          }),
        ])
  );
  document.body.dataset.loaded = '1';
}

/** Why the switch did nothing, as far as the page can tell. */
function failureText(turningOn, optedOutBy) {
  if (turningOn && SIGNAL[optedOutBy]) {
    return (
      `Personalization stays off because ${SIGNAL[optedOutBy]}. This shop respects it: turn the signal off in your ` +
      'browser\u2019s privacy settings to turn personalization on here.'
    );
  }
  return `Could not turn personalization ${turningOn ? 'on' : 'off'}: see the browser console.`;
}

let catalog = null;
try {
  catalog = await loadCatalog();
} catch {
  // the panel works without the catalog, with category slugs instead of names
}
renderLayout(catalog, { current: 'privacy' });

$('export').addEventListener('click', async () => {
  const json = await vitrine()?.exportData();
  if (!json) return;
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const link = el('a', { href: url, download: `vitrine-data-${new Date().toISOString().slice(0, 10)}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
});

$('erase').addEventListener('click', async () => {
  const done = await vitrine()?.forget();
  $('message').textContent = done
    ? 'Erased. Vitrine keeps nothing about you on this device now.'
    : 'Could not erase: see the browser console.';
  await refresh(catalog);
});

$('opt').addEventListener('click', async () => {
  const v = vitrine();
  if (!v) return;
  const off = v.status().state === 'opted-out';
  const ok = off ? await v.optIn() : await v.optOut();
  $('message').textContent = ok
    ? off
      ? 'Personalization is back on.'
      : 'Personalization is off and your data is erased.'
    : failureText(off, v.status().optedOutBy);
  await refresh(catalog);
});

await refresh(catalog);
