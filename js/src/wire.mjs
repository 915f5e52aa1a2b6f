// The byte layouts between the package and the wasm engine (core/include/vitrine/wire_format.h documents them; the
// constants below mirror it, and tests/js/wire.test.mjs checks every one). A request goes in as one message of
// numbers and a string table; explanations and the profile come back the same way, so neither side parses JSON.
//
// The encoder only maps shapes: it never judges a value. Whatever the package passes (events as stored, candidates
// as read from the page) reaches the engine's decoder, which checks each field once and names the first bad one.

/** VT_WIRE_* of wire_format.h, without the prefix. */
export const Wire = Object.freeze({
  REQUEST_MAGIC: 0x31515456,
  EXPLANATIONS_MAGIC: 0x31585456,
  PROFILE_MAGIC: 0x31505456,
  NOT_A_STRING: 0xffffffff,
  INVALID: 0xffffffff,
  REQUEST_HEADER: 32,
  REQUEST_N_STRINGS: 4,
  REQUEST_N_EVENTS: 8,
  REQUEST_N_CANDIDATES: 12,
  REQUEST_NOW: 16,
  REQUEST_BLEND: 24,
  REQUEST_RANK_BY: 28,
  EVENT_BYTES: 40,
  EVENT_TIME: 0,
  EVENT_DWELL: 8,
  EVENT_PRICE: 12,
  EVENT_KIND: 16,
  EVENT_ITEM: 20,
  EVENT_CATEGORY: 24,
  EVENT_BRAND: 28,
  EVENT_QUERY: 32,
  EVENT_CODE: 36,
  CANDIDATE_BYTES: 32,
  CANDIDATE_ID: 0,
  CANDIDATE_CATEGORY: 4,
  CANDIDATE_BRAND: 8,
  CANDIDATE_PRICE: 12,
  CANDIDATE_POSITION: 16,
  CANDIDATE_BOOST: 20,
  CANDIDATE_AVAILABLE: 24,
  CANDIDATE_CODE: 28,
  EXPLANATIONS_HEADER: 16,
  EXPLANATIONS_N_CANDIDATES: 4,
  EXPLANATIONS_N_FACTORS: 8,
  EXPLANATIONS_N_STRINGS: 12,
  ENTRY_BYTES: 16,
  ENTRY_SCORE: 0,
  ENTRY_CART: 4,
  ENTRY_PURCHASE: 8,
  ENTRY_N_FACTORS: 12,
  FACTOR_BYTES: 20,
  FACTOR_KIND: 0,
  FACTOR_NAME: 4,
  FACTOR_CONTRIBUTION: 8,
  FACTOR_EVENTS: 12,
  FACTOR_PROBABILITY: 16,
  PROFILE_HEADER: 48,
  PROFILE_TOTAL_EVENTS: 4,
  PROFILE_SESSION_EVENTS: 8,
  PROFILE_PRICED_EVENTS: 12,
  PROFILE_PRICE_TYPICAL: 16,
  PROFILE_PRICE_LOW: 20,
  PROFILE_PRICE_HIGH: 24,
  PROFILE_STAGE: 28,
  PROFILE_SESSION_CATEGORY: 32,
  PROFILE_N_CATEGORIES: 36,
  PROFILE_N_BRANDS: 40,
  PROFILE_N_STRINGS: 44,
  AFFINITY_BYTES: 12,
  AFFINITY_NAME: 0,
  AFFINITY_WEIGHT: 4,
  AFFINITY_EVENTS: 8,
});

/** VT_WIRE_RANK_BY, VT_WIRE_FACTOR_KINDS and VT_WIRE_STAGES: names by code. */
export const RANK_BY = Object.freeze(['relevance', 'conversion', 'value']);
export const FACTOR_KINDS = Object.freeze([
  'session',
  'repeat',
  'popular',
  'conversion',
  'category',
  'brand',
  'price',
  'bought',
  'shop',
  'boost',
  'unavailable',
]);
export const STAGES = Object.freeze(['', 'browsing', 'comparing', 'buying']);

const F32_MAX = 3.4028234663852886e38;
const INT32_MAX = 0x7fffffff;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The rank request message ("VTQ1") of a request as the package holds it.
 * @param {{events?: object[], candidates?: object[], nowMs?: number, blend?: number, rankBy?: string}} request
 *   events as stored (storage.mjs records: kind, t, item, category, brand, price, query, dwellMs); candidates as
 *   read from the page (id, category, brand, price, position, boost, available)
 * @returns {Uint8Array}
 */
