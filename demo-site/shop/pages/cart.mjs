// Cart and a pretend checkout: placing the order records one purchase per line with vitrine.track() (several
// products at once, so no single data-vitrine-action button fits).
import { el, vitrine } from '../dom.mjs';
import { loadCatalog, formatPrice, productImage, productUrl } from '../catalog.mjs';
import { cartItems, clearCart, removeFromCart } from '../cart.mjs';
import { renderLayout, renderFailure } from '../layout.mjs';

function render(catalog) {
  const lines = cartItems()
    .map((x) => ({ ...x, product: catalog.byId.get(x.id) }))
    .filter((x) => x.product);
  const host = document.getElementById('cart');
  if (lines.length === 0) {
    host.replaceChildren(
      el('p', {}, 'Your cart is empty. ', el('a', { href: 'category.html?c=all', text: 'See what is new' }), '.')
    );
    return;
  }
  const total = lines.reduce((sum, x) => sum + x.qty * x.product.price, 0);
  const order = el('button', { type: 'button', class: 'btn', id: 'place-order', text: 'Place order' });
  order.addEventListener('click', async () => {
    const v = vitrine();
    for (const { product, qty } of lines) {
      await v?.track({
        kind: 'purchase',
        item: product.id,
        qty,
        category: product.category,
        brand: product.brand,
        price: product.price,
      });
    }
    clearCart();
    document.getElementById('message').textContent =
      `Thank you! This is a demo, so nothing was charged or shipped. Your browser recorded ${lines.length} purchase${lines.length > 1 ? 's' : ''} for personalization.`;
    render(catalog);
  });
  host.replaceChildren(
    ...lines.map(({ product, qty }) => {
      const remove = el('button', { type: 'button', class: 'btn link', text: 'Remove' });
      remove.addEventListener('click', () => {
        removeFromCart(product.id);
        render(catalog);
      });
      return el(
        'div',
        { class: 'cart-row' },
        el('a', { href: productUrl(product) }, productImage(catalog, product)),
        el(
          'div',
          {},
          el('div', { class: 'note', text: product.brand }),
          el('a', { href: productUrl(product), text: product.name }),
          el('div', { class: 'note', text: `Qty ${qty}` })
        ),
        el('strong', { text: formatPrice(qty * product.price) }),
        remove
      );
    }),
    el('div', { class: 'total' }, el('span', { text: 'Total' }), el('span', { text: formatPrice(total) })),
    el('div', { class: 'actions' }, order)
  );
}

try {
  const catalog = await loadCatalog();
  renderLayout(catalog, { current: 'cart' });
  render(catalog);
} catch (e) {
  renderLayout(null);
  renderFailure(e);
}
