// Property test of the decoders of stored state: events.mjs (toRecord for track() input, validRecord for IndexedDB
// records) and journal.mjs (the localStorage journal). Thousands of random and mutated values, from a printed seed:
// the decoders never throw, and whatever they accept is a clean record by an independent definition below, which
// the real wasm engine also accepts (one bad stored record must not switch ranking off for good).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { EventKind } from '../../js/src/event_kinds.mjs';
import { toRecord, validRecord, recordBytes } from '../../js/src/events.mjs';
import { takeJournals, notYetStored } from '../../js/src/journal.mjs';
import { mulberry32 as rng } from '../../tools/random.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { MemoryStorage } from '../support/memory_storage.mjs';

const SEED = Number(process.env.VITRINE_FUZZ_SEED ?? 0x5eed) >>> 0;
const RUNS = 4000;

// ------------------------------------------------------------------------------------------------ generators

const ODD_STRINGS = [
  '',
  ' ',
  'sku-1',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '\u202egnp.exe',
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\u200b',
  '\u200d\u200d',
  '\u0000',
  'a\u0000b',
  '\u2028',
  '\ufeff',
  'e\u0301',
  '𝕍𝕚𝕥𝕣𝕚𝕟𝕖',
  'x'.repeat(128),
  'x'.repeat(129),
  ' x'.repeat(70),
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e400',
  '0x10',
  '  sku-2  ',
  '\t\n',
  '"quoted"',
  '\\',
  '{"kind":0}',
];
const ODD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  5.5,
  1e6,
  1e6 - 1,
  1e21,
  1e300,
  -1e300,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  1733000000000,
  1733000000000.4,
  2 ** 53,
  2 ** 64,
];
const KEYS = [
  'kind',
  't',
  'item',
  'category',
  'brand',
  'price',
  'qty',
  'query',
  'dwellMs',
  'time',
  'id',
  '__proto__',
  'junk',
];

function makeGen(next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const int = (n) => Math.floor(next() * n);
  function string() {
    switch (int(4)) {
      case 0:
        return pick(ODD_STRINGS);
      case 1:
        return Array.from({ length: int(12) }, () => String.fromCharCode(int(0x10000))).join('');
      case 2:
        return pick(ODD_STRINGS) + pick(ODD_STRINGS);
      default:
        return `sku-${int(20)}`;
    }
  }
  function value(depth = 0) {
    switch (int(depth > 2 ? 6 : 9)) {
      case 0:
        return pick(ODD_NUMBERS);
      case 1:
        return string();
      case 2:
        return pick([null, undefined, true, false]);
      case 3:
        return int(8) - 1;
      case 4:
        return pick([10n, -1n, new Date(1733000000000), new Date(NaN), Symbol('s'), () => 1]);
      case 5:
        return int(2) ? new Uint8Array(3) : new Map([[1, 2]]);
      case 6:
        return Array.from({ length: int(4) }, () => value(depth + 1));
      case 7:
        return Object.create(null);
      default:
        return record(depth + 1);
    }
  }
  // An object with event-like keys, mostly plausible values.
  function record(depth = 0) {
    const out = {};
    for (const key of KEYS) {
      if (next() < 0.5) continue;
      out[key] = next() < 0.5 ? plausible(key) : value(depth + 1);
    }
    return out;
  }
  function plausible(key) {
    switch (key) {
      case 'kind':
        return int(KIND_COUNT + 1) - 1; // one past the last kind, and -1
      case 't':
        return 1733000000000 + int(1000);
      case 'price':
        return int(200) - 20;
      case 'qty':
        return int(5);
      case 'dwellMs':
        return int(5000);
      default:
        return string();
    }
  }
  function valid() {
    const kind = int(KIND_COUNT);
    const r = { kind, t: 1733000000000 + int(100000) };
    if (ITEM_KINDS.has(kind) || next() < 0.3) r.item = `sku-${1 + int(20)}`;
    if (kind === 5 || next() < 0.5) r.category = pick(['shoes', 'bags', 'hats']);
    if (next() < 0.3) r.brand = pick(['acme', 'zenith']);
    if (kind === 4) r.query = pick(['red boots', 'bag']);
    if (next() < 0.3) r.price = int(100000) / 100;
    if (next() < 0.2) r.qty = 1 + int(3);
    if (kind === 0 && next() < 0.5) r.dwellMs = int(9000);
    return r;
  }
  // A valid record with one field replaced, added or removed.
  function mutated() {
    const r = valid();
    const key = pick(KEYS);
    if (next() < 0.2) delete r[key];
    else r[key] = value();
    return r;
  }
  return { value, record, valid, mutated, int, pick, string };
}

