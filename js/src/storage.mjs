// Event storage: IndexedDB when the browser allows it, memory otherwise. Bounded by event count and bytes, expiring
// after `retentionDays`. Every batch is written in one transaction (all of it or none), so several tabs can write
// at once; a BroadcastChannel tells the other tabs when something changed or was erased.
// Records are validated on every read; bad ones are deleted. A database we cannot use is deleted and recreated, and
// if that fails too we keep going in memory. Methods reject on failure; the caller (vitrine.mjs) turns that into at
// most one console warning.
import { recordBytes, validRecord, kindCode } from './events.mjs';

export const SCHEMA_VERSION = 3;
export const EVENTS_STORE = 'events';
const DAY_MS = 24 * 60 * 60 * 1000;
const OPEN_TIMEOUT_MS = 4000;

/**
 * MIGRATIONS[v] turns a version v-1 database into version v inside the versionchange transaction.
 *  v1: store "events" (auto-increment keys), records { kind: 'view' | 'click' | ..., item, time }.
 *  v2: kinds are the numeric codes shared with the engine (event_kinds.h), the time field is `t`, and records
 *      are cleaned up by the same validation as every read; records that cannot be converted are dropped.
 *  v3: search text is no longer kept: it is removed from the records that have it.
 */
/**
 * Rewrites every stored record inside the versionchange transaction: `convert(value)` returns the record to keep
 * (written back when it is another object), or null to delete it.
 */
function rewriteRecords(tx, convert) {
  const cursorRequest = tx.objectStore(EVENTS_STORE).openCursor();
  cursorRequest.onsuccess = () => {
    const cursor = cursorRequest.result;
    if (!cursor) return;
    const kept = convert(cursor.value);
    if (kept === null) cursor.delete();
    else if (kept !== cursor.value) cursor.update(kept);
    cursor.continue();
  };
}

export const MIGRATIONS = Object.freeze({
  1(db) {
    db.createObjectStore(EVENTS_STORE, { autoIncrement: true });
  },
  2(db, tx) {
    rewriteRecords(tx, (old) =>
      old && typeof old === 'object'
        ? validRecord({ ...old, kind: kindCode(old.kind), t: Math.round(Number(old.time)) })
        : null
    );
  },
  3(db, tx) {
    rewriteRecords(tx, (value) => {
      if (!value || typeof value !== 'object' || !Object.hasOwn(value, 'query')) return value;
      const { query, ...kept } = value;
      void query;
      return kept;
    });
  },
});

/** Runs the migrations from `oldVersion` up to `newVersion` (exported so tests can build an old database). */
export function applyMigrations(db, tx, oldVersion, newVersion = SCHEMA_VERSION) {
  for (let v = oldVersion + 1; v <= newVersion; ++v) MIGRATIONS[v](db, tx);
}

// ------------------------------------------------------------------------------------------------ bounds and expiry

/**
 * Walks records newest first and decides which to keep. Invalid, expired and over-bound records are dropped.
 * Returns a function taking a raw stored value and returning the clean record to keep, or null to delete it.
 */
function keeper(limits, nowMs) {
  const oldest = nowMs - limits.retentionDays * DAY_MS;
  let count = 0;
  let bytes = 0;
  return (value) => {
    // A record dated in the future would never expire: it is deleted like a corrupted one.
    const record = validRecord(value, nowMs);
    if (!record || record.t < oldest) return null;
    const size = recordBytes(record);
    if (count + 1 > limits.maxEvents || bytes + size > limits.maxBytes) return null;
    count += 1;
    bytes += size;
    return record;
  };
}

// ------------------------------------------------------------------------------------------------ memory backend

export class MemoryBackend {
  kind = 'memory';
  #entries = []; // { key, value } oldest first
  #nextKey = 1;

  constructor(limits) {
    this.limits = limits;
  }

  async append(records, nowMs) {
    for (const value of records) this.#entries.push({ key: this.#nextKey++, value: structuredClone(value) });
    this.#prune(nowMs);
  }

  async read(limit, nowMs) {
    this.#prune(nowMs);
    return this.#entries.slice(Math.max(0, this.#entries.length - limit)).map((e) => ({ ...e.value }));
  }

  async clear() {
    this.#entries = [];
    return true;
  }

  async count() {
    return this.#entries.length;
  }

