// The controller: privacy and consent first, then storage, capture, ranking in the worker, reordering and slots.
// Data flows one way: event -> store -> (worker: profile, features, model) -> order -> DOM.
// Every public method catches everything: a failure leaves the page as the merchant rendered it and logs at most
// one console warning per page (log.mjs).
import { normalizeConfig } from './config.mjs';
import { createLogger } from './log.mjs';
import {
  browserOptOutSignal,
  readOptOut,
  writeOptOut,
  eraseWebStorageKeys,
  OPT_OUT_KEY,
  readConsentAnswer,
  writeConsentAnswer,
  forgetConsentAnswer,
} from './privacy.mjs';
import { createEventPipeline } from './event_pipeline.mjs';
import { deleteDatabase, openStore, SCHEMA_VERSION } from './storage.mjs';
import { Capture } from './capture.mjs';
import { ATTR, readCandidates, listEntries, listingRules } from './dom.mjs';
import { DEFAULT_RANK_BY } from './rank_by.mjs';
import { applyOrder, onOrAboveScreen, watchShopper, writeReasons } from './reorder.mjs';
import { chooseVariant, applySlot, slotVariants, describeSlot } from './slots.mjs';
import { RankingClient } from './worker_client.mjs';
import { explanationText, isEngineFactors } from './explain.mjs';
import { messagesFor } from './messages.mjs';
import { recentlyViewed, renderWidget, widgetLimit } from './widgets.mjs';
import { MAX_CANDIDATES } from './ranking_service.mjs';
import { createTextLedger, plainText } from './text.mjs';
import { recoverJournals, withUnsaved } from './journal.mjs';
import { createHold, hasPainted } from './hold.mjs';
import { mark, measured } from './marks.mjs';
import { shopperArm, announceExposure } from './arm.mjs';
import { sendDailyReport } from './report.mjs';
import { bridgeDataLayer, itemEvents } from './ga4.mjs';
import {
  openVault,
  adoptVault,
  vaultUrlFor,
  mountPanels,
  mountConsentPrompts,
  removeConsentPrompts,
} from './vault_client.mjs';
import { createWhyButtons } from './why.mjs';
import { watchConsentSignals, CONSENT_REQUIRED, CONSENT_NOT_REQUIRED } from './consent.mjs';

const MIN_CANDIDATES = 2;
const LATE_MS = 50; // a listing shown (not held) longer than this has been painted: with lateReorder 'below-fold', it is late

/**
 * Creates a Vitrine instance for a page. Nothing throws; see js/vitrine.d.ts for the API.
 * @param {object} [options] see config.mjs (model, consent, consentCallback, retentionDays, maxEvents, ...)
 * @param {object} [env] globals, replaceable for tests: window, document, indexedDB, Worker, console
 */