// ------------------------------------------------------------------------------------------------ the definition

const KIND_COUNT = Object.keys(EventKind).length;
// Kinds about one product: all but search and category_visit.
const ITEM_KINDS = new Set(
  Object.values(EventKind).filter((k) => k !== EventKind.search && k !== EventKind.category_visit)
);
const ALLOWED = new Set(['kind', 't', 'item', 'category', 'brand', 'price', 'qty', 'dwellMs']); // never a search's text
const IDS = ['item', 'category', 'brand'];

/** Why `r` is not a clean stored record, or null when it is one. Independent of events.mjs on purpose. */
function problem(r) {
  if (r === null || typeof r !== 'object' || Object.getPrototypeOf(r) !== Object.prototype) return 'not a plain object';
  for (const key of Object.keys(r)) if (!ALLOWED.has(key)) return `unexpected key ${key}`;
  if (!Number.isInteger(r.kind) || r.kind < 0 || r.kind >= KIND_COUNT) return 'kind';
  if (!Number.isSafeInteger(r.t) || r.t <= 0) return 't';
  for (const key of IDS) {
    if (r[key] === undefined) continue;
    const s = r[key];
    if (typeof s !== 'string' || s === '' || s !== s.trim() || s.length > 128) return key;
    if (!s.isWellFormed()) return `${key} is not well-formed unicode`;
  }
  if (ITEM_KINDS.has(r.kind) && r.item === undefined) return 'item kinds need an item';
  if (r.kind === 5 && r.category === undefined) return 'category_visit needs a category';
  if (r.price !== undefined && !(Number.isFinite(r.price) && r.price >= 0)) return 'price';
  if (r.qty !== undefined && !(Number.isInteger(r.qty) && r.qty > 0 && r.qty < 1e6)) return 'qty';
  if (r.dwellMs !== undefined && !(Number.isInteger(r.dwellMs) && r.dwellMs >= 0)) return 'dwellMs';
  if (recordBytes(r) > 1024) return 'too large';
  return null;
}

function show(v) {
  try {
    return JSON.stringify(v, (_, x) =>
      typeof x === 'bigint' ? `${x}n` : typeof x === 'symbol' ? String(x) : x
    )?.slice(0, 300);
  } catch {
    return String(typeof v);
  }
}

// ------------------------------------------------------------------------------------------------ tests

test(`toRecord and validRecord never throw and accept only clean records (seed ${SEED}, ${RUNS * 4} values)`, () => {
  const g = makeGen(rng(SEED));
  let accepted = 0;
  for (let i = 0; i < RUNS * 4; ++i) {
    const input = i % 4 === 0 ? g.value() : i % 4 === 1 ? g.record() : g.mutated();
    let result, stored;
    assert.doesNotThrow(
      () => {
        result = toRecord(input, 1733000000000);
      },
      `toRecord threw on ${show(input)}`
    );
    assert.doesNotThrow(
      () => {
        stored = validRecord(input);
      },
      `validRecord threw on ${show(input)}`
    );
    assert.ok(
      result && (result.record === undefined) !== (result.error === undefined),
      `toRecord gave ${show(result)}`
    );
    if (result.record) {
      assert.equal(problem(result.record), null, `toRecord accepted ${show(input)} as ${show(result.record)}`);
      // What toRecord stores reads back unchanged.
      assert.deepEqual(validRecord(structuredClone(result.record)), result.record);
    }
    if (stored) {
      ++accepted;
      assert.equal(problem(stored), null, `validRecord accepted ${show(input)} as ${show(stored)}`);
      assert.deepEqual(validRecord(stored), stored, 'validRecord is idempotent');
    }
  }
  assert.ok(accepted > RUNS / 4, `the generator must reach the accepting paths too (accepted ${accepted})`);
});

