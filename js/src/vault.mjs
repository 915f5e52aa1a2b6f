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
//   page -> vault  { type: 'vitrine-connect', v: 1, config }        config: normalizeConfig() fields the vault uses,
//                                                                  and consentBasis: 'signal' when the page's consent
//                                                                  manager granted consent
//   vault -> page  { type: 'hello', v: 1, optedOut, storage, consent } once; optedOut: the shopper's opt-out, kept
//                                                                  here; consent: 'granted', or else the answer to
//                                                                  Vitrine's own prompt so far, 'ask' or 'refused'
//                                                                  (nothing is opened or kept until 'granted')
//   page -> vault  { v: 1, id, type: 'consent', basis: 'signal' }  -> { v: 1, id, type: 'consent', storage }
//   page -> vault  { v: 1, id, type: 'append', records }          -> { v: 1, id, type: 'appended', stored }
//                  { v: 1, id, type: 'warm' }                     -> { v: 1, id, type: 'warm', model }
//                  { v: 1, id, type: 'rank', candidates, nowMs, blend?, diversity?, rankBy?,
//                                   explainTop?                    -> { v: 1, id, type: 'ranked', order, history, ticket?,
//                                                                       rankBy? }  rankBy (rank_by.mjs): what the order
//                                                                  was made by, 'relevance' when the model cannot rank
//                                                                  by conversion (a fact about the model, not the shopper)
//                  { v: 1, id, type: 'slots', slots: [{ variants: string[][], fallback }] }  (slots.mjs describeSlot)
//                                                                  -> { v: 1, id, type: 'chosen', choices, history }
//                  { v: 1, id, type: 'erase' }                    -> { v: 1, id, type: 'erased', erased }  (consent withdrawn)
//                  { v: 1, id, type: 'opt-out' }                  -> { v: 1, id, type: 'opted-out', saved, erased }
//                  anything else (a profile request)              -> { v: 1, id, type: 'error', code: 'PRIVATE' }
//   vault -> page  { type: 'notice', what: 'cleared' | 'opted-out' }  the shopper acted in the panel or another tab
//                  { type: 'notice', what: 'consent-granted' | 'consent-refused' }  answered Vitrine's prompt
//   Before consent, every request but 'consent', 'erase' and 'opt-out'  -> { type: 'error', code: 'CONSENT' }
// `history` is 0 when nothing is stored (the page then keeps the shop's order and says 'no-history').
// `ticket` names the reasons of the top `explainTop` items, kept here (the last TICKETS_KEPT rankings): the page's
// "why?" button opens why.html of this origin, which asks for one item's reason on WHY_CHANNEL (why.mjs), a channel
// of this origin that page scripts cannot join. The page itself never receives a reason.
//
// What the page can still learn is the leading items of the listings (ORDER_SHOWN) and the variant of the slots it asks
// about; ORACLE_BUDGET bounds how many it may ask for, across the shop's tabs, so crafted listings cannot walk the
// history (README, threat model).
import { normalizeConfig } from './config.mjs';
import { validRecord } from './events.mjs';
import { recoverJournals, writeJournal, dropJournal, withUnsaved } from './journal.mjs';
import {
  OPT_OUT_KEY,
  CONSENT_KEY,
  readOptOut,
  writeOptOut,
  readConsentAnswer,
  forgetConsentAnswer,
  eraseWebStorageKeys,
  browserOptOutSignal,
} from './privacy.mjs';
import { CONSENT_NOT_REQUIRED } from './consent.mjs';
import { PROTOCOL_VERSION, MAX_CANDIDATES } from './ranking_service.mjs';
import { RANK_BY } from './rank_by.mjs';
import { chooseIndex } from './slots.mjs';
import { WHY_CHANNEL } from './why.mjs';

