// The vault: the shopper's history behind an origin that the shop's page scripts cannot open.
//
// When vitrine.js is served from its own origin (a subdomain such as vitrine.shop.example), the page's modules put
// vault.html from that origin in a hidden iframe (vault_client.mjs). The events, the ranking worker and the
// IndexedDB database live in that frame; storage is partitioned by origin, so an analytics, ad or replay script on
// the shop's page can read none of it. The page hands the vault what it captures and the listings it shows, and
// gets back each listing's new order and nothing else: no scores, no reasons, no profile, no export. Seeing and
// erasing the history is the shopper's, in panel.html, Vitrine's own frame (panel.mjs).
//
// Protocol, on the MessagePort the page transfers with its connect message (window.postMessage to this frame):
//   page -> vault  { type: 'vitrine-connect', v: 1, config }        config: normalizeConfig() fields the vault uses
//   vault -> page  { type: 'hello', v: 1, optedOut, storage }       once; optedOut: the shopper's opt-out, kept here
//   page -> vault  { v: 1, id, type: 'append', records }          -> { v: 1, id, type: 'appended', stored }
//                  { v: 1, id, type: 'warm' }                     -> { v: 1, id, type: 'warm', model }
//                  { v: 1, id, type: 'rank', candidates, nowMs, blend?, diversity? }
//                                                                  -> { v: 1, id, type: 'ranked', order, history }
//                  { v: 1, id, type: 'slots', slots: [{ variants: string[][], fallback }] }  (slots.mjs describeSlot)
//                                                                  -> { v: 1, id, type: 'chosen', choices, history }
//                  { v: 1, id, type: 'erase' }                    -> { v: 1, id, type: 'erased', erased }  (consent withdrawn)
//                  { v: 1, id, type: 'opt-out' }                  -> { v: 1, id, type: 'opted-out', saved, erased }
//                  anything else (a profile request)              -> { v: 1, id, type: 'error', code: 'PRIVATE' }
//   vault -> page  { type: 'notice', what: 'cleared' | 'opted-out' }  the shopper acted in the panel or another tab
// `history` is 0 when nothing is stored (the page then keeps the shop's order and says 'no-history').
//
// What the page can still learn is the order of listings and the variant of slots it asks about; ORACLE_BUDGET bounds
// how many it may ask for, across the shop's tabs, so crafted listings cannot walk the history (README, threat model).
import { normalizeConfig } from './config.mjs';
import { validRecord } from './events.mjs';
import { recoverJournals, writeJournal, dropJournal, withUnsaved } from './journal.mjs';
import { OPT_OUT_KEY, readOptOut, writeOptOut, eraseWebStorageKeys, browserOptOutSignal } from './privacy.mjs';
import { PROTOCOL_VERSION, MAX_CANDIDATES } from './ranking_service.mjs';
import { chooseIndex } from './slots.mjs';

/** At most `count` rankings per `windowMs` for the shop's origin, all tabs together. */
export const ORACLE_BUDGET = Object.freeze({ count: 30, windowMs: 60_000 });
const BUDGET_KEY = 'vitrine.rankings';
const MAX_APPEND = 500; // records per append message: a page flushes far fewer
const MAX_SLOTS = 50;

/**
 * Whether a page of `pageOrigin` may use the vault at `vaultOrigin`: the same host, or hosts under one parent domain
 * (www.shop.example and vitrine.shop.example, or shop.example and vitrine.shop.example). Browsers that partition
 * storage by top-level site give a foreign embedder an empty history anyway; this refuses it outright.
 */
export function sameShop(pageOrigin, vaultOrigin) {
  let page;
  let vault;
  try {
    page = new URL(pageOrigin);
    vault = new URL(vaultOrigin);
  } catch {
    return false;
  }
  if (page.protocol !== vault.protocol) return false;
  const a = page.hostname;
  const b = vault.hostname;
  if (a === b) return true;
  if (/^[\d.]+$|:/.test(a) || /^[\d.]+$|:/.test(b)) return false; // IP addresses: only the same one
  const parent = (host) => host.slice(host.indexOf('.') + 1);
  if (b.endsWith(`.${a}`) && a.includes('.')) return true;
  return parent(a).includes('.') && parent(a) === parent(b);
}

