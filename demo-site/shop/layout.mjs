// Header, category navigation and footer shared by every page of the demo shop.
import { el, param } from './dom.mjs';
import { cartCount } from './cart.mjs';
import './consent.mjs'; // the banner Vitrine asks for consent in, on the shop under /vault/

// The same pages under /vault/ load Vitrine from its own origin (tools/demo/serve_demo.mjs).
const VAULT = location.pathname.startsWith('/vault/');

export const NOTICE =
  'This is a demo shop. Photos are from Fashion-MNIST; product names, brands, colours and prices ' +
  'are generated, and the shoppers the ranking model learned from are simulated.';

/** Fills <header id="site-header"> and <footer id="site-footer">; `current` marks the active nav entry. */
export function renderLayout(catalog, { current = '' } = {}) {
  const header = document.getElementById('site-header');
  const count = el('span', { class: 'cart-count', id: 'cart-count', text: String(cartCount()) });
  document.addEventListener('cart-changed', () => (count.textContent = String(cartCount())));
  const here = (name) => (current === name ? 'page' : undefined);
  const query = param('q') ?? '';
  header.replaceChildren(
    el(
      'div',
      { class: 'topline' },
      NOTICE + ' ',
      VAULT ? 'Here Vitrine runs on its own origin: this page cannot read your history. ' : '',
      el('a', { href: 'about.html', text: 'How this demo works' })
    ),
    el(
      'div',
      { class: 'wrap' },
      el(
        'div',
        { class: 'bar' },
        el('a', { class: 'logo', href: 'index.html' }, 'Loom', el('span', { text: '&' }), 'Lane'),
        el(
          'form',
          { class: 'search', action: 'search.html', method: 'get', role: 'search', 'data-vitrine-search': true },
          el('input', {
            type: 'search',
            name: 'q',
            value: query,
            placeholder: 'Search sneakers, dresses, brands…',
            'aria-label': 'Search',
          }),
          el('button', { type: 'submit', text: 'Search' })
        ),
        el(
          'div',
          { class: 'tools', id: 'site-tools' },
          el('a', { href: 'privacy.html', 'aria-current': here('privacy'), text: 'Your data' }),
          el('a', { href: 'about.html', 'aria-current': here('about'), text: 'How it works' }),
          el('a', { href: 'lab.html', 'aria-current': here('lab'), text: 'Evaluation lab' })
        ),
        el('a', { class: 'cart-link', href: 'cart.html', 'aria-current': here('cart') }, 'Cart', count),
        menuButton(header)
      ),
      el(
        'nav',
        { class: 'cats', 'aria-label': 'Categories' },
        el('a', { href: 'category.html?c=all', 'aria-current': here('all'), text: 'New in' }),
        catalog
          ? catalog.categories.map((c) =>
              el('a', { href: `category.html?c=${c.slug}`, 'aria-current': here(c.slug), text: c.label })
            )
          : []
      )
    )
  );
  document
    .getElementById('site-footer')
    ?.replaceChildren(
      el(
        'div',
        { class: 'wrap' },
        el('p', { text: NOTICE }),
        el(
          'p',
          {},
          'Personalization by Vitrine runs in this browser: what you do here is stored on this device only, and the ranking ',
          'model is computed here. ',
          el('a', { href: 'privacy.html', text: 'See and erase what is stored' }),
          ' · ',
          el('a', { href: 'about.html', text: 'About the demo' }),
          ' · ',
          el('a', { href: 'lab.html', text: 'Evaluation lab' }),
          ' · ',
          el('a', { href: 'uplift.html', text: 'Uplift (simulated shoppers)' }),
          ' · ',
          VAULT
            ? el('a', { href: '/index.html', text: 'This shop with Vitrine on the shop\u2019s origin' })
            : el('a', { href: '/vault/index.html', text: 'This shop with Vitrine on its own origin' }),
          ' · ',
          el('a', { href: 'dashboard.html', text: 'Merchant dashboard (simulated reports)' }),
          ' · ',
          el('a', { href: 'engine.html', text: 'Engine check' })
        )
      )
    );
}

/** On narrow screens (shop.css) the tools collapse behind this button; on wide ones it is hidden. */
function menuButton(header) {
  const button = el('button', {
    type: 'button',
    class: 'menu-button',
    'aria-expanded': 'false',
    'aria-controls': 'site-tools',
    text: 'Menu',
  });
  button.addEventListener('click', () => {
    const open = header.classList.toggle('menu-open');
    button.setAttribute('aria-expanded', String(open));
  });
  return button;
}

/** Shows a load failure in <main> (the catalog is built by tools/demo.sh). */
export function renderFailure(error) {
  document
    .querySelector('main')
    ?.replaceChildren(
      el(
        'div',
        { class: 'wrap' },
        el('h1', { text: 'The shop could not load its catalog' }),
        el('p', { class: 'lead', text: `${error?.message ?? error}. Run tools/demo.sh to build it.` })
      )
    );
}
