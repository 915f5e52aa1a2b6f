// Product page: the product is a data-vitrine-item, so looking at it counts as a view; "Add to cart" carries
// data-vitrine-action. Below it, more of the same category, ordered for the shopper.
import { el, param } from '../dom.mjs';
import { loadCatalog, formatPrice, productImage, productUrl } from '../catalog.mjs';
import { addToCart } from '../cart.mjs';
import { renderLayout, renderFailure } from '../layout.mjs';
import { renderListing, personalize } from '../listing.mjs';

/** A link as a path from the site's root (what a view keeps must not depend on the page it was made on). */
const sitePath = (href) => {
  const url = new URL(href, location.href);
  return url.pathname + url.search;
};

try {
  const catalog = await loadCatalog();
  const product = catalog.byId.get(param('id') ?? '');
  if (!product) throw new Error(`no product "${param('id')}" in this shop`);
  renderLayout(catalog, { current: product.category });
  const label = catalog.labels.get(product.category);
  document.title = `${product.name} · Loom&Lane`;
  const crumb = document.getElementById('crumb');
  crumb.textContent = label;
  crumb.href = `category.html?c=${product.category}`;
  const buy = el('button', { type: 'button', class: 'buy', 'data-vitrine-action': 'add_to_cart', text: 'Add to cart' });
  buy.addEventListener('click', () => {
    addToCart(product.id);
    buy.textContent = 'Added to cart \u2713';
  });
  document.getElementById('product').replaceChildren(
    el(
      'article',
      {
        class: 'product',
        id: 'product-main',
        'data-vitrine-item': product.id,
        'data-vitrine-category': product.category,
        'data-vitrine-brand': product.brand,
        'data-vitrine-price': product.price.toFixed(2),
        // Kept with the view, so the home page's "recently viewed" can show it (data-vitrine-widget="recent").
        'data-vitrine-name': product.name,
        'data-vitrine-url': sitePath(productUrl(product)),
      },
      productImage(catalog, product),
      el(
        'div',
        {},
        el('div', { class: 'brand', text: product.brand }),
        el('h1', { text: product.name }),
        el('div', { class: 'price', text: formatPrice(product.price) }),
        buy,
        el(
          'dl',
          {},
          el('dt', { text: 'Category' }),
          el('dd', { text: label }),
          el('dt', { text: 'Colour' }),
          el('dd', { text: product.color }),
          el('dt', { text: 'Article' }),
          el('dd', { text: product.id }),
          el('dt', { text: 'Photo' }),
          el('dd', { text: `Fashion-MNIST test image #${product.image}` })
        ),
        el('p', { class: 'note', text: 'Name, brand, colour and price are generated for this demo.' })
      )
    )
  );
  const related = catalog.byCategory
    .get(product.category)
    .filter((p) => p.id !== product.id)
    .slice(0, 12);
  renderListing(document.getElementById('related'), catalog, related, {
    compare: false,
    categoryPage: product.category,
    controls: false,
  });
  await personalize();
} catch (e) {
  renderLayout(null);
  renderFailure(e);
}
