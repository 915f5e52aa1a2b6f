// A category page (?c=sneakers) or "New in" (?c=all, all categories mixed), side by side with personalization off
// unless ?compare=0.
import { param } from '../dom.mjs';
import { loadCatalog, mixedListing } from '../catalog.mjs';
import { renderLayout, renderFailure } from '../layout.mjs';
import { listingOrder, renderListing, personalize } from '../listing.mjs';

const PAGE_SIZE = 60;

try {
  const catalog = await loadCatalog();
  const slug = catalog.byCategory.has(param('c')) ? param('c') : 'all';
  renderLayout(catalog, { current: slug });
  const label = slug === 'all' ? 'New in' : catalog.labels.get(slug);
  const products =
    slug === 'all' ? mixedListing(catalog, 0, PAGE_SIZE) : catalog.byCategory.get(slug).slice(0, PAGE_SIZE);
  const total = slug === 'all' ? catalog.products.length : catalog.byCategory.get(slug).length;
  document.title = `${label} · Loom&Lane`;
  document.getElementById('crumb').textContent = label;
  document.getElementById('title').textContent = label;
  document.getElementById('lead').textContent =
    slug === 'all'
      ? `The latest from every category: ${products.length} of ${total} products.`
      : `${products.length} of ${total} products.`;
  renderListing(document.getElementById('listing'), catalog, products, {
    compare: param('compare') !== '0',
    categoryPage: slug === 'all' ? undefined : slug,
    rankBy: listingOrder(),
    orders: true,
  });
  await personalize();
} catch (e) {
  renderLayout(null);
  renderFailure(e);
}
