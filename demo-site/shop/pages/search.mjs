// Search results (?q=...): every word must match the name, brand, colour or category. The header's search form
// carries data-vitrine-search, so Vitrine records the query itself.
import { param } from '../dom.mjs';
import { loadCatalog } from '../catalog.mjs';
import { renderLayout, renderFailure } from '../layout.mjs';
import { renderListing, personalize } from '../listing.mjs';

const MAX_RESULTS = 60;

try {
  const catalog = await loadCatalog();
  renderLayout(catalog, { current: 'search' });
  const query = (param('q') ?? '').trim();
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/s$/, ''));
  const text = (p) => `${p.name} ${p.brand} ${p.color} ${p.category} ${catalog.labels.get(p.category)}`.toLowerCase();
  const hits = words.length ? catalog.products.filter((p) => words.every((w) => text(p).includes(w))) : [];
  // The shop's own relevance: name matches first, then the merchant's order.
  hits.sort(
    (a, b) =>
      words.some((w) => b.name.toLowerCase().includes(w)) - words.some((w) => a.name.toLowerCase().includes(w)) ||
      a.rank - b.rank
  );
  document.getElementById('title').textContent = query ? `Results for \u201C${query}\u201D` : 'Search';
  document.getElementById('lead').textContent = query
    ? `${hits.length} products${hits.length > MAX_RESULTS ? `, showing the first ${MAX_RESULTS}` : ''}.`
    : 'Type what you are looking for in the search box above.';
  if (hits.length) {
    renderListing(document.getElementById('listing'), catalog, hits.slice(0, MAX_RESULTS), {
      compare: param('compare') !== '0',
      searchPage: true,
    });
    await personalize();
  }
} catch (e) {
  renderLayout(null);
  renderFailure(e);
}
