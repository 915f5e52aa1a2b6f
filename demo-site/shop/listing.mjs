// Product cards and listings. The personalized listing carries Vitrine's markup contract (data-vitrine-list and
// data-vitrine-item with category, brand and price); the "personalization off" column is the same products in the
// merchant's order without that markup, so Vitrine never touches it.
import { el, vitrine } from './dom.mjs';
import { formatPrice, productImage, productUrl } from './catalog.mjs';
import { addToCart } from './cart.mjs';

export function productCard(catalog, product, { tracked = true, position = 0 } = {}) {
  const item = tracked
    ? {
        'data-vitrine-item': product.id,
        'data-vitrine-category': product.category,
        'data-vitrine-brand': product.brand,
        'data-vitrine-price': product.price.toFixed(2),
      }
    : {};
  const add = el('button', {
    type: 'button',
    class: 'add',
    'data-vitrine-action': tracked ? 'add_to_cart' : undefined,
    text: 'Add',
  });
  add.addEventListener('click', () => {
    addToCart(product.id);
    add.classList.add('done');
    add.textContent = 'Added';
    // Without the markup Vitrine's capture does not see this button: record the add-to-cart explicitly.
    if (!tracked) {
      void vitrine()?.track({
        kind: 'add_to_cart',
        item: product.id,
        category: product.category,
        brand: product.brand,
        price: product.price,
      });
    }
  });
  return el(
    'li',
    { class: 'card', 'data-product': product.id, 'data-merchant-position': position, ...item },
    el('span', { class: 'badge', title: 'Places moved up from the shop\u2019s order' }),
    el(
      'a',
      { class: 'title', href: productUrl(product) },
      productImage(catalog, product),
      el('span', { class: 'brand', text: product.brand }),
      el('span', { class: 'name', text: product.name })
    ),
    el(
      'div',
      { class: 'row' },
      el('span', { class: 'price', text: formatPrice(product.price) }),
      // Vitrine shows it on the products it promoted; the reason appears on the shopper's click (why.mjs).
      tracked
        ? el('button', { type: 'button', class: 'why-button', 'data-vitrine-why': true, hidden: true, text: 'Why?' })
        : null,
      add
    ),
    tracked ? el('p', { class: 'why', 'data-vitrine-explain': true }) : null
  );
}

const LONG_LISTING = 36;

function grid(catalog, products, { tracked, id, categoryPage, searchPage, rankBy }) {
  return el(
    'ul',
    {
      class: 'grid',
      id,
      'data-vitrine-list': tracked ? true : undefined,
      'data-vitrine-category-page': tracked ? categoryPage : undefined,
      // What the listing is ordered by when the shopper picks it (js/README.md, "Ranking by conversion").
      'data-vitrine-rank-by': tracked ? rankBy : undefined,
      // Search results: the shop's relevance order weighs more than the shopper's profile (dom.mjs SEARCH_BLEND).
      'data-vitrine-search-page': tracked && searchPage ? true : undefined,
      // The shop knows its cards: about 300 px tall, at most six to a row, so LONG_LISTING of them run past the
      // bottom of any screen it expects. Vitrine may then hold the listing without laying it out (js/README.md).
      'data-vitrine-long': tracked && products.length >= LONG_LISTING ? true : undefined,
    },
    products.map((p, i) => productCard(catalog, p, { tracked, position: i }))
  );
}

// The orders a listing page offers: the URL's ?rank= value (none: relevance) and its label.
export const LISTING_ORDERS = [
  [null, 'For you'],
  ['conversion', 'Likely to buy'],
  ['value', 'Best value'],
];

/** The page's ?rank= when it is one of LISTING_ORDERS, else null (relevance). */
export function listingOrder() {
  const rank = new URL(location.href).searchParams.get('rank');
  return LISTING_ORDERS.some(([value]) => value !== null && value === rank) ? rank : null;
}

// Links to the same page in each order, the current one marked.
function orderChoices(current) {
  return el(
    'nav',
    { class: 'order', 'aria-label': 'Order' },
    'Order:',
    LISTING_ORDERS.map(([value, label]) => {
      const url = new URL(location.href);
      if (value === null) url.searchParams.delete('rank');
      else url.searchParams.set('rank', value);
      return el('a', {
        href: url.pathname + url.search,
        'aria-current': value === current ? 'true' : undefined,
        text: label,
      });
    })
  );
}

/**
 * Renders a listing into `host`. With `compare`, two columns: the merchant's order (personalization off) and the
 * same products as Vitrine orders them. With `rankBy` ('conversion' or 'value'), Vitrine orders by the model's
 * chance of a purchase (times the price); `orders` adds links to switch. Returns the personalized list element
 * (id "list").
 */