test('hostile objects handed to track() (throwing getters and conversions, proxies) give an error, never a throw', () => {
  const boom = () => {
    throw new Error('boom');
  };
  const hostile = [
    {
      get kind() {
        return boom();
      },
    },
    { kind: { toString: boom } },
    { kind: 'view', item: 'a', t: { valueOf: boom } },
    { kind: 'view', item: 'a', t: Symbol('t') },
    { kind: 'view', item: 'a', price: Symbol('p') },
    { kind: 'view', item: 'a', price: Object.create(null) },
    { kind: 'search', query: { toString: boom } },
    { kind: 'view', item: 'a', qty: { [Symbol.toPrimitive]: boom } },
    new Proxy({}, { get: boom, has: boom, ownKeys: boom }),
    { kind: Symbol('kind') },
  ];
  for (const input of hostile) {
    let result;
    assert.doesNotThrow(() => {
      result = toRecord(input, 5);
    });
    if (result.record) assert.equal(problem(result.record), null);
    assert.doesNotThrow(() => validRecord(input));
  }
});

test(`journals with random and damaged contents yield only clean records, sorted, and are all removed (seed ${SEED})`, () => {
  const g = makeGen(rng(SEED + 1));
  for (let run = 0; run < RUNS / 4; ++run) {
    const ls = new MemoryStorage();
    ls.setItem('shop.cart', '[1,2]'); // the shop's own keys are not ours to touch
    const journals = 1 + g.int(3);
    for (let j = 0; j < journals; ++j) {
      const entries = Array.from({ length: g.int(6) }, () => (g.int(3) ? g.mutated() : g.valid()));
      let text;
      try {
        text = JSON.stringify(entries);
      } catch {
        text = '[';
      }
      switch (g.int(6)) {
        case 0:
          text = text.slice(0, g.int(text.length + 1));
          break; // torn write
        case 1:
          text = g.string();
          break;
        case 2:
          text = show(g.record()) ?? 'null';
          break;
        default:
          break;
      }
      ls.setItem(`vitrine.journal.${run}-${j}`, text);
    }
    let records;
    assert.doesNotThrow(() => {
      records = takeJournals({ localStorage: ls });
    });
    for (const r of records) assert.equal(problem(r), null, `journal gave ${show(r)}`);
    for (let i = 1; i < records.length; ++i) assert.ok(records[i - 1].t <= records[i].t, 'oldest first');
    assert.deepEqual(ls.keys(), ['shop.cart']);
    // Replaying the same journal against what is stored adds nothing twice.
    assert.deepEqual(notYetStored(records, records), []);
  }
});

test('every record the decoders accept is also accepted by the wasm engine', async () => {
  const engine = await createNodeEngine();
  try {
    const g = makeGen(rng(SEED + 2));
    const accepted = [];
    for (let i = 0; i < RUNS; ++i) {
      const input = i % 2 ? g.mutated() : g.record();
      const record = validRecord(input) ?? toRecord(input, 1733000000000).record;
      if (record) accepted.push(record);
    }
    assert.ok(accepted.length > 100, `accepted ${accepted.length}`);
    const nowMs = 1733000100000;
    // In batches, as the package sends them; a refused batch is split down to the record that is refused.
    for (let i = 0; i < accepted.length; i += 100) {
      const batch = accepted.slice(i, i + 100);
      try {
        engine.profile({ events: batch, nowMs });
      } catch (e) {
        const bad = batch.find((r) => {
          try {
            engine.profile({ events: [r], nowMs });
            return false;
          } catch {
            return true;
          }
        });
        assert.fail(`the engine refused ${show(bad)}: ${e.message}`);
      }
    }
  } finally {
    engine.release();
  }
});
