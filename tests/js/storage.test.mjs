// Event storage against fake-indexeddb: bounds, expiry, migration from v1, corruption recovery, memory fallback,
// and two connections (two tabs) writing at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';

import { openStore, applyMigrations, SCHEMA_VERSION, EVENTS_STORE } from '../../js/src/storage.mjs';
import { toRecord } from '../../js/src/events.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';
import { normalizeConfig } from '../../js/src/config.mjs';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2025, 0, 31, 12);
const LIMITS = { maxEvents: 50, maxBytes: 64 * 1024, retentionDays: 30 };

function view(item, t = NOW) {
  const { record, error } = toRecord({ kind: 'view', item: String(item), t }, NOW);
  assert.equal(error, undefined);
  return record;
}

function open(idb, extra = {}) {
  return openStore({ indexedDB: idb, name: 'shop', limits: LIMITS, now: () => NOW, BroadcastChannel: null, ...extra });
}

function rawOpen(idb, name, version, onUpgrade) {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? idb.open(name) : idb.open(name, version);
    req.onupgradeneeded = (e) => onUpgrade?.(req.result, req.transaction, e.oldVersion);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function rawPut(db, values) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(EVENTS_STORE, 'readwrite');
    for (const v of values) tx.objectStore(EVENTS_STORE).add(v);
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
}