  #prune(nowMs) {
    const keep = keeper(this.limits, nowMs);
    const kept = [];
    for (let i = this.#entries.length - 1; i >= 0; --i) {
      const record = keep(this.#entries[i].value);
      if (record) kept.push({ key: this.#entries[i].key, value: record });
    }
    this.#entries = kept.reverse();
  }

  close() {}
}

// ------------------------------------------------------------------------------------------------ IndexedDB backend

function openDatabase(idb, name) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => finish(new Error('timed out opening IndexedDB (blocked by another tab?)')),
      OPEN_TIMEOUT_MS
    );
    function finish(error, db) {
      if (settled) {
        db?.close();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(db);
    }
    let req;
    try {
      req = idb.open(name, SCHEMA_VERSION);
    } catch (e) {
      finish(e);
      return;
    }
    req.onupgradeneeded = (event) => {
      try {
        applyMigrations(req.result, req.transaction, event.oldVersion);
      } catch (e) {
        try {
          req.transaction.abort();
        } catch {
          // already aborting
        }
        finish(e);
      }
    };
    req.onsuccess = () => finish(null, req.result);
    req.onerror = (event) => {
      event?.preventDefault?.();
      finish(req.error ?? new Error('could not open IndexedDB'));
    };
  });
}

/** Deletes the database `name`; true once the browser confirmed it, false on an error or no answer in time. */
export function deleteDatabase(idb, name) {
  return new Promise((resolve) => {
    let req;
    try {
      req = idb.deleteDatabase(name);
    } catch {
      resolve(false);
      return;
    }
    // "blocked" means another connection has not closed yet; the delete still happens once it does.
    const timer = setTimeout(() => resolve(false), OPEN_TIMEOUT_MS);
    req.onsuccess = () => {
      clearTimeout(timer);
      resolve(true);
    };
    req.onerror = () => {
      clearTimeout(timer);
      resolve(false);
    };
  });
}

function schemaLooksRight(db) {
  return db.objectStoreNames.contains(EVENTS_STORE);
}

const RECONNECT_ERRORS = new Set(['InvalidStateError', 'NotFoundError', 'TransactionInactiveError', 'UnknownError']);

export class IndexedDbBackend {
  kind = 'indexeddb';
  #idb;
  #name;
  #db = null;
  #connecting = null;

  constructor(idb, name, limits) {
    this.#idb = idb;
    this.#name = name;
    this.limits = limits;
  }

  /** Opens (or repairs) the database. Rejects when IndexedDB cannot be used at all. */
  async connect() {
    if (this.#db) return this.#db;
    this.#connecting ??= this.#connectOnce().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #connectOnce() {
    let db;
    try {
      db = await openDatabase(this.#idb, this.#name);
      if (!schemaLooksRight(db)) throw new Error('database schema is damaged');
    } catch (first) {
      // Unusable database (newer version from a downgrade, damaged schema, storage error): start afresh.
      db?.close();
      if (first?.name === 'QuotaExceededError') throw first;
      await deleteDatabase(this.#idb, this.#name);
      db = await openDatabase(this.#idb, this.#name);
      if (!schemaLooksRight(db)) {
        db.close();
        throw new Error('IndexedDB schema could not be recreated');
      }
    }
    // Another tab's forget() deletes the database: let it, and reconnect on our next operation.
    db.onversionchange = () => {
      db.close();
      if (this.#db === db) this.#db = null;
    };
    db.onclose = () => {
      if (this.#db === db) this.#db = null;
    };
    this.#db = db;
    return db;
  }

  /**
   * Runs `work(store)` in one transaction and resolves with its return value after commit. `work` must only
   * issue requests synchronously or from request callbacks. Reconnects once if the connection went away.
   */
  async #transaction(mode, work, { commitNow = false } = {}) {
    for (let attempt = 0; ; ++attempt) {
      const db = await this.connect();
      try {
        return await new Promise((resolve, reject) => {
          const tx = db.transaction(EVENTS_STORE, mode);
          let result;
          tx.oncomplete = () => resolve(result);
          tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
          try {
            result = work(tx.objectStore(EVENTS_STORE));
            // Commit without waiting for more requests: a write issued from pagehide must not die with the page.
            if (commitNow && typeof tx.commit === 'function') tx.commit();
          } catch (e) {
            try {
              tx.abort();
            } catch {
              // already finished
            }
            reject(e);
          }
        });
      } catch (e) {
        if (attempt === 0 && RECONNECT_ERRORS.has(e?.name)) {
          if (this.#db === db) {
            db.close();
            this.#db = null;
          }
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * Appends records in one transaction committed at once (all or none), then enforces validity, expiry and the
   * count and byte bounds in a second one. The split keeps the write itself short enough to survive the page
   * going away; if the prune does not run, the next write or read does it.
   */
  async append(records, nowMs) {
    await this.#transaction(
      'readwrite',
      (store) => {
        for (const record of records) store.add(record);
      },
      { commitNow: true }
    );
    await this.#transaction('readwrite', (store) => this.#prune(store, nowMs, null));
  }

  /** The newest `limit` valid records, oldest first. Bad and expired records found on the way are deleted. */
  read(limit, nowMs) {
    return this.#transaction('readwrite', (store) => {
      const out = [];
      this.#prune(store, nowMs, (record) => {
        if (out.length < limit) out.push(record);
      });
      return out;
    }).then((out) => out.reverse());
  }

  #prune(store, nowMs, onKeep) {
    const keep = keeper(this.limits, nowMs);
    const cursorRequest = store.openCursor(null, 'prev');
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result;
      if (!cursor) return;
      const record = keep(cursor.value);
      if (record) onKeep?.(record);
      else cursor.delete();
      cursor.continue();
    };
  }

  count() {
    let req;
    return this.#transaction('readonly', (store) => {
      req = store.count();
    }).then(() => req.result);
  }

