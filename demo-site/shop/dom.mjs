// Tiny DOM builder for the demo pages: text is always set as text (product names are data, never markup).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/** window.vitrine from the script tag, or null when the package did not load (the shop still works). */
export function vitrine() {
  return window.vitrine?.isVitrine ? window.vitrine : null;
}