/** Takes one ranking from the origin's budget; false when it is spent. Blocked storage: this frame's own count. */
export function spendOracleBudget(win, nowMs, memory, budget = ORACLE_BUDGET) {
  let times = memory.times ?? [];
  let ls = null;
  try {
    ls = win.localStorage;
    const parsed = JSON.parse(ls.getItem(BUDGET_KEY) ?? '[]');
    if (Array.isArray(parsed)) times = parsed.filter((t) => Number.isFinite(t));
  } catch {
    ls = null;
  }
  times = times.filter((t) => t > nowMs - budget.windowMs && t <= nowMs);
  if (times.length >= budget.count) return false;
  times.push(nowMs);
  memory.times = times;
  try {
    ls?.setItem(BUDGET_KEY, JSON.stringify(times));
  } catch {
    // the in-memory count still holds for this frame
  }
  return true;
}

/**
 * Serves one page over `port`. `deps`: openStore(options) (storage.mjs), deleteHistory(dbName) (storage.mjs
 * deleteDatabase), makeRankingClient(config) (a RankingClient on this origin's worker, or null without a model),
 * win (this frame's window), now().
 * Resolves once the hello is sent; returns a stop function.
 */
export async function serveVault(port, rawConfig, deps) {
  const { win } = deps;
  const now = deps.now ?? Date.now;
  const config = normalizeConfig(rawConfig ?? {}, win.location?.href);
  const pageKey = deps.pageKey ?? randomKey(win);
  let store = null;
  let client = null;
  let inFlight = []; // records handed to the store and not committed yet
  let stopped = false;
  const memory = {};
  const cleanups = [];

  const post = (message) => {
    try {
      port.postMessage(message);
    } catch {
      // the page is gone
    }
  };
  const stop = () => {
    stopped = true;
    for (const undo of cleanups.splice(0)) undo();
    client?.terminate();
    client = null;
    store?.close();
  };

  if (readOptOut(win) || browserOptOutSignal(win.navigator, win)) {
    eraseWebStorageKeys(win);
    await deps.deleteHistory?.(config.dbName); // an opt-out means nothing of ours is kept
    post({ type: 'hello', v: PROTOCOL_VERSION, optedOut: true, storage: 'none' });
    return stop;
  }
  store = await deps.openStore({
    name: config.dbName,
    limits: { maxEvents: config.maxEvents, maxBytes: config.maxBytes, retentionDays: config.retentionDays },
  });
  try {
    await recoverJournals(win, store, { lookBack: config.rankEvents });
  } catch {
    // the journal's events are lost; the stored history is intact
  }
  cleanups.push(store.onChange(({ type, remote }) => {
    if (type === 'cleared' && remote) post({ type: 'notice', what: 'cleared' });
  }));
  const onStorage = (event) => {
    if (event.key === OPT_OUT_KEY && event.newValue === '1') {
      post({ type: 'notice', what: 'opted-out' });
      stop();
    }
  };
  win.addEventListener?.('storage', onStorage);
  cleanups.push(() => win.removeEventListener?.('storage', onStorage));
  // The page is leaving, and this frame with it: what is not committed yet goes to the journal (journal.mjs).
  const onPageHide = () => writeJournal(win, pageKey, inFlight.flat());
  win.addEventListener?.('pagehide', onPageHide);
  cleanups.push(() => win.removeEventListener?.('pagehide', onPageHide));

  async function append(values) {
    if (!Array.isArray(values) || values.length > MAX_APPEND) throw new VaultError('BAD_REQUEST', `records must be an array of at most ${MAX_APPEND}`);
    const nowMs = now();
    const records = values.map((v) => validRecord(v, nowMs)).filter((r) => r !== null);
    inFlight.push(records);
    try {
      await store.append(records);
      if (inFlight.length === 1) dropJournal(win, pageKey);
    } finally {
      inFlight = inFlight.filter((b) => b !== records);
    }
    return { type: 'appended', stored: records.length };
  }

  async function rank(msg) {
    const events = await recentEvents();
    if (events.length === 0) return { type: 'ranked', order: [], history: 0 };
    if (!Array.isArray(msg.candidates) || msg.candidates.length < 1 || msg.candidates.length > MAX_CANDIDATES) {
      throw new VaultError('BAD_REQUEST', `candidates must be an array of 1 to ${MAX_CANDIDATES}`);
    }
    if (!spendOracleBudget(win, now(), memory)) throw budgetSpent();
    const reply = await rankingClient().rank({ events, candidates: msg.candidates, nowMs: Number(msg.nowMs) || now(),
      explainTop: 0, blend: msg.blend, diversity: msg.diversity });
    // The order only: scores and reasons would tell the page more about the history than the order shows.
    return { type: 'ranked', order: reply.order, history: events.length };
  }

  // Each slot's variant from the profile, computed here: the page learns which variant shows, as it sees it anyway.
  async function chooseSlots(slots) {
    if (!Array.isArray(slots) || slots.length < 1 || slots.length > MAX_SLOTS) throw new VaultError('BAD_REQUEST', `slots must be an array of 1 to ${MAX_SLOTS}`);
    const events = await recentEvents();
    if (events.length === 0) return { type: 'chosen', choices: slots.map(() => null), history: 0 };
    if (!spendOracleBudget(win, now(), memory)) throw budgetSpent();
    const { profile } = await rankingClient().profile({ events, nowMs: now() });
    // The index only: which of its categories fit, and how well, stays here.
    return { type: 'chosen', choices: slots.map((slot) => chooseIndex(slot, profile)?.index ?? null), history: events.length };
  }

  // The page's consent was withdrawn: what was kept goes. Any script may ask, since it only protects the shopper;
  // reading the history, or opting back in, is the panel's, by the shopper.
  async function erase() {
    inFlight = [];
    const erased = await store.clear();
    eraseWebStorageKeys(win);
    return { type: 'erased', erased };
  }

  // Any page script may opt the shopper out (it only protects them).
  async function optOut() {
    const saved = writeOptOut(true, win);
    const { erased } = await erase();
    setTimeout(stop, 0); // after the reply
    return { type: 'opted-out', saved, erased };
  }

  async function recentEvents() {
    return withUnsaved(await store.recent(config.rankEvents), inFlight.flat(), config.rankEvents);
  }

  function rankingClient() {
    client ??= deps.makeRankingClient(config);
    if (!client) throw new VaultError('NO_MODEL', 'no model is configured, or this browser cannot run it');
    return client;
  }

  async function handle(msg) {
    if (!msg || typeof msg !== 'object' || msg.v !== PROTOCOL_VERSION) throw new VaultError('BAD_REQUEST', 'not a vault request');
    if (msg.type === 'append') return append(msg.records);
    if (msg.type === 'warm') {
      const { ready, model } = await rankingClient().warm();
      if (!ready) throw new VaultError('MODEL', 'the engine or the model could not be loaded');
      return { type: 'warm', model };
    }
    if (msg.type === 'rank') return rank(msg);
    if (msg.type === 'opt-out') return optOut();
    if (msg.type === 'erase') return erase();
    if (msg.type === 'slots') return chooseSlots(msg.slots);
    throw new VaultError('PRIVATE', `'${String(msg.type).slice(0, 20)}' is not offered to the page: the shopper's data is shown in Vitrine's own panel`);
  }

  port.onmessage = async (event) => {
    const id = event.data?.id;
    if (stopped) return;
    try {
      post({ v: PROTOCOL_VERSION, id, ...(await handle(event.data)) });
    } catch (e) {
      post({ v: PROTOCOL_VERSION, id, type: 'error', code: e?.code ?? 'VAULT', message: String(e?.message ?? e) });
    }
  };
  post({ type: 'hello', v: PROTOCOL_VERSION, optedOut: false, storage: store.backend });
  return stop;
}

function budgetSpent() {
  return new VaultError('BUDGET', `more than ${ORACLE_BUDGET.count} rankings in ${ORACLE_BUDGET.windowMs / 1000} s; the page keeps the shop's order`);
}

class VaultError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function randomKey(win) {
  const bytes = new Uint8Array(8);
  win.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
