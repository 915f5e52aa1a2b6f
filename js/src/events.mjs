// The one definition of a stored event. Everything that enters storage goes through toRecord(); everything read
// back goes through validRecord(), so a corrupted or hand-edited store can never feed garbage to the engine.
import { EventKind } from './event_kinds.mjs';
import { parsePrice } from './price.mjs';

const KIND_NAMES = Object.fromEntries(Object.entries(EventKind).map(([name, code]) => [code, name]));
const MAX_ID = 128;
const MAX_TEXT = 100;
const MAX_URL = 512;
// A product's own page or image on the shop's site: a path ("/p/sku-1") or an http(s) URL. Checked against the
// page's origin again before it is shown (widgets.mjs).
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const URL_PATTERN = /^(?:\/(?!\/)|https?:\/\/)[^\s\u0000-\u001f\u007f"'<>\\]*$/;
// A product's item code (core/include/vitrine/item_codes.h): base64url, as `vitrine export-codes` writes it. A
// model whose catalog is out of its file knows a product only by the code that comes with it.
const ITEM_CODE = /^[A-Za-z0-9_-]{2,512}$/;

/** The item code `value` when it is one, else null (a malformed code is dropped, the event kept). */
export function itemCode(value) {
  return typeof value === 'string' && ITEM_CODE.test(value) ? value : null;
}

const ITEM_KINDS = new Set([
  EventKind.view,
  EventKind.click,
  EventKind.add_to_cart,
  EventKind.purchase,
  EventKind.impression,
]);

export function kindCode(kind) {
  if (typeof kind === 'number' && KIND_NAMES[kind] !== undefined) return kind;
  if (typeof kind === 'string' && Object.hasOwn(EventKind, kind)) return EventKind[kind];
  return null;
}

export function kindName(code) {
  return KIND_NAMES[code] ?? null;
}

// A lone surrogate is valid in a JS string but has no UTF-8 form: the engine would read U+FFFD in its place
// (wire.mjs encodes with TextEncoder). Ids holding one are refused and free text gets U+FFFD here, so what is stored
// is exactly what the engine reads.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function shortString(value, max) {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') return null;
  const s = value.trim();
  return s === '' || s.length > max || s.search(LONE_SURROGATE) !== -1 ? null : s;
}

function cleanText(value) {
  if (typeof value !== 'string') return null;
  const s = value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT)
    .replace(LONE_SURROGATE, '\ufffd')
    .trim();
  return s === '' ? null : s;
}

/** How far past "now" an event may be dated (another tab's clock, a rounding) before it is refused. */
export const FUTURE_SLACK_MS = 60_000;

/**
 * Builds a storable record from track() input or captured data. Returns { record } or { error } (never throws).
 * Record: { kind: number, t: ms, item?: string, category?, brand?, price?, qty?, dwellMs?, code?, name?, url?,
 * image? } (code: the product's item code, kept with the event so a later page needs no lookup)
 * (a search's text is checked, not kept; name, url and image only on views, for the "recently viewed" widget)
 * An event dated more than FUTURE_SLACK_MS after nowMs is refused (nowMs 0: no such check). `stored`: a record read
 * back, whose search no longer has its text.
 */
export function toRecord(input, nowMs, { stored = false } = {}) {
  try {
    return readRecord(input, nowMs, stored);
  } catch {
    return { error: 'the event could not be read' }; // throwing getters, proxies, unconvertible values
  }
}

function readRecord(input, nowMs, stored) {
  if (input === null || typeof input !== 'object') return { error: 'an event must be an object' };
  const kind = kindCode(input.kind);
  if (kind === null) return { error: `unknown event kind ${JSON.stringify(String(input.kind)).slice(0, 40)}` };
  const t = Math.round(input.t === undefined ? nowMs : Number(input.t));
  if (!Number.isSafeInteger(t) || t <= 0) return { error: 'event time must be a positive number of milliseconds' };
  // A future date would outlive every retention bound; a minute covers clocks that disagree a little.
  if (nowMs > 0 && t > nowMs + FUTURE_SLACK_MS) return { error: 'event time is in the future' };
  const record = { kind, t };
  const item = input.item === undefined ? null : shortString(input.item, MAX_ID);
  if (input.item !== undefined && item === null)
    return { error: `item id must be a non-empty string up to ${MAX_ID} characters` };
  if (item !== null) record.item = item;
  if (ITEM_KINDS.has(kind) && item === null) return { error: `a ${kindName(kind)} event needs an item` };
  const code = item === null ? null : itemCode(input.code);
  if (code !== null) record.code = code;
  for (const key of ['category', 'brand']) {
    const v = input[key] === undefined ? null : shortString(input[key], MAX_ID);
    if (v !== null) record[key] = v;
  }
  if (kind === EventKind.category_visit && record.category === undefined) {
    return { error: 'a category_visit event needs a category' };
  }
  // A search needs its text to be a search, but the text is not kept: no model reads it, and what a shopper typed
  // says more about them than anything else here. The event records that they searched.
  if (input.query !== undefined || (kind === EventKind.search && !stored)) {
    if (cleanText(input.query) === null) return { error: 'a search event needs a non-empty query' };
  }
  const price = parsePrice(input.price); // "49,90" and "$1,299.00" as well as numbers
  if (price !== null) record.price = price;
  const qty = Number(input.qty);
  if (input.qty !== undefined && Number.isInteger(qty) && qty > 0 && qty < 1e6) record.qty = qty;
  const dwell = Number(input.dwellMs);
  if (input.dwellMs !== undefined && Number.isFinite(dwell) && dwell >= 0) record.dwellMs = Math.round(dwell);
  if (kind === EventKind.view) {
    const name = cleanText(input.name);
    if (name !== null) record.name = name;
    for (const key of ['url', 'image']) {
      const v = input[key];
      if (typeof v === 'string' && v.length <= MAX_URL && URL_PATTERN.test(v)) record[key] = v;
    }
  }
  return { record };
}

/** A clean copy of a record read from storage, or null if it is not a valid record (or dated after nowMs). */
export function validRecord(value, nowMs = 0) {
  try {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    if (typeof value.kind !== 'number') return null;
    const { record, error } = toRecord(value, nowMs, { stored: true });
    if (error || record.t !== value.t) return null;
    return record;
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();

/** Approximate stored size in bytes (UTF-8 of the JSON form), used for the byte bound. */
export function recordBytes(record) {
  return encoder.encode(JSON.stringify(record)).length + 16;
}