/** At most `count` rankings per `windowMs` for the shop's origin, all tabs together. */
export const ORACLE_BUDGET = Object.freeze({ count: 30, windowMs: 60_000 });
const BUDGET_KEY = 'vitrine.rankings';
const MAX_APPEND = 500; // records per append message: a page flushes far fewer
const MAX_SLOTS = 50;
// Coarsened answers: the leading items of a listing's order, the rest staying in the shop's order on the page. A
// listing of hundreds of crafted candidates then shows which few the history favours, not how it ranks them all.
export const ORDER_SHOWN = 24;
const MAX_EXPLAIN = ORDER_SHOWN; // reasons only for what is shown moved
const TICKETS_KEPT = 16;

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
  const tickets = new Map(); // ticket -> the reasons of one ranking, by item id (a Map: ids come from the page)

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
  // Nothing is opened, and nothing kept, before consent: the shop's tag says none is needed, the page's consent
  // manager granted it (the page says so; README, threat model), or the shopper said yes in Vitrine's own prompt.
  const pageGrants = config.consent === CONSENT_NOT_REQUIRED || rawConfig?.consentBasis === 'signal';
  let opening = null;
  const begin = () => {
    opening ??= (async () => {
      const opened = await deps.openStore({
        name: config.dbName,
        limits: { maxEvents: config.maxEvents, maxBytes: config.maxBytes, retentionDays: config.retentionDays },
      });
      try {
        await recoverJournals(win, opened, { lookBack: config.rankEvents });
      } catch {
        // the journal's events are lost; the stored history is intact
      }
      cleanups.push(
        opened.onChange(({ type, remote }) => {
          if (type !== 'cleared' || !remote) return;
          tickets.clear(); // erased in the panel or another tab: no reason drawn from that history is told any more
          post({ type: 'notice', what: 'cleared' });
        })
      );
      store = opened;
      return opened;
    })();
    return opening;
  };
  const onStorage = (event) => {
    if (event.key === OPT_OUT_KEY && event.newValue === '1') {
      post({ type: 'notice', what: 'opted-out' });
      stop();
    } else if (event.key === CONSENT_KEY && opening === null && !stopped) {
      // The shopper answered Vitrine's prompt (panel.html?view=consent), in this tab or another.
      if (event.newValue === 'granted') void begin().then(() => post({ type: 'notice', what: 'consent-granted' }));
      else if (event.newValue === 'refused') post({ type: 'notice', what: 'consent-refused' });
    }
  };
  win.addEventListener?.('storage', onStorage);
  cleanups.push(() => win.removeEventListener?.('storage', onStorage));
  const Channel = deps.BroadcastChannel ?? win.BroadcastChannel;
  if (typeof Channel === 'function') {
    const channel = new Channel(WHY_CHANNEL);
    channel.onmessage = (event) => {
      const { type, ticket, item } = event.data ?? {};
      const reasons = type === 'why-ask' ? tickets.get(ticket) : undefined;
      if (!reasons) return; // another tab's ticket, or one dropped
      const reason = reasons.get(String(item)) ?? null;
      channel.postMessage({ type: 'why-answer', ticket, item, reason });
    };
    cleanups.push(() => channel.close());
  }
  // The page is leaving, and this frame with it: what is not committed yet goes to the journal (journal.mjs).
  const onPageHide = () => writeJournal(win, pageKey, inFlight.flat());
  win.addEventListener?.('pagehide', onPageHide);
  cleanups.push(() => win.removeEventListener?.('pagehide', onPageHide));

  async function append(values) {
    if (!Array.isArray(values) || values.length > MAX_APPEND)
      throw new VaultError('BAD_REQUEST', `records must be an array of at most ${MAX_APPEND}`);
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
    if (msg.rankBy !== undefined && !RANK_BY.includes(msg.rankBy)) {
      throw new VaultError('BAD_REQUEST', `rankBy must be one of ${RANK_BY.join(', ')}`);
    }
    if (!spendOracleBudget(win, now(), memory)) throw budgetSpent();
    const explainTop = Number.isInteger(msg.explainTop) ? Math.min(Math.max(msg.explainTop, 0), MAX_EXPLAIN) : 0;
    const reply = await rankingClient().rank({
      events,
      candidates: msg.candidates,
      nowMs: Number(msg.nowMs) || now(),
      explainTop,
      blend: msg.blend,
      diversity: msg.diversity,
      rankBy: msg.rankBy,
    });
    // The order only: scores and reasons would tell the page more about the history than the order shows. The
    // reasons stay here, under a ticket, for the why.html frame the shopper opens.
    const ticket = explainTop > 0 ? keepReasons(reply.reasons) : undefined;
    return {
      type: 'ranked',
      order: reply.order.slice(0, ORDER_SHOWN),
      history: events.length,
      ...(ticket ? { ticket } : {}),
      ...(RANK_BY.includes(reply.rankBy) ? { rankBy: reply.rankBy } : {}),
    };
  }

  function keepReasons(reasons) {
    const byItem = new Map();
    for (const [id, r] of Object.entries(reasons ?? {})) {
      byItem.set(id, {
        factors: Array.isArray(r?.factors) ? r.factors : null,
        text: typeof r?.text === 'string' ? r.text : null,
      });
    }
    const ticket = randomKey(win);
    tickets.set(ticket, byItem);
    for (const old of tickets.keys()) {
      if (tickets.size <= TICKETS_KEPT) break;
      tickets.delete(old);
    }
    return ticket;
  }

  // Each slot's variant from the profile, computed here: the page learns which variant shows, as it sees it anyway.
  async function chooseSlots(slots) {
    if (!Array.isArray(slots) || slots.length < 1 || slots.length > MAX_SLOTS)
      throw new VaultError('BAD_REQUEST', `slots must be an array of 1 to ${MAX_SLOTS}`);
    const events = await recentEvents();
    if (events.length === 0) return { type: 'chosen', choices: slots.map(() => null), history: 0 };
    if (!spendOracleBudget(win, now(), memory)) throw budgetSpent();
    const { profile } = await rankingClient().profile({ events, nowMs: now() });
    // The index only: which of its categories fit, and how well, stays here.
    return {
      type: 'chosen',
      choices: slots.map((slot) => chooseIndex(slot, profile)?.index ?? null),
      history: events.length,
    };
  }

  // The page's consent was withdrawn: what was kept goes. Any script may ask, since it only protects the shopper;
  // reading the history, or opting back in, is the panel's, by the shopper.
  async function erase() {
    inFlight = [];
    tickets.clear();
    forgetConsentAnswer(win); // consent withdrawn: Vitrine's prompt asks again
    const erased = store ? await store.clear() : await (deps.deleteHistory?.(config.dbName) ?? true);
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
    if (!msg || typeof msg !== 'object' || msg.v !== PROTOCOL_VERSION)
      throw new VaultError('BAD_REQUEST', 'not a vault request');
    if (msg.type === 'consent') {
      // Granted by the page's consent manager after this page first asked for the prompt's answer.
      if (msg.basis !== 'signal')
        throw new VaultError('BAD_REQUEST', "consent is given by the page's consent manager or in Vitrine's prompt");
      return { type: 'consent', storage: (await begin()).backend };
    }
    // An opt-out and an erasure only protect the shopper: any page may ask, consent or not.
    if (msg.type === 'opt-out') return optOut();
    if (msg.type === 'erase') return erase();
    if (!store) throw new VaultError('CONSENT', 'nothing is kept or ranked before consent');
    if (msg.type === 'append') return append(msg.records);
    if (msg.type === 'warm') {
      const { ready, model } = await rankingClient().warm();
      if (!ready) throw new VaultError('MODEL', 'the engine or the model could not be loaded');
      return { type: 'warm', model };
    }
    if (msg.type === 'rank') return rank(msg);
    if (msg.type === 'slots') return chooseSlots(msg.slots);
    throw new VaultError(
      'PRIVATE',
      `'${String(msg.type).slice(0, 20)}' is not offered to the page: the shopper's data is shown in Vitrine's own panel`
    );
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
  const answer = readConsentAnswer(win);
  if (pageGrants || answer === 'granted') {
    post({ type: 'hello', v: PROTOCOL_VERSION, optedOut: false, storage: (await begin()).backend, consent: 'granted' });
  } else {
    post({ type: 'hello', v: PROTOCOL_VERSION, optedOut: false, storage: 'none', consent: answer ?? 'ask' });
  }
  return stop;
}

function budgetSpent() {
  return new VaultError(
    'BUDGET',
    `more than ${ORACLE_BUDGET.count} rankings in ${ORACLE_BUDGET.windowMs / 1000} s; the page keeps the shop's order`
  );
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