  /** Empties the store, then deletes the database itself; true once the deletion is confirmed. */
  async clear() {
    try {
      await this.#transaction('readwrite', (store) => {
        store.clear();
      });
    } catch {
      // an unusable database is still deleted below
    }
    this.close();
    return deleteDatabase(this.#idb, this.#name);
  }

  close() {
    this.#db?.close();
    this.#db = null;
  }
}

// ------------------------------------------------------------------------------------------------ the store

/**
 * Opens the event store. Never rejects: when IndexedDB is missing or unusable the store runs in memory and
 * `onFallback(error)` is called once.
 * @param {object} options
 * @param {IDBFactory|null} [options.indexedDB] default globalThis.indexedDB; null forces memory
 * @param {string} [options.name] database name
 * @param {{maxEvents:number,maxBytes:number,retentionDays:number}} options.limits
 * @param {() => number} [options.now]
 * @param {(error: Error) => void} [options.onFallback]
 * @param {typeof BroadcastChannel|null} [options.BroadcastChannel]
 */
export async function openStore(options) {
  const store = new EventStore(options);
  await store.ready;
  return store;
}

export class EventStore {
  #backend;
  #options;
  #channel = null;
  #listeners = new Set();
  #now;

  constructor(options) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    let idb = options.indexedDB;
    if (idb === undefined) {
      try {
        idb = globalThis.indexedDB; // throws SecurityError in some sandboxed frames
      } catch {
        idb = null;
      }
    }
    const Channel = options.BroadcastChannel === undefined ? globalThis.BroadcastChannel : options.BroadcastChannel;
    const name = options.name ?? 'vitrine';
    try {
      if (typeof Channel === 'function') {
        this.#channel = new Channel(`${name}:events`);
        this.#channel.onmessage = (event) => this.#notify(event.data, true);
      }
    } catch {
      this.#channel = null; // cross-tab notifications are a convenience; storage works without them
    }
    if (!idb) {
      this.#backend = new MemoryBackend(options.limits);
      this.ready = Promise.resolve().then(() => options.onFallback?.(new Error('IndexedDB is not available')));
      return;
    }
    const backend = new IndexedDbBackend(idb, name, options.limits);
    this.#backend = backend;
    this.ready = backend.connect().then(
      () => undefined,
      (error) => this.#fallBack(error)
    );
  }

  /** 'indexeddb' or 'memory'. */
  get backend() {
    return this.#backend.kind;
  }

  #fallBack(error) {
    if (this.#backend.kind === 'memory') return;
    this.#backend.close();
    this.#backend = new MemoryBackend(this.#options.limits);
    this.#options.onFallback?.(error);
  }

  /** Stores already-validated records (see events.toRecord) in one transaction. */
  async append(records) {
    if (records.length === 0) return;
    const now = this.#now();
    try {
      await this.#backend.append(records, now);
    } catch (error) {
      // Quota exceeded or a broken database: keep this session's events in memory rather than lose them.
      this.#fallBack(error);
      await this.#backend.append(records, now);
    }
    this.#post({ type: 'appended' });
  }

  /** The newest `limit` valid events, oldest first. */
  async recent(limit = Infinity) {
    try {
      return await this.#backend.read(limit, this.#now());
    } catch (error) {
      this.#fallBack(error);
      return this.#backend.read(limit, this.#now());
    }
  }

  async count() {
    return this.#backend.count();
  }

  /** Everything stored, as plain JSON-able data. */
  async exportAll() {
    const events = await this.recent(Infinity);
    return { schemaVersion: SCHEMA_VERSION, backend: this.backend, events };
  }

  /** Erases every stored event (and the database) and tells the other tabs; true once the deletion is confirmed. */
  async clear() {
    try {
      return await this.#backend.clear();
    } finally {
      this.#post({ type: 'cleared' });
    }
  }

  /** Calls `listener({type, remote})` on 'appended' / 'cleared' here or in another tab. Returns an unsubscribe. */
  onChange(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #post(message) {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // the channel may be closed during page teardown
    }
    this.#notify(message, false);
  }

  #notify(message, remote) {
    if (!message || typeof message.type !== 'string') return;
    for (const listener of this.#listeners) {
      try {
        listener({ type: message.type, remote });
      } catch {
        // one listener's failure must not stop the others
      }
    }
  }

  close() {
    try {
      this.#channel?.close();
    } catch {
      // already closed
    }
    this.#backend.close();
  }
}