export function createVitrine(options = {}, env = {}) {
  const win = env.window ?? globalThis.window;
  const doc = env.document ?? win?.document;
  const log = createLogger(env.console ?? globalThis.console);
  let config;
  try {
    config = normalizeConfig(options, doc?.baseURI);
  } catch (e) {
    config = normalizeConfig({});
    log.warn('invalid options, using defaults', e);
  }
  if (config.consentMisread !== null) {
    log.warn(
      `data-consent="${config.consentMisread}" is not understood, so consent is required; a shop that needs no consent says data-consent="not-required"`
    );
  }
  if (config.rankByMisread !== null) {
    log.warn(
      `data-rank-by="${config.rankByMisread}" is not understood (relevance, conversion or value); ranking by relevance`
    );
  }
  // Explanations in the page's language (<html lang>): English, German, French or Chinese, else English.
  const messages = messagesFor(doc?.documentElement?.lang);
  const workerUrl = env.workerUrl ?? null; // null: the package's worker.mjs (worker_client.mjs openRankingChannel)
  // Served from its own origin, the package keeps the history in its vault frame there (vault.mjs), out of the page
  // scripts' reach; served from the shop's origin, there is nowhere to hide it (README, threat model).
  const vaultUrl = env.vaultUrl !== undefined ? env.vaultUrl : vaultUrlFor(import.meta.url, win?.location?.origin);
  let vault = null; // { client, hello } once opened: the page's one channel to the vault
  let optedOutInVault = false; // the shopper's opt-out, kept by the vault (its hello, a notice or optOut())
  const limits = { maxEvents: config.maxEvents, maxBytes: config.maxBytes, retentionDays: config.retentionDays };

  let state = 'starting'; // starting | waiting-consent | running | opted-out | stopped
  let consentGiven = false; // by grantConsent() or the consent callback (on the shop's origin only)
  let vaultConsented = false; // the shopper said yes in Vitrine's own prompt (the vault's hello or notice)
  let signals = null; // the page's consent signals (consent.mjs), watched when consent is required
  let store = null;
  let storeOpening = null;
  let capture = null;
  let client = null;
  let rankingDisabled = false;
  let rankByRefused = false; // the model cannot rank by conversion (told once)
  let arm = null; // 'on' | 'off' once started (arm.mjs): 'off' keeps the merchant's order, events are still recorded
  let exposed = false; // the shop's analytics heard this page's arm
  let warming = null; // the worker's warm-up: Promise<{ready, model}>
  let cachedProfile = null;
  let ranking = Promise.resolve(); // every ranking pass, one after the other
  let shopper = null; // watchShopper(): the shopper's own interaction with the listings
  let watchedSince = 0; // when it began watching: a listing already on the page counts as shown from then
  const listSeenAt = new WeakMap(); // listing added later -> when it was seen
  for (const { list, at } of env.early?.seen ?? []) listSeenAt.set(list, at);
  let listObserver = null;
  const explanations = new Map(); // item id or slot name -> text
  const written = createTextLedger(); // what Vitrine wrote into the page, to take back
  let why = null; // the "why?" buttons (why.mjs), from the first ranking on
  const slotShownBefore = new Map(); // slot -> the variant the shop showed before Vitrine chose one
  const widgetUndo = new Map(); // widget -> takes back what Vitrine rendered in it
  const ranked = new WeakSet();
  const shopPositions = new WeakMap(); // list -> its items' positions as the shop rendered them
  const cleanups = [];
  // Listings seen before their first paint stay invisible until ranked, at most config.holdMs (hold.mjs).
  const early = env.early ?? null; // what the one-tag loader started (vitrine.js)
  let earlyChannel = early?.channel ?? null;
  // The engine and the model are loaded: a ranking now takes milliseconds, so a new listing is worth holding.
  let engineWarm = early?.engineReady === true;
  const hold = win && doc ? createHold(win, doc, { capMs: config.holdMs, now, prior: early }) : null;
  const seenPainted = new WeakSet(); // listings already on the page when it had been painted: a reorder is late
  const pipeline = createEventPipeline({
    win,
    log,
    toVault: Boolean(vaultUrl),
    isRunning: () => state === 'running',
    store: () => store,
    openStore: () => openTheStore(),
    onCommitted: () => {
      cachedProfile = null;
    },
  });

  // ------------------------------------------------------------------------------------------ lifecycle

  function optedOutBy() {
    return browserOptOutSignal(win?.navigator, win) ?? (readOptOut(win) || optedOutInVault ? 'shopper' : null);
  }

  async function boot() {
    if (!win || !doc) return; // not a browser page: stay inert
    if (vaultUrl) mountPanels(doc, vaultUrl); // in every state: an opted-out shopper turns it back on there
    const reason = optedOutBy();
    if (reason) {
      state = 'opted-out';
      await eraseStoredData(); // an opt-out means nothing of ours is kept
      return;
    }
    if (config.consent === CONSENT_REQUIRED && !signals) signals = watchConsentSignals(win, onConsentSignal);
    // With the vault, no page function grants consent: any script could call or replace it.
    if (config.consentCallback && vaultUrl)
      log.warn(
        "the consentCallback option is not used with the vault: consent comes from the page's consent manager (TCF, Consent Mode) or Vitrine's prompt ([data-vitrine-consent])"
      );
    if (!consentOk() && config.consentCallback && !vaultUrl && signals?.decision !== 'denied') {
      try {
        consentGiven = (await config.consentCallback()) === true;
      } catch (e) {
        log.warn('the consent callback failed; treating it as no consent', e);
      }
    }
    if (!consentOk()) {
      state = 'waiting-consent';
      // With the vault and no consent manager on the page, Vitrine asks in its own frame, and the vault keeps the answer.
      if (vaultUrl && config.consent === CONSENT_REQUIRED && (signals?.decision ?? null) === null) await askInVault();
      return;
    }
    await start();
  }

  async function askInVault() {
    let hello;
    try {
      hello = await vaultConnection().hello;
    } catch (e) {
      log.warn('the vault is unavailable; nothing is recorded and the listing keeps its order', e);
      return;
    }
    if (state !== 'waiting-consent') return;
    if (hello.optedOut) {
      optedOutInVault = true;
      stopEverything('opted-out');
    } else if (hello.consent === 'granted') {
      vaultConsented = true;
      await start();
    } else if (hello.consent === 'ask' && !mountConsentPrompts(doc, vaultUrl)) {
      // The shop's element may come with its own scripts, after Vitrine's: looked for once more when the page has loaded.
      const again = () => {
        if (state === 'waiting-consent' && !mountConsentPrompts(doc, vaultUrl)) {
          log.warn(
            "consent is required and the page has no consent manager; put a [data-vitrine-consent] element on the page for Vitrine's own prompt"
          );
        }
      };
      if (doc.readyState === 'complete') again();
      else win.addEventListener('load', again, { once: true });
    }
  }

  /** Consent fails closed (consent.mjs): a signal that says no, or has not decided yet, wins over grantConsent(). */
  function consentOk() {
    if (config.consent === CONSENT_NOT_REQUIRED) return true;
    const signal = signals?.decision ?? null;
    if (signal === 'denied' || signal === 'pending') return false;
    return signal === 'granted' || consentGiven || vaultConsented;
  }

  function onConsentSignal() {
    if (consentOk()) {
      if (state === 'waiting-consent') void start().catch((e) => log.warn('could not start', e));
    } else if (state === 'running') {
      void withdrawConsent().catch((e) => log.warn('could not erase after consent was withdrawn', e));
    }
  }

  /** Consent withdrawn: capture and ranking stop and what was stored is erased. */
  async function withdrawConsent() {
    const connection = vault;
    vault = null; // with the vault, kept open for the erasure below: stopEverything() would close it
    stopEverything('waiting-consent');
    consentGiven = false;
    vaultConsented = false;
    forgetConsentAnswer(win);
    await pipeline.settled();
    if (connection) await eraseInVault(connection);
    else await eraseStoredData();
    store?.close();
    store = null;
    storeOpening = null;
  }

  async function start() {
    if (state === 'running' || state === 'opted-out' || state === 'stopped') return;
    state = 'running';
    const drawn = shopperArm(win, config.holdout);
    arm = drawn.arm;
    if (!drawn.kept) log.warn('the holdout arm could not be saved (storage is blocked); it holds for this page only');
    // Before anything is awaited: from here on, a listing the shopper uses is never reordered under their hand.
    if (config.autoRank && typeof doc.addEventListener === 'function') {
      shopper = watchShopper(doc, `[${ATTR.list}]`, now);
      watchedSince = now();
      cleanups.push(() => {
        shopper?.stop();
        shopper = null;
      });
      observeNewListings();
      // Already on the page: held if nothing has been painted yet (counted from when they were first seen), else the
      // shopper may have seen them. The store is not open yet: what the loader held is shown now.
      const painted = hasPainted(win);
      for (const list of doc.querySelectorAll(`[${ATTR.list}]`)) {
        if (painted) seenPainted.add(list);
        else holdListing(list, listSeenAt.get(list) ?? watchedSince);
      }
      if (store === null) hold?.releaseAll();
      // The worker, the engine and the model start now, beside the store, not when the first listing asks.
      if (rankable()) void modelReady();
    }
    if (!rankable()) {
      hold?.releaseAll();
      earlyChannel?.terminate();
      earlyChannel = null;
    }
    let s;
    try {
      s = await openTheStore();
    } catch (e) {
      // The vault did not answer or refused this page: nothing can be kept, and nothing is kept anywhere else.
      log.warn('the vault is unavailable; nothing is recorded and the listing keeps its order', e);
      stopEverything('stopped');
      return;
    }
    mark('store');
    if (state !== 'running') return;
    if (s.backend === 'opted-out') {
      stopEverything('opted-out');
      return;
    }
    if (!vaultUrl) {
      try {
        await recoverJournals(win, s, { lookBack: config.rankEvents });
      } catch (e) {
        log.warn('could not recover events saved while leaving the last page', e);
      }
    }
    capture = new Capture({
      document: doc,
      window: win,
      emit: (input) => pipeline.enqueue(input),
      flushNow: () => void pipeline.flush(),
      onPageHide: () => pipeline.saveBeforeLeaving(),
      viewDwellMs: config.viewDwellMs,
      leaveAtBeforeUnload: Boolean(vaultUrl),
    });
    measured('capture', () => capture.start());
    if (config.dataLayer === 'ga4') {
      try {
        cleanups.push(bridgeDataLayer(win, (input) => pipeline.enqueue(input)));
      } catch (e) {
        log.warn('the dataLayer could not be read', e);
      }
    }
    // Another tab's opt-out (localStorage event) stops this tab too.
    const onStorage = (event) => {
      if (event.key === OPT_OUT_KEY && event.newValue === '1') stopEverything('opted-out');
    };
    win.addEventListener('storage', onStorage);
    cleanups.push(() => win.removeEventListener('storage', onStorage));
    // Not awaited: track() and friends must not wait for the model. `ready` waits for it.
    if (config.autoRank) queueRanking(() => personalize(false)).catch(() => {});
    queueRanking(() => fillWidgets()).catch(() => {});
    // After the first ranking pass, so it never competes with the listing.
    if (config.report) queueRanking(() => sendOutcomeReport()).catch(() => {});
  }

  function now() {
    return win.performance?.now?.() ?? Date.now();
  }

  /** Ranking can happen on this page (it may still fail): worth warming the engine and holding listings for. */
  function rankable() {
    return (
      config.autoRank &&
      arm !== 'off' &&
      !rankingDisabled &&
      config.model !== null &&
      typeof win.WebAssembly === 'object'
    );
  }

  /** Starts the worker, the engine and the model once; resolves with the model's version, or null. */
  function modelReady() {
    warming ??= (rankingClient()?.warm() ?? Promise.resolve({ ready: false, model: null })).then((reply) => {
      engineWarm ||= reply.ready;
      return reply;
    });
    return warming;
  }

  /**
   * Once per page, when it shows a listing or a slot: the arm (and in the 'on' arm the model, once the worker has
   * loaded it or failed to) goes to the shop's dataLayer and callback. Both arms announce on the same condition, so
   * comparing them compares like with like.
   */
  function exposeOnce() {
    if (exposed || state !== 'running') return;
    exposed = true;
    const model =
      arm === 'on' && !rankingDisabled && config.model !== null ? modelReady() : Promise.resolve({ model: null });
    void model.then(({ model: version }) => {
      if (state !== 'running') return;
      const problem = announceExposure(win, { arm, model: version }, config.onExposure);
      if (problem) log.warn(problem);
    });
  }

  // Only when a ranking can start at once: the engine warm and the shopper's events readable (the store open).
  // Before, the ranking cannot land within the hold on any machine we measured (bench/page_shift.mjs), and holding
  // only hides the listing, for longer than the cap when the page keeps the main thread busy.
  function holdListing(list, seenAt) {
    if (engineWarm && store !== null && rankable() && state === 'running') hold?.hold(list, seenAt);
  }

  /** Runs a ranking pass after the ones already queued; failures of automatic passes only warn. */
  function queueRanking(pass) {
    const run = ranking.then(pass);
    ranking = run.catch((e) => log.warn('personalization failed', e));
    return run;
  }

  /** Listings the shop renders after start-up (client-side rendering) are ranked as they appear. */
  function observeNewListings() {
    const Observer = win.MutationObserver;
    const root = doc.documentElement ?? doc.body;
    if (typeof Observer !== 'function' || !root) return;
    listObserver = new Observer((records) => measured('notice', () => noteNewListings(records)));
    listObserver.observe(root, { childList: true, subtree: true });
    cleanups.push(() => {
      listObserver?.disconnect();
      listObserver = null;
    });
  }

  function noteNewListings(records) {
    const selector = `[${ATTR.list}]`;
    const at = now();
    let found = false;
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        const lists = node.matches(selector)
          ? [node, ...node.querySelectorAll(selector)]
          : node.querySelectorAll(selector);
        for (const list of lists) {
          if (listSeenAt.has(list)) continue;
          listSeenAt.set(list, at);
          holdListing(list, at); // the observer runs before the browser paints what was just added
          found = true;
        }
      }
    }
    // Until start-up has opened the store, its own first pass (queued once it has) finds these listings.
    if (found && state === 'running' && capture) queueRanking(() => personalize(false)).catch(() => {});
  }

  /** Tells the shop's page what became of a listing (data-vitrine-result, see dom.mjs). */
  function markResult(list, result) {
    try {
      list.setAttribute(ATTR.result, result);
    } catch {
      // a listing that refuses an attribute is still ranked
    }
  }

  function openTheStore() {
    if (vaultUrl) return openTheVault();
    storeOpening ??= openStore({
      indexedDB: env.indexedDB,
      name: config.dbName,
      limits,
      onFallback: (error) => log.warn('IndexedDB is unavailable; events are kept in memory for this page only', error),
    }).then((s) => {
      store = s;
      // forget() in another tab: drop what this tab has not written yet, and what it derived.
      s.onChange(({ type, remote }) => {
        if (type === 'cleared' && remote) clearPageTraces();
      });
      return s;
    });
    return storeOpening;
  }

  /**
   * The vault's side of the store: the page can add events and nothing else. Resolves with a store whose backend
   * is 'vault', or 'opted-out' when the shopper opted out in Vitrine's panel.
   */
  function openTheVault() {
    storeOpening ??= vaultConnection().hello.then(async ({ optedOut, consent }) => {
      optedOutInVault ||= optedOut;
      // This page asked the vault for its prompt's answer first, and the page's consent manager granted it since.
      if (!optedOut && consent !== 'granted' && !vaultConsented) await vaultConnection().client.consent('signal');
      store = {
        backend: optedOut ? 'opted-out' : 'vault',
        append: (records) => vaultConnection().client.append(records),
        close: () => {
          vault?.client.terminate();
          vault = null;
        },
      };
      return store;
    });
    return storeOpening;
  }

  function vaultConnection() {
    if (vault) return vault;
    // The loader's frame if it started one (vitrine.js), else a new one.
    const { channel, hello } = earlyChannel?.vault
      ? adoptVault(earlyChannel, { origin: vaultUrl.origin, timeoutMs: config.modelTimeoutMs })
      : openVault({
          doc,
          url: vaultUrl,
          config,
          timeoutMs: config.modelTimeoutMs,
          consentBasis: signals?.decision === 'granted' ? 'signal' : null,
        });
    if (earlyChannel?.vault) earlyChannel = null;
    const client = new RankingClient({
      workerUrl: null,
      modelUrl: config.model ?? '',
      timeoutMs: config.rankTimeoutMs,
      modelTimeoutMs: config.modelTimeoutMs,
      channel,
      onNotice: (what) => {
        if (what === 'opted-out') {
          optedOutInVault = true;
          stopEverything('opted-out');
        } else if (what === 'cleared') {
          clearPageTraces();
        } else if (what === 'consent-granted' || what === 'consent-refused') {
          removeConsentPrompts(doc);
          vaultConsented = what === 'consent-granted';
          if (vaultConsented && state === 'waiting-consent' && consentOk())
            void start().catch((e) => log.warn('could not start', e));
        }
      },
    });
    vault = { client, hello };
    hello.catch(() => {}); // start() reports it
    return vault;
  }

  function dropDerivedState() {
    pipeline.discard();
    cachedProfile = null;
    explanations.clear();
  }

  function stopEverything(newState) {
    state = newState;
    capture?.stop();
    capture = null;
    client?.terminate();
    client = null;
    vault?.client.terminate();
    vault = null;
    earlyChannel?.terminate();
    earlyChannel = null;
    hold?.releaseAll();
    pipeline.stop();
    for (const undo of cleanups.splice(0)) undo();
    dropDerivedState();
  }

  /** Deletes what is stored. Resolves true once the browser confirmed it, false when it refused or did not say. */
  async function eraseStoredData() {
    dropDerivedState();
    eraseWebStorageKeys(win);
    // The vault erases on its side: on an opt-out, a browser signal it sees, consent withdrawn, or in its panel.
    if (vaultUrl) return false;
    if (store) return store.clear();
    // Never opened here (opted out, waiting for consent): delete without opening, so nothing gets created.
    const idb = env.indexedDB === undefined ? safeIndexedDB() : env.indexedDB;
    if (!idb) return true;
    return deleteDatabase(idb, config.dbName);
  }

  /**
   * Takes back what this page shows of the shopper: explanations written and slot choices go back to the shop's
   * own, and the ranking worker is stopped, which frees its engine (a shared one lives on for other pages, holding
   * nothing of the shopper between requests). The listing keeps its order: moving it again would make it jump.
   */
  function clearPageTraces() {
    dropDerivedState();
    why?.clear();
    written.restoreAll();
    for (const [slot, variant] of slotShownBefore) applySlot(slot, { variant, category: null });
    slotShownBefore.clear();
    for (const undo of widgetUndo.values()) undo();
    widgetUndo.clear();
    client?.terminate();
    client = null;
    earlyChannel?.terminate();
    earlyChannel = null;
  }

  function safeIndexedDB() {
    try {
      return win.indexedDB ?? null;
    } catch {
      return null;
    }
  }

  // ------------------------------------------------------------------------------------------ ranking and slots

  function rankingClient() {
    if (rankingDisabled) return null;
    if (!config.model) {
      rankingDisabled = true;
      log.warn('no model configured (data-model); the listing keeps its order');
      return null;
    }
    if (typeof win.WebAssembly !== 'object') {
      rankingDisabled = true;
      log.warn('WebAssembly is not available; the listing keeps its order');
      return null;
    }
    if (config.modelIntegrity === false) {
      rankingDisabled = true;
      log.warn(
        'data-model-integrity is not sha256-, sha384- or sha512- digests in base64; the model is not loaded and the listing keeps its order'
      );
      return null;
    }
    if (vaultUrl) return vaultConnection().client; // the vault ranks with the history it keeps
    client ??= new RankingClient({
      workerUrl,
      modelUrl: config.model,
      timeoutMs: config.rankTimeoutMs,
      modelTimeoutMs: config.modelTimeoutMs,
      maxModelBytes: config.maxModelBytes,
      modelIntegrity: config.modelIntegrity,
      // An injected Worker (tests) means that worker, never a shared one.
      Worker: env.Worker ?? win.Worker,
      SharedWorker: env.Worker || config.worker !== 'shared' ? null : win.SharedWorker,
      channel: earlyChannel,
    });
    earlyChannel = null;
    return client;
  }

  function rankingFailed(error) {
    rankingDisabled = true; // one failure is enough: do not retry (and warn) on every list
    client?.terminate(); // (the vault keeps recording: it is the store too)
    client = null;
    log.warn('personalization is off for this page; the listing keeps its order', error);
  }

  /**
   * Ranks every listing not ranked yet (or all with force) and fills the slots. An automatic ranking is not applied
   * to a listing the shopper has used since it was shown; a forced one (refresh(), the shop's request at
   * `requestedAt`) is not applied if the shopper used the listing since that request. Either way the listing then
   * stays exactly as the shopper sees it.
   */
  async function personalize(force, requestedAt = now(), watch = shopper) {
    if (state !== 'running') return;
    const lists = Array.from(doc.querySelectorAll(`[${ATTR.list}]`)).filter((l) => force || !ranked.has(l));
    try {
      await rankLists(lists, force, requestedAt, watch);
    } finally {
      // Whatever became of them (ranked, declined, failed), the listings are shown now.
      for (const list of lists) hold?.release(list);
    }
  }

  async function rankLists(lists, force, requestedAt, watch) {
    // Nothing to rank or fill yet (the shop renders its listing later): no store read for a later pass to wait on.
    if (lists.length === 0 && !doc.querySelector(`[${ATTR.slot}]`)) return;
    exposeOnce();
    if (arm === 'off') {
      // The holdout: the merchant's order, no slot choice, nothing read for ranking.
      for (const list of lists) {
        ranked.add(list);
        markResult(list, 'holdout');
      }
      return;
    }
    mark('pass');
    const events = await rankingEvents();
    mark('events');
    if (events !== null && events.length === 0) {
      // Nothing known about this shopper: the merchant's order is the best guess.
      for (const list of lists) markResult(list, 'no-history');
      return;
    }
    for (const list of lists) {
      try {
        if (!(await rankList(list, events, force, requestedAt, watch))) return;
      } finally {
        hold?.release(list);
      }
    }
    await fillSlots(events);
  }

  /**
   * The most recent events, the ones not written yet included, without waiting for their write: a listing that
   * appears with the page's first events (a category visit) is not ranked an IndexedDB commit later.
   */
  async function rankingEvents() {
    if (vaultUrl) {
      await pipeline.flush(); // the vault ranks with what it stored, this page's events included
      return null;
    }
    const unsaved = pipeline.unsaved();
    void pipeline.flush();
    return withUnsaved(await store.recent(config.rankEvents), unsaved, config.rankEvents);
  }

  /** Ranks one listing; false when ranking stopped for the whole page. */
  async function rankList(list, events, force, requestedAt, watch) {
    const candidates = measured('read', () => readCandidates(list));
    if (candidates.length < MIN_CANDIDATES) return true;
    if (candidates.length > MAX_CANDIDATES) {
      // Declined, not failed: this listing keeps its order, smaller ones on the page are still ranked.
      ranked.add(list);
      markResult(list, 'too-large');
      log.warn(`a listing of ${candidates.length} items is over the limit of ${MAX_CANDIDATES}; it keeps its order`);
      return true;
    }
    const rc = rankingClient();
    if (!rc) {
      markResult(list, 'off');
      return true;
    }
    ranked.add(list);
    if (!shopPositions.has(list)) shopPositions.set(list, positions(list));
    // The shop's own places, as it rendered the listing: a later pass reads the listing in Vitrine's order.
    const shopPlace = shopPositions.get(list);
    for (const c of candidates) if (shopPlace.has(c.id)) c.position = shopPlace.get(c.id);
    const rules = listingRules(list);
    const { blend, diversity } = rules;
    const rankBy = rules.rankBy ?? config.rankBy; // the listing's own data-vitrine-rank-by, else the tag's
    const since = force ? requestedAt : (listSeenAt.get(list) ?? watchedSince);
    const isStale = () => watch?.touchedSince(list, since) ?? false;
    if (isStale()) {
      markResult(list, 'shopper-active'); // already in use: not even worth ranking
      return true;
    }
    try {
      mark('rank-sent');
      const reply = await rc.rank({
        events,
        candidates,
        nowMs: Date.now(),
        explainTop: config.rerankDepth,
        blend,
        diversity,
        ...(rankBy === DEFAULT_RANK_BY ? {} : { rankBy }),
      });
      mark('rank-reply');
      if (rankBy !== DEFAULT_RANK_BY && reply.rankBy === DEFAULT_RANK_BY && !rankByRefused) {
        // Ranked all the same, by relevance (ranking_service.mjs): the merchant hears it once.
        rankByRefused = true;
        log.warn(
          `${rules.rankBy ? ATTR.rankBy : 'data-rank-by'}="${rankBy}" needs a model trained on carts or purchases; ranking by relevance`
        );
      }
      engineWarm = true;
      if (state !== 'running') return false;
      if (reply.history === 0) {
        markResult(list, 'no-history'); // the vault holds no history yet
        return true;
      }
      const result = measured('reorder', () => {
        const promoted = reply.order.slice(0, config.rerankDepth);
        // Held: nobody has seen it, the whole listing may move. Otherwise, past LATE_MS it has been painted. A
        // refresh() is the shop's own request to reorder now (a button, a sort option): it moves the whole listing.
        const seen = !force && !hold?.isHeld(list) && (seenPainted.has(list) || now() - since > LATE_MS);
        const late = seen && config.lateReorder === 'below-fold';
        const r = applyOrder(list, promoted, { isStale, keepInPlace: late ? onOrAboveScreen(win) : undefined });
        hold?.release(list); // in the same task as the moves: the listing is first painted in its new order
        if (r.applied) showReasons(list, reply, promoted);
        markResult(list, !r.applied ? 'shopper-active' : r.moved > 0 ? 'reordered' : 'unchanged');
        return r;
      });
      mark('applied');
      await result.settled;
    } catch (e) {
      markResult(list, 'failed');
      rankingFailed(e);
      return false;
    }
    return true;
  }

  /** Item id -> index of its entry in the list (the first, for a repeated id). */
  function positions(list) {
    const at = new Map();
    listEntries(list).forEach((e, i) => {
      if (e.id !== null && !at.has(e.id)) at.set(e.id, i);
    });
    return at;
  }

  // Only the promoted items are explained: the others stand where the shop put them. The engine's own factors are
  // worded here, from where each item stood in the shop's order and stands now, so "moved up" is said only of
  // items that did; another engine's text is shown as it came. A card with a "why?" button shows its reason on the
  // shopper's click (why.mjs); one without gets it written now. With the vault, the page holds no reason: the
  // button's frame asks the vault by the ranking's ticket.
  function showReasons(list, { reasons, ticket }, promoted) {
    const shown = new Map(); // ids come from the page: never used as plain-object keys
    const before = shopPositions.get(list);
    const now = positions(list);
    for (const id of promoted) {
      const from = before?.get(id);
      const to = now.get(id);
      if (vaultUrl) {
        if (typeof ticket === 'string') shown.set(id, { ticket, from, to });
        continue;
      }
      if (!reasons || !Object.hasOwn(reasons, id)) continue;
      const reason = reasons[id];
      const text =
        isEngineFactors(reason.factors) && from !== undefined && to !== undefined
          ? explanationText(reason.factors, { from, to }, messages)
          : reason.text;
      shown.set(id, { text });
      explanations.set(id, text);
    }
    const asked = whyButtons().arm(list, shown);
    if (vaultUrl) return;
    for (const id of asked) shown.delete(id);
    writeReasons(list, shown, written.write);
  }

  function whyButtons() {
    if (!why) {
      why = createWhyButtons(doc, {
        write: written.write,
        restore: written.restore,
        frameUrl: vaultUrl,
        lang: doc.documentElement?.lang,
      });
      cleanups.push(() => {
        why?.clear();
        why?.stop();
        why = null;
      });
    }
    return why;
  }

  /** The one place the shopper profile comes from: the engine, through the worker. */
  async function currentProfile(events) {
    if (cachedProfile) return cachedProfile;
    const rc = rankingClient();
    if (!rc) return null;
    const reply = await rc.profile({ events: events ?? (await store.recent(config.rankEvents)), nowMs: Date.now() });
    cachedProfile = reply.profile;
    return cachedProfile;
  }

  async function fillSlots(events) {
    const slots = Array.from(doc.querySelectorAll(`[${ATTR.slot}]`));
    if (slots.length === 0 || rankingDisabled) return;
    if (vaultUrl) {
      await fillSlotsInVault(slots);
      return;
    }
    let profile;
    try {
      profile = await currentProfile(events);
    } catch (e) {
      // The slots keep the shop's default; the listings are ranked without a profile, so ranking stays on.
      log.warn('no shopper profile; the slots keep their default', e);
      return;
    }
    if (!profile || state !== 'running') return;
    for (const slot of slots) {
      const choice = chooseVariant(slot, profile);
      if (!choice) continue;
      if (!slotShownBefore.has(slot)) slotShownBefore.set(slot, slotVariants(slot).find((v) => !v.hidden) ?? null);
      const text = applySlot(slot, choice, messages);
      const name = slot.getAttribute(ATTR.slot)?.trim();
      if (name && text) explanations.set(name, text);
      const target = choice.variant.querySelector(`[${ATTR.explain}]`);
      if (target && text) written.write(target, text);
    }
  }

  /** With the vault, the profile stays there: it sends back each slot's variant, and no explanation is written. */
  async function fillSlotsInVault(slots) {
    let reply;
    try {
      reply = await vaultConnection().client.chooseSlots(slots.map(describeSlot));
    } catch (e) {
      log.warn('the slots keep their default', e);
      return;
    }
    if (state !== 'running' || !Array.isArray(reply.choices)) return;
    slots.forEach((slot, i) => {
      const variant = Number.isInteger(reply.choices[i]) ? slotVariants(slot)[reply.choices[i]] : undefined;
      if (!variant) return;
      if (!slotShownBefore.has(slot)) slotShownBefore.set(slot, slotVariants(slot).find((v) => !v.hidden) ?? null);
      applySlot(slot, { variant, category: null }, messages);
    });
  }

  /**
   * The shop's widgets ([data-vitrine-widget="recent"], widgets.mjs): the shopper's recently viewed products, without
   * the products this page shows outside its listings. Not in the holdout arm, which sees the shop's page as is.
   */
  async function fillWidgets() {
    const widgets = Array.from(doc.querySelectorAll(`[${ATTR.widget}="recent"]`));
    // With the vault, what the shopper viewed must not be written into the page: not offered there yet.
    if (widgets.length === 0 || arm === 'off' || state !== 'running' || vaultUrl) return;
    const events = await rankingEvents();
    const onPage = new Set(
      Array.from(doc.querySelectorAll(`[${ATTR.item}]`))
        .filter((el) => !el.closest(`[${ATTR.list}], [${ATTR.widget}]`))
        .map((el) => el.getAttribute(ATTR.item))
    );
    const formatPrice = (price) => {
      try {
        return new Intl.NumberFormat(doc.documentElement?.lang || undefined, {
          minimumFractionDigits: 2,
          maximumFractionDigits: 2,
        }).format(price);
      } catch {
        return price.toFixed(2);
      }
    };
    for (const widget of widgets) {
      if (state !== 'running') return;
      const products = recentlyViewed(events, { exclude: onPage, limit: widgetLimit(widget) });
      widgetUndo.get(widget)?.();
      const undo = renderWidget(widget, products, win, { formatPrice });
      if (undo) widgetUndo.set(widget, undo);
      else widgetUndo.delete(widget);
    }
  }

  // ------------------------------------------------------------------------------------------ outcome reports

  /** data-report (report.mjs): one private report a day at most, from the shop's origin only. */
  async function sendOutcomeReport() {
    if (!config.report || state !== 'running' || typeof win.fetch !== 'function' || vaultUrl) return;
    await sendDailyReport({
      win,
      url: config.report,
      arm,
      epsilon: config.reportEpsilon,
      storedEvents: async () => (await store.exportAll()).events,
      isRunning: () => state === 'running',
      log,
    });
  }

  // ------------------------------------------------------------------------------------------ public API

  /**
   * Whether the call comes while the shopper acts on the page (transient user activation: a click or key press in the
   * last few seconds), so that a script running on its own cannot turn Vitrine on. Read before anything is awaited.
   */
  function shopperAsked(name) {
    const active = win?.navigator?.userActivation?.isActive === true;
    if (!active)
      log.warn(`${name}() needs the shopper's click or key press: call it from the handler of the control they used`);
    return active;
  }

  /** With the vault, what reads or erases the history, or opts back in, is the shopper's, in Vitrine's panel. */
  function inVault(name) {
    if (!vaultUrl) return false;
    log.warn(
      `${name}() is not offered to the page while the history is kept in Vitrine's own origin; the shopper uses Vitrine's panel (data-vitrine-panel)`
    );
    return true;
  }

  /** An opt-out protects the shopper, so any script may ask for it: the vault keeps it and erases the history. */
  async function optOutInVault() {
    const connection = state === 'running' || state === 'waiting-consent' ? vaultConnection() : vault;
    vault = null; // kept open for this one request: stopEverything() would close it
    optedOutInVault = true;
    stopEverything('opted-out');
    if (!connection) return false;
    try {
      const reply = await connection.client.optOut();
      if (!reply.saved)
        log.warn('optOut(): the opt-out could not be saved (storage is blocked), so it holds for this page only');
      if (!reply.erased) log.warn('optOut(): the browser did not confirm that the stored events were deleted');
      return reply.saved && reply.erased;
    } finally {
      connection.client.terminate();
    }
  }

  /** Consent withdrawn with the vault: it erases what it kept (an erasure only protects the shopper). */
  async function eraseInVault(connection) {
    try {
      const reply = await connection.client.erase();
      if (!reply.erased) log.warn('the browser did not confirm that the stored events were deleted');
      return reply.erased;
    } catch (e) {
      log.warn('the vault could not erase the stored events', e);
      return false;
    } finally {
      connection.client.terminate();
    }
  }

  /** Wraps an entry point so nothing ever reaches the page: failures warn (once) and return `fallback`. */
  function guarded(name, fallback, fn) {
    return async (...args) => {
      try {
        return await fn(...args);
      } catch (e) {
        log.warn(`${name}() failed`, e);
        return fallback;
      }
    };
  }

  // `started`: privacy, consent and storage settled, capture running. `ready`: also the first ranking attempt done.
  mark('start');
  const started = measured('start', () => boot()).catch((e) => {
    log.warn('could not start', e);
  });
  if (state !== 'running') {
    // Opted out, waiting for consent, not a page: nothing will be ranked now.
    hold?.releaseAll();
    earlyChannel?.terminate();
    earlyChannel = null;
  }

  const api = {
    get ready() {
      return started.then(async () => {
        // Listings rendered just before this call count too, even if the observer has not reported them yet.
        if (listObserver) noteNewListings(listObserver.takeRecords());
        let pass;
        do {
          pass = ranking;
          await pass;
        } while (pass !== ranking);
      });
    },
    track: guarded('track', false, async (event) => {
      await started;
      // GA4-style: one event per item of items[] (ga4.mjs); true when every one was recorded.
      if (Array.isArray(event?.items)) {
        const inputs = itemEvents(event.kind, event.items, event);
        return inputs.length > 0 && inputs.map((input) => pipeline.enqueue(input)).every(Boolean);
      }
      return pipeline.enqueue(event);
    }),
    explain: guarded('explain', null, async (id) => {
      await started;
      const text = explanations.get(String(id));
      return text === undefined ? null : plainText(text);
    }),
    profile: guarded('profile', null, async () => {
      await started;
      if (state !== 'running' || inVault('profile')) return null;
      await pipeline.flush();
      return structuredClone(await currentProfile());
    }),
    exportData: guarded('exportData', null, async () => {
      await started;
      if (inVault('exportData')) return null;
      await pipeline.flush();
      const stored = store ? await store.exportAll() : { schemaVersion: SCHEMA_VERSION, backend: 'none', events: [] };
      return JSON.stringify(
        {
          format: 'vitrine-export',
          exportedAt: new Date().toISOString(),
          state,
          optedOut: readOptOut(win),
          arm,
          storage: stored,
          explanations: Object.fromEntries(explanations),
        },
        null,
        2
      );
    }),
    forget: guarded('forget', false, async () => {
      await started;
      if (inVault('forget')) return false;
      pipeline.discard();
      await pipeline.settled();
      const erased = await eraseStoredData();
      clearPageTraces();
      if (!erased)
        log.warn(
          'forget(): the browser did not confirm that the stored events were deleted (another tab may be holding the database); try again'
        );
      return erased;
    }),
    optOut: guarded('optOut', false, async () => {
      await started;
      if (vaultUrl) return optOutInVault();
      const saved = writeOptOut(true, win);
      stopEverything('opted-out');
      await pipeline.settled();
      const erased = await eraseStoredData();
      clearPageTraces();
      if (!saved)
        log.warn('optOut(): the opt-out could not be saved (storage is blocked), so it holds for this page only');
      if (!erased) log.warn('optOut(): the browser did not confirm that the stored events were deleted');
      return saved && erased;
    }),
    optIn: guarded('optIn', false, async () => {
      const asked = !vaultUrl && shopperAsked('optIn');
      await started;
      if (inVault('optIn') || !asked) return false;
      writeOptOut(false, win);
      if (state !== 'opted-out' || optedOutBy()) return false; // a browser signal (GPC, DNT) still applies
      state = 'starting';
      storeOpening = null;
      store = null;
      rankingDisabled = false;
      await boot();
      return state === 'running' || state === 'waiting-consent';
    }),
    grantConsent: guarded('grantConsent', false, async () => {
      // Remembered from an earlier click on this shop (a consent manager hands it over on every page), or a click now.
      const asked = !vaultUrl && (readConsentAnswer(win) === 'granted' || shopperAsked('grantConsent'));
      await started;
      if (vaultUrl) {
        log.warn(
          "grantConsent() is not offered with the vault: consent comes from the page's consent manager (TCF, Consent Mode) or Vitrine's prompt ([data-vitrine-consent])"
        );
        return false;
      }
      if (!asked) return false;
      consentGiven = true;
      if (config.consent === CONSENT_REQUIRED) writeConsentAnswer('granted', win); // later pages of this shop, no click needed
      if (state === 'waiting-consent' && consentOk()) await start();
      return state === 'running';
    }),
    revokeConsent: guarded('revokeConsent', false, async () => {
      await started;
      consentGiven = false;
      if (config.consent !== CONSENT_REQUIRED) return false;
      await withdrawConsent();
      return true;
    }),
    refresh: guarded('refresh', false, async () => {
      await started;
      const at = now();
      if (state === 'running' && !shopper && typeof doc.addEventListener === 'function') {
        // autoRank off: watch only while this request is computed.
        const watch = watchShopper(doc, `[${ATTR.list}]`, now);
        try {
          await queueRanking(() => personalize(true, at, watch));
        } finally {
          watch.stop();
        }
      } else {
        await queueRanking(() => personalize(true, at));
      }
      return !rankingDisabled && arm !== 'off';
    }),
    status() {
      return {
        state,
        storage: store?.backend ?? 'none',
        ranking: rankingDisabled ? 'off' : 'available',
        // The holdout arm (data-holdout): 'off' keeps the merchant's order. null until started.
        arm,
        // Why personalization is off: the shopper's own choice, or a browser signal that optIn() cannot override.
        optedOutBy: state === 'opted-out' ? optedOutBy() : null,
        problems: log.problems,
      };
    },
    destroy: guarded('destroy', undefined, async () => {
      await started;
      await pipeline.flush();
      stopEverything('stopped');
      signals?.stop();
      store?.close();
    }),
  };
  return api;
}