export function encodeRankRequest({ events = [], candidates = [], nowMs = Date.now(), blend, rankBy }) {
  const strings = new Map();
  const ref = (value) => {
    if (value === undefined || value === null || value === '') return 0;
    if (typeof value !== 'string') return Wire.NOT_A_STRING;
    let k = strings.get(value);
    if (k === undefined) strings.set(value, (k = strings.size + 1));
    return k;
  };
  const eventsAt = Wire.REQUEST_HEADER;
  const candidatesAt = eventsAt + events.length * Wire.EVENT_BYTES;
  const endsAt = candidatesAt + candidates.length * Wire.CANDIDATE_BYTES;
  // The records are written into a scratch view first: the string table's size is known only after them.
  const records = new DataView(new ArrayBuffer(endsAt));
  records.setUint32(0, Wire.REQUEST_MAGIC, true);
  records.setUint32(Wire.REQUEST_N_EVENTS, events.length, true);
  records.setUint32(Wire.REQUEST_N_CANDIDATES, candidates.length, true);
  records.setFloat64(Wire.REQUEST_NOW, finite(nowMs) ? nowMs : NaN, true);
  records.setFloat32(Wire.REQUEST_BLEND, blendValue(blend), true);
  records.setUint32(Wire.REQUEST_RANK_BY, rankBy == null ? 0 : code(RANK_BY, rankBy), true);
  events.forEach((e, i) => {
    const at = eventsAt + i * Wire.EVENT_BYTES;
    const kind = e?.kind;
    records.setUint32(
      at + Wire.EVENT_KIND,
      Number.isInteger(kind) && kind >= 0 && kind < Wire.INVALID ? kind : Wire.INVALID,
      true
    );
    records.setFloat64(at + Wire.EVENT_TIME, finite(e?.t) ? e.t : NaN, true);
    records.setFloat32(at + Wire.EVENT_DWELL, number(e?.dwellMs, 0), true);
    records.setFloat32(at + Wire.EVENT_PRICE, number(e?.price, -1), true);
    records.setUint32(at + Wire.EVENT_ITEM, ref(e?.item), true);
    records.setUint32(at + Wire.EVENT_CATEGORY, ref(e?.category), true);
    records.setUint32(at + Wire.EVENT_BRAND, ref(e?.brand), true);
    records.setUint32(at + Wire.EVENT_QUERY, ref(e?.query), true);
    records.setUint32(at + Wire.EVENT_CODE, ref(e?.code), true);
  });
  candidates.forEach((c, i) => {
    const at = candidatesAt + i * Wire.CANDIDATE_BYTES;
    records.setUint32(at + Wire.CANDIDATE_ID, ref(c?.id), true);
    records.setUint32(at + Wire.CANDIDATE_CATEGORY, ref(c?.category), true);
    records.setUint32(at + Wire.CANDIDATE_BRAND, ref(c?.brand), true);
    records.setFloat32(at + Wire.CANDIDATE_PRICE, number(c?.price, -1), true);
    records.setInt32(at + Wire.CANDIDATE_POSITION, position(c?.position), true);
    records.setFloat32(at + Wire.CANDIDATE_BOOST, number(c?.boost, 0), true);
    records.setUint32(at + Wire.CANDIDATE_CODE, ref(c?.code), true);
    const available = c?.available;
    records.setUint32(
      at + Wire.CANDIDATE_AVAILABLE,
      available == null ? 1 : typeof available === 'boolean' ? +available : 2,
      true
    );
  });
  records.setUint32(Wire.REQUEST_N_STRINGS, strings.size, true);

  const texts = Array.from(strings.keys(), (s) => encoder.encode(s));
  const textBytes = texts.reduce((sum, t) => sum + t.length, 0);
  const bytes = new Uint8Array(endsAt + 4 * texts.length + textBytes);
  bytes.set(new Uint8Array(records.buffer));
  const view = new DataView(bytes.buffer);
  let end = 0;
  let textAt = endsAt + 4 * texts.length;
  texts.forEach((t, k) => {
    end += t.length;
    view.setUint32(endsAt + 4 * k, end, true);
    bytes.set(t, textAt);
    textAt += t.length;
  });
  return bytes;
}

/**
 * The explanations message ("VTX1") as one entry per candidate:
 * {score, factors: [{kind, name, contribution, events, probability?}], cart?, purchase?}
 * (cart and purchase only where the model has them; probability only on a "conversion" factor).
 * @param {Uint8Array} bytes
 */
