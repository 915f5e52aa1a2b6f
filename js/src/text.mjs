// Explanations come from the engine or the merchant's markup and are shown to shoppers. They are always plain text:
// coerced to string, control characters removed, length capped, and written with textContent, never as HTML.
const MAX_TEXT = 280;

export function plainText(value, max = MAX_TEXT) {
  if (value == null) return '';
  // eslint-disable-next-line no-control-regex
  const text = String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > max ? text.slice(0, max - 1) + '\u2026' : text;
}

/** Writes an explanation into an element as text. Returns the text written. */
export function writeText(element, value) {
  const text = plainText(value);
  element.textContent = text;
  return text;
}
