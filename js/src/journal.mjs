// A write-ahead journal for the moment the page goes away. An IndexedDB write started from pagehide can be aborted
// with the document (seen in Chromium), while localStorage writes are synchronous. So at pagehide the events not yet
// committed are put under a per-page key, and the next page moves them into IndexedDB (skipping any that did make it).
import { validRecord } from './events.mjs';

const PREFIX = 'vitrine.journal.';
const MAX_RECORDS = 500;

function localStorageOf(win) {
  try {
    return win?.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Saves records under this page's key (replacing what this page saved before). Returns true when saved. */
export function writeJournal(win, pageKey, records) {
  const ls = localStorageOf(win);
  if (!ls || records.length === 0) return false;
  try {
    ls.setItem(PREFIX + pageKey, JSON.stringify(records.slice(-MAX_RECORDS)));
    return true;
  } catch {
    return false; // quota or blocked storage: the IndexedDB attempt is all we have
  }
}

/** Removes this page's journal (its events were committed after all). */
export function dropJournal(win, pageKey) {
  try {
    localStorageOf(win)?.removeItem(PREFIX + pageKey);
  } catch {
    // nothing to drop
  }
}

/** Reads and removes every page's journal. Returns the valid records, oldest first. */
export function takeJournals(win) {
  return readJournals(win, { remove: true });
}

/** Every page's journal, the valid records oldest first; `remove` also deletes them. */
export function readJournals(win, { remove = false } = {}) {
  const ls = localStorageOf(win);
  if (!ls) return [];
  const records = [];
  try {
    const keys = [];
    for (let i = 0; i < ls.length; ++i) if (ls.key(i)?.startsWith(PREFIX)) keys.push(ls.key(i));
    for (const key of keys) {
      const raw = ls.getItem(key);
      if (remove) ls.removeItem(key);
      let parsed;
      try {
        parsed = JSON.parse(raw);
      } catch {
        continue; // a damaged journal is dropped
      }
      if (!Array.isArray(parsed)) continue;
      for (const value of parsed) {
        const record = validRecord(value);
        if (record) records.push(record);
      }
    }
  } catch {
    // storage became unavailable midway: keep what was read
  }
  return records.sort((a, b) => a.t - b.t);
}

/** The records not already present in `stored` (same content and time means the same event). */
export function notYetStored(records, stored) {
  const seen = new Set(stored.map((r) => JSON.stringify(r)));
  return records.filter((r) => !seen.has(JSON.stringify(r)));
}

/** Moves the journals left by earlier pages into `store` (storage.mjs), skipping events it already holds. */
export async function recoverJournals(win, store, { lookBack = 100 } = {}) {
  const journaled = takeJournals(win);
  if (journaled.length === 0) return;
  const stored = await store.recent(journaled.length + lookBack);
  await store.append(notYetStored(journaled, stored));
}

/** The newest `limit` events: the stored ones and those not written yet (a batch written meanwhile counted once). */
export function withUnsaved(stored, unsaved, limit) {
  const events = [...stored, ...notYetStored(unsaved, stored)];
  return events.slice(Math.max(0, events.length - limit));
}
