// The controller: privacy and consent first, then storage and capture, then the personalizer (personalizer.mjs:
// listings, slots, widgets). Data flows one way: event -> store (event_pipeline.mjs) -> (worker: profile, features,
// model) -> order -> DOM.
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
import { RankingClient } from './worker_client.mjs';
import { messagesFor } from './messages.mjs';
import { readJournals, recoverJournals } from './journal.mjs';
import { mark, measured } from './marks.mjs';
import { shopperArm } from './arm.mjs';
import { createPersonalizer } from './personalizer.mjs';
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
import { watchConsentSignals, CONSENT_REQUIRED, CONSENT_NOT_REQUIRED } from './consent.mjs';

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
  // Explanations in the page's language (<html lang>): English, German, French or Chinese, else English. Other
  // languages than English are a file of their own, fetched now, beside the model.
  const messages = messagesFor(doc?.documentElement?.lang);
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
  let storeReady = null; // readyStore()
  let journalsMoved = false; // the last pages' journals are in the store
  let capture = null;
  let arm = null; // 'on' | 'off' once started (arm.mjs): 'off' keeps the merchant's order, events are still recorded
  const cleanups = [];
  let earlyChannel = env.early?.channel ?? null; // the loader's ranking channel or vault frame (vitrine.js)
  const pipeline = createEventPipeline({
    win,
    log,
    toVault: Boolean(vaultUrl),
    isRunning: () => state === 'running',
    store: () => (vaultUrl || journalsMoved ? store : null),
    openStore: () => storeToUse(),
    onCommitted: () => personalizer.invalidateProfile(),
  });
  const personalizer = createPersonalizer({
    win,
    doc,
    env,
    log,
    config,
    messages,
    vaultUrl,
    now,
    early: env.early ?? null,
    pipeline,
    page: {
      isRunning: () => state === 'running',
      arm: () => arm,
      store: () => store,
      openStore: () => storeToUse(),
      storedForWorker,
      // The journals the last pages left, while they are not in the store yet: a ranking counts them as unsaved.
      journaled: () => (journalsMoved || vaultUrl ? [] : readJournals(win)),
      vault: () => vaultConnection(),
      takeEarlyChannel() {
        const channel = earlyChannel;
        earlyChannel = null;
        return channel;
      },
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
    storeReady = null;
    journalsMoved = false;
  }

  async function start() {
    if (state === 'running' || state === 'opted-out' || state === 'stopped') return;
    state = 'running';
    const drawn = shopperArm(win, config.holdout);
    arm = drawn.arm;
    if (!drawn.kept) log.warn('the holdout arm could not be saved (storage is blocked); it holds for this page only');
    personalizer.watch(); // before anything is awaited: no listing is reordered under the shopper's hand
    if (!personalizer.rankable()) {
      personalizer.releaseHeld();
      earlyChannel?.terminate();
      earlyChannel = null;
    }
    // The worker reads the store itself (its connection, when shared, open from the last page): the first ranking
    // pass need not wait for this page to open the store.
    const early = storedForWorker() !== null && personalizer.rankable();
    if (early) {
      startCapture();
      personalizer.begin();
    }
    let s;
    try {
      s = await storeToUse();
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
    if (!early) {
      startCapture();
      personalizer.begin();
    }
    // After the first ranking pass, so it never competes with the listing.
    if (config.report) personalizer.queue(() => sendOutcomeReport()).catch(() => {});
  }

  function startCapture() {
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
  }

  /** The vault, or this page's store once the last pages' journals are in it: what events are written to and read from. */
  function storeToUse() {
    return vaultUrl ? openTheStore() : readyStore();
  }

  /** The store open and the journals the last pages left moved into it, before this page writes anything. */
  function readyStore() {
    storeReady ??= openTheStore().then(async (s) => {
      try {
        await recoverJournals(win, s, { lookBack: config.rankEvents });
      } catch (e) {
        log.warn('could not recover events saved while leaving the last page', e);
      }
      journalsMoved = true;
      return s;
    });
    return storeReady;
  }

  /**
   * What the ranking worker needs to read the store itself ({name, limits}), or null when it cannot: the vault
   * keeps the history, a test gave the page its own IndexedDB, or the page's store fell back to memory.
   */
  function storedForWorker() {
    if (vaultUrl || env.indexedDB !== undefined || state !== 'running') return null;
    if (store && store.backend !== 'indexeddb') return null;
    return { name: config.dbName, limits };
  }

  function now() {
    return win.performance?.now?.() ?? Date.now();
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
    personalizer.forgetDerived();
  }

  function stopEverything(newState) {
    state = newState;
    capture?.stop();
    capture = null;
    personalizer.stop();
    vault?.client.terminate();
    vault = null;
    earlyChannel?.terminate();
    earlyChannel = null;
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

  /** Takes back what this page shows of the shopper (personalizer.mjs takeBack); the listing keeps its order. */
  function clearPageTraces() {
    dropDerivedState();
    personalizer.takeBack();
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
    personalizer.releaseHeld();
    earlyChannel?.terminate();
    earlyChannel = null;
  }

  const api = {
    get ready() {
      return started.then(() => personalizer.settled());
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
      return personalizer.explanation(id);
    }),
    profile: guarded('profile', null, async () => {
      await started;
      if (state !== 'running' || inVault('profile')) return null;
      await pipeline.flush();
      return structuredClone(await personalizer.profile());
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
          explanations: personalizer.explanations(),
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
      storeReady = null;
      journalsMoved = false;
      store = null;
      personalizer.enable();
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
      return personalizer.refresh();
    }),
    status() {
      return {
        state,
        storage: store?.backend ?? 'none',
        ranking: personalizer.disabled ? 'off' : 'available',
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
