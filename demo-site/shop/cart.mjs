// The shop's cart, in the shop's own localStorage key (not Vitrine's: forgetting personalization keeps the cart).
const KEY = 'shop.cart';

export function cartItems() {
  try {
    const items = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(items) ? items.filter((x) => typeof x?.id === 'string' && x.qty > 0) : [];
  } catch {
    return [];
  }
}

function save(items) {
  try {
    localStorage.setItem(KEY, JSON.stringify(items));
  } catch {
    // storage full or blocked: the cart lasts for this page only
  }
  document.dispatchEvent(new CustomEvent('cart-changed'));
}

export function addToCart(id) {
  const items = cartItems();
  const found = items.find((x) => x.id === id);
  if (found) found.qty += 1;
  else items.push({ id, qty: 1 });
  save(items);
}

export function removeFromCart(id) {
  save(cartItems().filter((x) => x.id !== id));
}

export function clearCart() {
  save([]);
}

export const cartCount = () => cartItems().reduce((n, x) => n + x.qty, 0);
