// The page's event pipeline: each event the page records is checked once (events.mjs toRecord), queued, and written
// to the store in batches, one transaction each, or posted to the vault at once. The first stage of
// event -> store -> profile -> features -> model -> order -> DOM.
import { toRecord } from './events.mjs';
import { writeJournal, dropJournal } from './journal.mjs';

const FLUSH_DELAY_MS = 250; // short: most events are committed long before the shopper leaves
const BATCH_EVENTS = 50; // a burst this long is written at once

/**
 * @param {object} options
 * @param {Window} options.win
 * @param {{warn: Function}} options.log
 * @param {boolean} options.toVault the history is kept by the vault (vault_client.mjs): batches are posted to it
 * @param {() => boolean} options.isRunning events are recorded only while Vitrine runs on the page
 * @param {() => object|null} options.store the store once open (storage.mjs, or the vault's side of it)
 * @param {() => Promise<object>} options.openStore opens it (once) and resolves with it
 * @param {() => void} options.onCommitted a batch reached the store (what was derived from the history is stale)
 */
export function createEventPipeline({ win, log, toVault, isRunning, store, openStore, onCommitted }) {
  let pending = []; // recorded, not handed to the store yet
  let inFlight = []; // batches handed to the store and not committed yet
  let timer = null;
  let flushing = Promise.resolve();
  const pageKey = randomKey(win); // this page's journal entry (journal.mjs)

  /** Checks and queues one event; false (with a warning) when it is malformed or Vitrine does not run. */
  function enqueue(input) {
    if (!isRunning()) return false;
    const { record, error } = toRecord(input, Date.now());
    if (error) {
      log.warn(`event ignored: ${error}`);
      return false;
    }
    pending.push(record);
    if (pending.length >= BATCH_EVENTS) void flush();
    // The vault writes each message in one transaction: a burst of events still goes as one, but at once, since a
    // message posted as the page leaves may not reach the vault frame before it unloads too.
    else if (timer === null) timer = setTimeout(() => void flush(), toVault ? 0 : FLUSH_DELAY_MS);
    return true;
  }

  /** Writes queued events in one transaction. Chained so two flushes never interleave. */
  function flush() {
    clearTimeout(timer);
    timer = null;
    if (toVault) return sendToVault();
    flushing = flushing.then(async () => {
      if (pending.length === 0 || !isRunning()) return;
      const batch = pending;
      pending = [];
      inFlight.push(batch);
      try {
        await (store() ?? (await openStore())).append(batch);
        onCommitted();
        // Committed after all (e.g. the page came back from the back/forward cache): its journal is redundant.
        if (inFlight.length === 1 && pending.length === 0) dropJournal(win, pageKey);
      } catch (e) {
        log.warn('could not store events', e);
      } finally {
        inFlight = inFlight.filter((b) => b !== batch);
      }
    });
    return flushing;
  }

  /**
   * Posts queued events to the vault at once, without waiting for its answer to the last batch: the channel keeps
   * their order, and a batch held back behind an answer would be lost if the page left meanwhile.
   */
  function sendToVault() {
    if (pending.length === 0 || !isRunning()) return flushing;
    const batch = pending;
    pending = [];
    const open = store();
    const sent = (open ? open.append(batch) : openStore().then((s) => s.append(batch))).catch((e) =>
      log.warn('could not store events', e)
    );
    flushing = Promise.all([flushing, sent]).then(() => {});
    return flushing;
  }

  /**
   * Pagehide: an IndexedDB write may die with the page, so uncommitted events also go to the journal. With the vault,
   * the events go to it now, and the vault journals them on its own origin: none is written to the page's storage.
   */
  function saveBeforeLeaving() {
    if (!isRunning()) return;
    if (!toVault) writeJournal(win, pageKey, unsaved());
    void flush(); // may still commit; if both land, the next page skips the duplicates
  }

  /** Events recorded and not committed yet, oldest first: a ranking reads them beside the store's. */
  function unsaved() {
    return [...inFlight.flat(), ...pending];
  }

  return {
    enqueue,
    flush,
    saveBeforeLeaving,
    unsaved,
    /** Resolves when the writes already started are done. */
    settled: () => flushing,
    /** Drops what is queued and not handed to the store yet (forget(), consent withdrawn). */
    discard() {
      pending = [];
    },
    /** No more timed flush (Vitrine stops). */
    stop() {
      clearTimeout(timer);
      timer = null;
    },
  };
}

function randomKey(win) {
  try {
    const bytes = new Uint8Array(8);
    win.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  }
}
