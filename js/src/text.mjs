// Explanations come from the engine or the merchant's markup and are shown to shoppers. They are always plain text:
// coerced to string, control characters removed, length capped, and written with textContent, never as HTML.
const MAX_TEXT = 280;

export function plainText(value, max = MAX_TEXT) {
  if (value == null) return '';
  const text = String(value)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? text.slice(0, max - 1) + '\u2026' : text;
}

/** Writes an explanation into an element as text. Returns the text written. */
export function writeText(element, value) {
  const text = plainText(value);
  element.textContent = text;
  return text;
}

/**
 * Text written into the page that can be taken back: write() remembers each element's own text the first time it
 * writes there, restoreAll() puts every one back (forget(), another tab's forget, an opt-out).
 */
export function createTextLedger() {
  const original = new Map(); // element -> its text before Vitrine wrote
  return {
    write(element, value) {
      if (!original.has(element)) original.set(element, element.textContent);
      return writeText(element, value);
    },
    /** Puts one element's text back as it was before Vitrine first wrote it. */
    restore(element) {
      if (!original.has(element)) return;
      element.textContent = original.get(element);
      original.delete(element);
    },
    restoreAll() {
      for (const [element, text] of original) element.textContent = text;
      original.clear();
    },
  };
}