export function renderListing(
  host,
  catalog,
  products,
  { compare = false, categoryPage, searchPage = false, controls = true, rankBy = null, orders = false } = {}
) {
  const list = grid(catalog, products, {
    tracked: true,
    id: 'list',
    categoryPage,
    searchPage,
    rankBy: rankBy ?? undefined,
  });
  const status = el('span', { class: 'state', id: 'vitrine-state' });
  const url = new URL(location.href);
  url.searchParams.set('compare', compare ? '0' : '1');
  const bar = el(
    'div',
    { class: 'compare-bar' },
    el('a', {
      class: 'switch',
      href: url.pathname + url.search,
      role: 'button',
      'aria-pressed': String(compare),
      text: compare ? 'Side by side: on' : 'Side by side: off',
    }),
    orders ? orderChoices(rankBy) : null,
    status
  );
  if (compare) {
    const columns = el(
      'div',
      { class: 'columns', 'data-show': 'on' },
      el(
        'section',
        { class: 'plain', 'aria-label': 'Personalization off' },
        el(
          'div',
          { class: 'column-head' },
          el('h2', { text: 'Personalization off' }),
          el('p', { text: 'The shop\u2019s own order, the same for every shopper.' })
        ),
        grid(catalog, products, { tracked: false, id: 'plain-list' })
      ),
      el(
        'section',
        { class: 'personal', 'aria-label': 'Personalization on' },
        el(
          'div',
          { class: 'column-head on' },
          el('h2', { text: 'Personalization on' }),
          el('p', { text: 'Reordered by Vitrine in this browser, from what you did here.' })
        ),
        list
      )
    );
    bar.prepend(viewToggle(columns));
    host.replaceChildren(bar, columns);
  } else {
    host.replaceChildren(...(controls ? [bar] : []), list);
  }
  watchMoves(list, controls || compare ? status : null);
  return list;
}

/**
 * On narrow screens (shop.css) the two columns do not fit side by side: this toggle shows one at a time, "off" or
 * "on", at the same scroll position. On wide screens it is hidden and both columns show.
 */
function viewToggle(columns) {
  const buttons = ['off', 'on'].map((side) =>
    el('button', {
      type: 'button',
      'data-side': side,
      'aria-pressed': String(side === 'on'),
      text: `Personalization ${side}`,
    })
  );
  for (const button of buttons) {
    button.addEventListener('click', () => {
      columns.dataset.show = button.dataset.side;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
    });
  }
  return el('div', { class: 'view-toggle', role: 'group', 'aria-label': 'Which order to show' }, buttons);
}

/** Marks cards Vitrine moved up (badge + its explanation) whenever the list is reordered. */
export function watchMoves(list, status) {
  const update = () => {
    let moved = 0;
    let up = 0;
    Array.from(list.children).forEach((card, index) => {
      const delta = Number(card.dataset.merchantPosition) - index;
      if (delta !== 0) ++moved;
      if (delta > 0) ++up;
      card.classList.toggle('up', delta > 0);
      card.classList.toggle('down', delta < 0);
      const badge = card.querySelector('.badge');
      if (badge) badge.textContent = delta > 0 ? `\u25B2 ${delta}` : '';
    });
    list.dataset.moved = String(moved);
    list.dataset.movedUp = String(up);
    if (status) status.textContent = stateText(list.dataset.vitrineResult, moved, up);
  };
  // Vitrine writes data-vitrine-result on the listing once it has decided what to do with it.
  new MutationObserver(update).observe(list, {
    childList: true,
    attributes: true,
    attributeFilter: ['data-vitrine-result'],
  });
  update();
}

/** What the status line says: only what Vitrine reported for this listing, never a guess from the order alone. */
function stateText(result, moved, up) {
  // Counts only the products that moved up: the ones the badges mark (the others moved down to make room).
  if (moved > 0) {
    // Under /vault/ Vitrine writes no reasons into the page (they would be readable by the page's scripts).
    const why = location.pathname.startsWith('/vault/') ? '.' : ', and why.';
    return (
      `Vitrine reordered this listing in your browser: ${up} ${up === 1 ? 'product' : 'products'} moved up. ` +
      `Green badges show how far a product moved up${why}`
    );
  }
  switch (result) {
    case 'shopper-active':
      return (
        'Shown in the shop\u2019s order: you were already using this listing when Vitrine\u2019s order was ready, ' +
        'so it was left as you saw it. The next page is personalized.'
      );
    case 'no-history':
      return 'Shown in the shop\u2019s order: Vitrine has nothing to go on yet. Look at a few products and come back.';
    case 'unchanged':
      return 'Vitrine ranked this listing from your history and agrees with the shop\u2019s order.';
    case 'off':
    case 'failed':
      return 'Shown in the shop\u2019s order: personalization is not available in this browser.';
    default:
      return 'Shown in the shop\u2019s order.';
  }
}

/**
 * Waits for Vitrine to finish with what the page just rendered: the package ranks listings as they appear, so the
 * page never asks again (a second, later request could reorder the listing under the shopper's hand).
 */
export async function personalize() {
  const v = vitrine();
  if (v) {
    await v.ready;
  }
  document.body.dataset.personalized = '1';
}