function rawAll(db) {
  return new Promise((resolve, reject) => {
    const req = db.transaction(EVENTS_STORE).objectStore(EVENTS_STORE).getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

test('appends and reads back events oldest first, in IndexedDB', async () => {
  const store = await open(new IDBFactory());
  assert.equal(store.backend, 'indexeddb');
  await store.append([view('a', NOW - 3000), view('b', NOW - 2000)]);
  await store.append([view('c', NOW - 1000)]);
  const events = await store.recent();
  assert.deepEqual(
    events.map((e) => e.item),
    ['a', 'b', 'c']
  );
  assert.equal(events[0].kind, EventKind.view);
  assert.deepEqual(
    (await store.recent(2)).map((e) => e.item),
    ['b', 'c']
  );
  store.close();
});

test('keeps at most maxEvents, dropping the oldest', async () => {
  const store = await open(new IDBFactory(), { limits: { ...LIMITS, maxEvents: 10 } });
  for (let batch = 0; batch < 3; ++batch) {
    await store.append(Array.from({ length: 6 }, (_, i) => view(`i${batch * 6 + i}`, NOW - 100 + batch * 6 + i)));
  }
  const items = (await store.recent()).map((e) => e.item);
  assert.equal(items.length, 10);
  assert.deepEqual(
    items,
    Array.from({ length: 10 }, (_, i) => `i${8 + i}`)
  );
  assert.equal(await store.count(), 10);
  store.close();
});

test('keeps at most maxBytes', async () => {
  const maxBytes = 4096;
  const store = await open(new IDBFactory(), { limits: { ...LIMITS, maxEvents: 100000, maxBytes } });
  const long = 'x'.repeat(120);
  await store.append(Array.from({ length: 200 }, (_, i) => view(`${long}${i}`, NOW - 1000 + i)));
  const events = await store.recent();
  const bytes = events.reduce((sum, e) => sum + new TextEncoder().encode(JSON.stringify(e)).length, 0);
  assert.ok(bytes <= maxBytes, `${bytes} bytes stored, bound is ${maxBytes}`);
  assert.ok(events.length > 5 && events.length < 200, `kept ${events.length}`);
  assert.equal(events.at(-1).item, `${long}199`, 'the newest event is kept');
  store.close();
});

test('events older than retentionDays expire; the retention is configurable', async () => {
  const idb = new IDBFactory();
  const store = await open(idb);
  await store.append([view('old', NOW - 31 * DAY), view('edge', NOW - 29 * DAY), view('new', NOW - 1)]);
  assert.deepEqual(
    (await store.recent()).map((e) => e.item),
    ['edge', 'new']
  );
  store.close();
  const shortLived = await open(idb, { limits: { ...LIMITS, retentionDays: 7 } });
  assert.deepEqual(
    (await shortLived.recent()).map((e) => e.item),
    ['new']
  );
  assert.equal(await shortLived.count(), 1, 'expired records are deleted, not just hidden');
  shortLived.close();
});

test('migrates a version 1 database to the current schema', async () => {
  assert.ok(SCHEMA_VERSION >= 2);
  const idb = new IDBFactory();
  const v1 = await rawOpen(idb, 'shop', 1, (db, tx, oldVersion) => applyMigrations(db, tx, oldVersion, 1));
  await rawPut(v1, [
    { kind: 'view', item: 'p1', time: NOW - 5000 },
    { kind: 'add_to_cart', item: 'p2', time: NOW - 4000 },
    { kind: 'teleport', item: 'p3', time: NOW - 3000 }, // unknown kind: dropped by the migration
    { kind: 'click', time: NOW - 2000 }, // no item: dropped
  ]);
  v1.close();
  const store = await open(idb);
  assert.equal(store.backend, 'indexeddb');
  const events = await store.recent();
  assert.deepEqual(events, [
    { kind: EventKind.view, t: NOW - 5000, item: 'p1' },
    { kind: EventKind.add_to_cart, t: NOW - 4000, item: 'p2' },
  ]);
  store.close();
  const db = await rawOpen(idb, 'shop');
  assert.equal(db.version, SCHEMA_VERSION);
  assert.equal((await rawAll(db)).length, 2, 'unconvertible v1 records are gone from disk');
  db.close();
});

test('migrates a version 2 database: the search text it kept is removed from disk', async () => {
  assert.ok(SCHEMA_VERSION >= 3);
  const idb = new IDBFactory();
  const v2 = await rawOpen(idb, 'shop', 2, (db, tx, oldVersion) => applyMigrations(db, tx, oldVersion, 2));
  await rawPut(v2, [
    { kind: EventKind.search, t: NOW - 3000, query: 'pregnancy test' },
    { kind: EventKind.view, t: NOW - 2000, item: 'p1' },
  ]);
  v2.close();
  const store = await open(idb);
  assert.deepEqual(await store.recent(), [
    { kind: EventKind.search, t: NOW - 3000 },
    { kind: EventKind.view, t: NOW - 2000, item: 'p1' },
  ]);
  store.close();
  const db = await rawOpen(idb, 'shop');
  assert.equal(db.version, SCHEMA_VERSION);
  assert.ok(
    (await rawAll(db)).every((r) => !('query' in r)),
    'no stored record keeps the text'
  );
  db.close();
});

test('drops corrupted records on read and keeps the good ones', async () => {
  const idb = new IDBFactory();
  const store = await open(idb);
  await store.append([view('good1', NOW - 10)]);
  store.close();
  const db = await rawOpen(idb, 'shop');
  await rawPut(db, [
    null,
    'garbage',
    { kind: 99, item: 'x', t: NOW },
    { kind: 0, item: '', t: NOW },
    { kind: 0, item: 'y', t: 'yesterday' },
    [1, 2, 3],
    { kind: EventKind.view, item: 'good2', t: NOW - 5 },
  ]);
  db.close();
  const reopened = await open(idb);
  assert.deepEqual(
    (await reopened.recent()).map((e) => e.item),
    ['good1', 'good2']
  );
  assert.equal(await reopened.count(), 2, 'bad records are deleted');
  reopened.close();
});

test('recreates a database whose schema is damaged', async () => {
  const idb = new IDBFactory();
  // Right version number, wrong stores: as if another script or a failed write left it broken.
  const broken = await rawOpen(idb, 'shop', SCHEMA_VERSION, (db) => db.createObjectStore('something_else'));
  broken.close();
  const store = await open(idb);
  assert.equal(store.backend, 'indexeddb');
  await store.append([view('after')]);
  assert.deepEqual(
    (await store.recent()).map((e) => e.item),
    ['after']
  );
  store.close();
});

test('recreates a database left at a newer version (downgraded code)', async () => {
  const idb = new IDBFactory();
  const future = await rawOpen(idb, 'shop', SCHEMA_VERSION + 5, (db) => db.createObjectStore(EVENTS_STORE));
  future.close();
  const store = await open(idb);
  assert.equal(store.backend, 'indexeddb');
  await store.append([view('ok')]);
  assert.equal((await store.recent()).length, 1);
  store.close();
});

test('reconnects when the database was cleared underneath it', async () => {
  const idb = new IDBFactory();
  const store = await open(idb);
  await store.append([view('before')]);
  // The shopper clears site data (or another tab deletes the database): our connection is closed for us.
  await new Promise((resolve) => {
    const req = idb.deleteDatabase('shop');
    req.onsuccess = resolve;
  });
  await store.append([view('after')]);
  assert.deepEqual(
    (await store.recent()).map((e) => e.item),
    ['after']
  );
  assert.equal(store.backend, 'indexeddb');
  store.close();
});

test('falls back to memory without IndexedDB, with the same bounds', async () => {
  const fallbacks = [];
  const store = await open(null, { limits: { ...LIMITS, maxEvents: 3 }, onFallback: (e) => fallbacks.push(e) });
  assert.equal(store.backend, 'memory');
  assert.equal(fallbacks.length, 1);
  await store.append([view('a', NOW - 40 * DAY), view('b'), view('c'), view('d'), view('e')]);
  assert.deepEqual(
    (await store.recent()).map((e) => e.item),
    ['c', 'd', 'e']
  );
  await store.clear();
  assert.deepEqual(await store.recent(), []);
});

test('falls back to memory when IndexedDB cannot be opened', async () => {
  const refusing = {
    open() {
      throw new DOMException('denied', 'SecurityError');
    },
    deleteDatabase() {
      throw new Error('no');
    },
  };
  const fallbacks = [];
  const store = await open(refusing, { onFallback: (e) => fallbacks.push(e) });
  assert.equal(store.backend, 'memory');
  assert.equal(fallbacks.length, 1);
  await store.append([view('m')]);
  assert.equal((await store.recent())[0].item, 'm');
});

test('QuotaExceededError moves to memory without losing the batch', async () => {
  const idb = new IDBFactory();
  const fallbacks = [];
  const store = await open(idb, { onFallback: (e) => fallbacks.push(e) });
  await store.append([view('stored')]);
  const realAdd = IDBObjectStore.prototype.add;
  IDBObjectStore.prototype.add = function () {
    throw new DOMException('disk full', 'QuotaExceededError');
  };
  try {
    await store.append([view('q1'), view('q2')]);
  } finally {
    IDBObjectStore.prototype.add = realAdd;
  }
  assert.equal(store.backend, 'memory');
  assert.equal(fallbacks.length, 1);
  assert.equal(fallbacks[0].name, 'QuotaExceededError');
  assert.deepEqual(
    (await store.recent()).map((e) => e.item),
    ['q1', 'q2']
  );
});

test('a write is one transaction: a failing batch stores nothing', async () => {
  const idb = new IDBFactory();
  const store = await open(idb);
  const realAdd = IDBObjectStore.prototype.add;
  let calls = 0;
  IDBObjectStore.prototype.add = function (...args) {
    if (++calls === 2) throw new DOMException('disk full', 'QuotaExceededError');
    return realAdd.apply(this, args);
  };
  try {
    await store.append([view('half1'), view('half2')]);
  } finally {
    IDBObjectStore.prototype.add = realAdd;
  }
  store.close();
  const db = await rawOpen(idb, 'shop');
  assert.deepEqual(await rawAll(db), [], 'the first add was rolled back with the second');
  db.close();
});

test('two connections (two tabs) write concurrently without losing events', async () => {
  const idb = new IDBFactory();
  const tabA = await open(idb);
  const tabB = await open(idb);
  const writes = [];
  for (let i = 0; i < 10; ++i) {
    writes.push(tabA.append([view(`a${i}`, NOW - 100 + i)]));
    writes.push(tabB.append([view(`b${i}`, NOW - 100 + i)]));
  }
  await Promise.all(writes);
  const items = (await tabA.recent()).map((e) => e.item).sort();
  assert.equal(items.length, 20);
  assert.deepEqual(
    items,
    [...Array.from({ length: 10 }, (_, i) => `a${i}`), ...Array.from({ length: 10 }, (_, i) => `b${i}`)].sort()
  );
  tabA.close();
  tabB.close();
});

test('clear() in one tab empties the store the other tab sees, and notifies it', async () => {
  const idb = new IDBFactory();
  const { BroadcastChannel } = await import('node:worker_threads');
  const tabA = await open(idb, { BroadcastChannel });
  const tabB = await open(idb, { BroadcastChannel });
  const heard = new Promise((resolve) => tabB.onChange((m) => m.remote && m.type === 'cleared' && resolve(m)));
  await tabA.append([view('x'), view('y')]);
  assert.equal((await tabB.recent()).length, 2);
  await tabA.clear();
  assert.equal((await heard).type, 'cleared');
  assert.deepEqual(await tabB.recent(), []);
  const exported = await tabA.exportAll();
  assert.deepEqual(exported.events, []);
  assert.equal(exported.schemaVersion, SCHEMA_VERSION);
  tabA.close();
  tabB.close();
});

test('an event dated in the future is refused on write and deleted on read; retention is capped at 90 days', async () => {
  const future = toRecord({ kind: 'view', item: 'later', t: NOW + 2 * 60_000 }, NOW);
  assert.match(future.error, /in the future/);
  assert.equal(
    toRecord({ kind: 'view', item: 'skewed', t: NOW + 30_000 }, NOW).error,
    undefined,
    'a clock a little ahead'
  );
  // A record written by an older version, or by hand, dated 9e15 ms (year 287,000): it must not be kept forever.
  const idb = new IDBFactory();
  const store = await open(idb);
  await store.append([view('now')]);
  store.close();
  const db = await rawOpen(idb, 'shop');
  await rawPut(db, [{ kind: EventKind.view, item: 'forever', t: 9e15 }]);
  db.close();
  const again = await open(idb);
  assert.deepEqual(
    (await again.recent()).map((e) => e.item),
    ['now']
  );
  assert.equal(await again.count(), 1, 'the future-dated record is deleted, not just hidden');
  again.close();
  assert.equal(normalizeConfig({ retentionDays: 365 }).retentionDays, 90);
  assert.equal(normalizeConfig({ retentionDays: 60 }).retentionDays, 60);
});
