// Prices as shops write them: "49.90", "49,90", "1.299,00 €", "$1,299.00", "1 299,00 kr", 1299.
// The decimal separator is the last '.' or ',' when both appear; when only one kind appears, once, it is decimal
// unless exactly three digits follow it ("1,299" and "1.299" are a thousand and more, as shops print them);
// repeated, it groups thousands. Anything else (letters, currency signs, spaces) is ignored.

const MAX_PRICE = 1e12;

/** The price as a number >= 0, or null when there is none to read. */
export function parsePrice(value) {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value < MAX_PRICE ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.replace(/[\s\u00a0\u202f']/g, '');
  if (/-\d/.test(text)) return null; // a negative price is a mistake, not a price
  const match = /\d[\d.,]*/.exec(text);
  if (!match) return null;
  let digits = match[0].replace(/[.,]+$/, '');
  const lastDot = digits.lastIndexOf('.');
  const lastComma = digits.lastIndexOf(',');
  let decimal = null;
  if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
  else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const once = digits.indexOf(sep) === digits.lastIndexOf(sep);
    const after = digits.length - digits.lastIndexOf(sep) - 1;
    decimal = once && after !== 3 ? sep : null;
  }
  if (decimal) {
    const at = digits.lastIndexOf(decimal);
    digits = `${digits.slice(0, at).replace(/[.,]/g, '')}.${digits.slice(at + 1)}`;
  } else {
    digits = digits.replace(/[.,]/g, '');
  }
  const n = Number(digits);
  return Number.isFinite(n) && n < MAX_PRICE ? n : null;
}
