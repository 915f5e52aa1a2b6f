// Home: the personalized hero slot (its variants are in index.html), category tiles and a personalized listing.
import { el, param } from '../dom.mjs';
import { loadCatalog, mixedListing, productImage, productUrl } from '../catalog.mjs';
import { renderLayout, renderFailure } from '../layout.mjs';
import { renderListing, personalize } from '../listing.mjs';

try {
  const catalog = await loadCatalog();
  renderLayout(catalog, { current: 'home' });
  for (const strip of document.querySelectorAll('[data-strip]')) {
    const slug = strip.dataset.strip;
    const products = slug === 'all' ? mixedListing(catalog, 0, 4) : (catalog.byCategory.get(slug) ?? []).slice(0, 4);
    strip.replaceChildren(
      ...products.map((p) => el('a', { href: productUrl(p), 'aria-label': p.name }, productImage(catalog, p)))
    );
  }
  document
    .getElementById('tiles')
    .replaceChildren(
      ...catalog.categories.map((c) =>
        el(
          'a',
          { class: 'tile', href: `category.html?c=${c.slug}` },
          productImage(catalog, catalog.byCategory.get(c.slug)[0]),
          c.label
        )
      )
    );
  // Further down the merchant's mixed order than "New in", so the two pages show different products.
  renderListing(document.getElementById('listing'), catalog, mixedListing(catalog, 6, 30), {
    compare: param('compare') === '1',
  });
  await personalize();
} catch (e) {
  renderLayout(null);
  renderFailure(e);
}