export function decodeExplanations(bytes) {
  const view = viewOf(bytes, Wire.EXPLANATIONS_MAGIC, Wire.EXPLANATIONS_HEADER);
  const n = view.getUint32(Wire.EXPLANATIONS_N_CANDIDATES, true);
  const nFactors = view.getUint32(Wire.EXPLANATIONS_N_FACTORS, true);
  const factorsAt = Wire.EXPLANATIONS_HEADER + n * Wire.ENTRY_BYTES;
  const strings = stringTable(
    bytes,
    view,
    factorsAt + nFactors * Wire.FACTOR_BYTES,
    view.getUint32(Wire.EXPLANATIONS_N_STRINGS, true)
  );
  const out = new Array(n);
  let factor = 0;
  for (let i = 0; i < n; i++) {
    const at = Wire.EXPLANATIONS_HEADER + i * Wire.ENTRY_BYTES;
    const count = view.getUint32(at + Wire.ENTRY_N_FACTORS, true);
    const factors = new Array(count);
    for (let j = 0; j < count; j++, factor++) {
      const f = factorsAt + factor * Wire.FACTOR_BYTES;
      const entry = {
        kind: FACTOR_KINDS[view.getUint32(f + Wire.FACTOR_KIND, true)],
        name: strings[view.getUint32(f + Wire.FACTOR_NAME, true)],
        contribution: view.getFloat32(f + Wire.FACTOR_CONTRIBUTION, true),
        events: view.getUint32(f + Wire.FACTOR_EVENTS, true),
      };
      const probability = view.getFloat32(f + Wire.FACTOR_PROBABILITY, true);
      if (probability >= 0) entry.probability = probability;
      factors[j] = entry;
    }
    const explanation = { score: view.getFloat32(at + Wire.ENTRY_SCORE, true), factors };
    const cart = view.getFloat32(at + Wire.ENTRY_CART, true);
    const purchase = view.getFloat32(at + Wire.ENTRY_PURCHASE, true);
    if (!Number.isNaN(cart)) explanation.cart = cart;
    if (!Number.isNaN(purchase)) explanation.purchase = purchase;
    out[i] = explanation;
  }
  return out;
}

/**
 * The profile message ("VTP1") as {categories, brands, session: {events, category, stage}, total_events, price?}
 * (categories and brands: [{name, weight, events}], strongest first; price: {typical, low, high, events} when
 * some event had a price).
 * @param {Uint8Array} bytes
 */
export function decodeProfile(bytes) {
  const view = viewOf(bytes, Wire.PROFILE_MAGIC, Wire.PROFILE_HEADER);
  const nCategories = view.getUint32(Wire.PROFILE_N_CATEGORIES, true);
  const nBrands = view.getUint32(Wire.PROFILE_N_BRANDS, true);
  const strings = stringTable(
    bytes,
    view,
    Wire.PROFILE_HEADER + (nCategories + nBrands) * Wire.AFFINITY_BYTES,
    view.getUint32(Wire.PROFILE_N_STRINGS, true)
  );
  const affinities = (from, count) =>
    Array.from({ length: count }, (_, k) => {
      const at = Wire.PROFILE_HEADER + (from + k) * Wire.AFFINITY_BYTES;
      return {
        name: strings[view.getUint32(at + Wire.AFFINITY_NAME, true)],
        weight: view.getFloat32(at + Wire.AFFINITY_WEIGHT, true),
        events: view.getUint32(at + Wire.AFFINITY_EVENTS, true),
      };
    });
  const profile = {
    categories: affinities(0, nCategories),
    brands: affinities(nCategories, nBrands),
    session: {
      events: view.getUint32(Wire.PROFILE_SESSION_EVENTS, true),
      category: strings[view.getUint32(Wire.PROFILE_SESSION_CATEGORY, true)],
      stage: STAGES[view.getUint32(Wire.PROFILE_STAGE, true)] ?? '',
    },
    total_events: view.getUint32(Wire.PROFILE_TOTAL_EVENTS, true),
  };
  const priced = view.getUint32(Wire.PROFILE_PRICED_EVENTS, true);
  if (priced > 0) {
    profile.price = {
      typical: view.getFloat32(Wire.PROFILE_PRICE_TYPICAL, true),
      low: view.getFloat32(Wire.PROFILE_PRICE_LOW, true),
      high: view.getFloat32(Wire.PROFILE_PRICE_HIGH, true),
      events: priced,
    };
  }
  return profile;
}

function finite(x) {
  return typeof x === 'number' && Number.isFinite(x);
}

// An optional number: absent (or, as JSON.stringify treated it, not finite) gives the default; a value of another
// type gives NaN, which the engine refuses naming the field; a finite one past the float range saturates.
function number(x, absent) {
  if (x == null || (typeof x === 'number' && !Number.isFinite(x))) return absent;
  if (typeof x !== 'number') return NaN;
  return Math.max(-F32_MAX, Math.min(F32_MAX, x));
}

function blendValue(blend) {
  const value = number(blend, -1);
  return value < 0 && blend != null && Number.isFinite(blend) ? NaN : value;
}

function position(p) {
  if (p == null) return -1;
  return Number.isInteger(p) && p >= 0 && p <= INT32_MAX ? p : -2;
}

function code(names, name) {
  const k = names.indexOf(name);
  return k < 0 ? Wire.INVALID : k;
}

function viewOf(bytes, magic, header) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < header || view.getUint32(0, true) !== magic)
    throw new Error(`not a wire message of magic 0x${magic.toString(16)}`);
  return view;
}

// Strings by ref: index 0 is '' (absent), k is string k-1 of the table at `endsAt`.
function stringTable(bytes, view, endsAt, count) {
  const out = [''];
  const textAt = endsAt + 4 * count;
  let begin = 0;
  for (let k = 0; k < count; k++) {
    const end = view.getUint32(endsAt + 4 * k, true);
    out.push(decoder.decode(bytes.subarray(textAt + begin, textAt + end)));
    begin = end;
  }
  return out;
}
