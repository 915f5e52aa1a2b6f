// The personalizer: what Vitrine does to the page's listings, slots and widgets once it runs. It watches for
// listings (and the shopper's hand on them), holds the ones it can rank at once, asks the ranking worker (or the
// vault) for their order, applies it, words the reasons, fills the slots and widgets, and takes all of it back on
// request. The last stages of event -> store -> profile -> features -> model -> order -> DOM; the controller
// (vitrine.mjs) owns consent, storage and the lifecycle, and hands this module what it needs through `page`.
import { ATTR, describeItem, readCandidates, listEntries, listingRules } from './dom.mjs';
import { EventKind } from './event_kinds.mjs';
import { fetchModel } from './model_fetch.mjs';
import { DEFAULT_RANK_BY } from './rank_by.mjs';
import { applyOrder, onOrAboveScreen, watchShopper, writeReasons } from './reorder.mjs';
import { chooseVariant, applySlot, slotVariants, describeSlot } from './slots.mjs';
import { RankingClient } from './worker_client.mjs';
import { explanationText, isEngineFactors } from './explain.mjs';
import {
  MAX_FEED_BYTES,
  WIDGET_KINDS,
  parseProductFeed,
  recentlyViewed,
  recommendedProducts,
  renderWidget,
  widgetExclusions,
  widgetLimit,
} from './widgets.mjs';
import { ErrorCode, MAX_CANDIDATES, MAX_TOP_K } from './ranking_service.mjs';
import { createTextLedger, plainText } from './text.mjs';
import { withUnsaved } from './journal.mjs';
import { createHold, hasPainted } from './hold.mjs';
import { mark, measured } from './marks.mjs';
import { announceExposure } from './arm.mjs';
import { createWhyButtons } from './why.mjs';

const MIN_CANDIDATES = 2;
const LATE_MS = 50; // a listing shown (not held) longer than this has been painted: with lateReorder 'below-fold', it is late

/**
 * @param {object} options
 * @param {Window} options.win
 * @param {Document} options.doc
 * @param {object} options.env the controller's env (Worker, workerUrl: replaceable for tests)
 * @param {{warn: Function}} options.log
 * @param {object} options.config config.mjs normalizeConfig()
 * @param {Promise<object>} options.messages messages.mjs messagesFor, the page's language
 * @param {URL|null} options.vaultUrl the vault's frame when the history is kept there
 * @param {() => number} options.now the page's clock (performance.now)
 * @param {object|null} options.early what the one-tag loader started (vitrine.js): listings it saw, its hold
 * @param {object} options.pipeline event_pipeline.mjs, for the events not written yet
 * @param {object} options.page the controller's side: isRunning(), arm(), store() (open or null), vault() (the
 *   vault's connection, opened on first use), takeEarlyChannel() (the loader's ranking channel, once)
 */
export function createPersonalizer({ win, doc, env, log, config, messages, vaultUrl, now, early, pipeline, page }) {
  const workerUrl = env.workerUrl ?? null; // null: the package's worker.mjs (worker_client.mjs openRankingChannel)
  let client = null; // the page's ranking worker (without the vault)
  let rankingDisabled = false;
  let rankByRefused = false; // the model cannot rank by conversion (told once)
  let workerStoreFailed = false; // the worker could not read the store: this page reads it (withHistory)
  let exposed = false; // the shop's analytics heard this page's arm
  let warming = null; // the worker's warm-up: Promise<{ready, model}>
  let cachedProfile = null;
  let ranking = Promise.resolve(); // every ranking pass, one after the other
  let filling = Promise.resolve(); // every widget and slot fill, one after the other, beside the ranking passes
  let begun = false; // the controller queued the first pass (begin())
  let shopper = null; // watchShopper(): the shopper's own interaction with the listings
  let watchedSince = 0; // when it began watching: a listing already on the page counts as shown from then
  const listSeenAt = new WeakMap(); // listing added later -> when it was seen
  for (const { list, at } of early?.seen ?? []) listSeenAt.set(list, at);
  let listObserver = null;
  const explanations = new Map(); // item id or slot name -> text
  const written = createTextLedger(); // what Vitrine wrote into the page, to take back
  let why = null; // the "why?" buttons (why.mjs), from the first ranking on
  const slotShownBefore = new Map(); // slot -> the variant the shop showed before Vitrine chose one
  const widgetUndo = new Map(); // widget -> takes back what Vitrine rendered in it
  const feeds = new Map(); // product feed URL -> Promise<Map id -> product, or null when unusable>
  const ranked = new WeakSet();
  const shopPositions = new WeakMap(); // list -> its items' positions as the shop rendered them
  const cleanups = [];
  // The engine and the model are loaded: a ranking now takes milliseconds, so a new listing is worth holding.
  let engineWarm = early?.engineReady === true;
  // Listings seen before their first paint stay invisible until ranked, at most config.holdMs (hold.mjs).
  const hold = win && doc ? createHold(win, doc, { capMs: config.holdMs, now, prior: early }) : null;
  const seenPainted = new WeakSet(); // listings already on the page when it had been painted: a reorder is late

  /**
   * Vitrine runs: from here on, a listing the shopper uses is never reordered under their hand. Listings already on
   * the page are held if nothing has been painted yet (counted from when they were first seen), else the shopper
   * may have seen them; the worker, the engine and the model start now, beside the store.
   */
  function watch() {
    if (!config.autoRank || typeof doc.addEventListener !== 'function') return;
    shopper = watchShopper(doc, `[${ATTR.list}]`, now);
    watchedSince = now();
    cleanups.push(() => {
      shopper?.stop();
      shopper = null;
    });
    observeNewListings();
    const painted = hasPainted(win);
    for (const list of doc.querySelectorAll(`[${ATTR.list}]`)) {
      if (painted) seenPainted.add(list);
      else holdListing(list, listSeenAt.get(list) ?? watchedSince);
    }
    // The store is not open yet: what the loader held is shown now.
    if (page.store() === null && page.storedForWorker() === null) hold?.releaseAll();
    if (rankable()) void modelReady();
  }

  /** Capture runs: the first ranking pass, and the widgets beside it. */
  function begin() {
    begun = true;
    if (config.autoRank) queueRanking(() => personalize(false)).catch(() => {});
    queueFill(() => fillWidgets());
  }

  /** Ranking can happen on this page (it may still fail): worth warming the engine and holding listings for. */
  function rankable() {
    return (
      config.autoRank &&
      page.arm() !== 'off' &&
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
    if (exposed || !page.isRunning()) return;
    exposed = true;
    const model =
      page.arm() === 'on' && !rankingDisabled && config.model !== null
        ? modelReady()
        : Promise.resolve({ model: null });
    void model.then(({ model: version }) => {
      if (!page.isRunning()) return;
      const problem = announceExposure(win, { arm: page.arm(), model: version }, config.onExposure);
      if (problem) log.warn(problem);
    });
  }

  // Only when a ranking can start at once: the engine warm and the shopper's events readable (the store open).
  // Before, the ranking cannot land within the hold on any machine we measured (bench/page_shift.mjs), and holding
  // only hides the listing, for longer than the cap when the page keeps the main thread busy.
  function holdListing(list, seenAt) {
    const readable = page.store() !== null || page.storedForWorker() !== null;
    if (engineWarm && readable && rankable() && page.isRunning()) hold?.hold(list, seenAt);
  }

  /**
   * Fills the widgets or the slots (`fill`) after the fills already queued. Not behind the ranking passes: a widget
   * reads the history on the page (its "recent" products, what it leaves out), so it waits for this page's store,
   * and a slot for the shopper's profile; a listing that appears meanwhile must not wait for either
   * (bench/page_shift.mjs, the home page).
   */
  function queueFill(fill) {
    const run = filling.then(fill);
    filling = run.catch((e) => log.warn('personalization failed', e));
    return run.catch(() => {});
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
    // Until start-up has begun, its own first pass finds these listings.
    if (found && page.isRunning() && begun) queueRanking(() => personalize(false)).catch(() => {});
    // A widget, or the page's own product (what "similar" is about), rendered after the first pass: fill again.
    if (page.isRunning() && begun && widgetsNeedFilling(records)) queueFill(() => fillWidgets());
  }

  function widgetsNeedFilling(records) {
    if (!doc.querySelector(`[${ATTR.widget}]`)) return false;
    const outside = `[${ATTR.list}] [${ATTR.item}], [${ATTR.widget}] [${ATTR.item}]`;
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches(`[${ATTR.widget}]`) || node.querySelector(`[${ATTR.widget}]`)) return true;
        if (node.closest(`[${ATTR.list}], [${ATTR.widget}]`)) continue; // a listing's items, a widget's cards
        const products = node.matches(`[${ATTR.item}]`) ? [node] : node.querySelectorAll(`[${ATTR.item}]`);
        for (const el of products) if (!el.matches(outside)) return true;
      }
    }
    return false;
  }

  /** Tells the shop's page what became of a listing (data-vitrine-result, see dom.mjs). */
  function markResult(list, result) {
    try {
      list.setAttribute(ATTR.result, result);
    } catch {
      // a listing that refuses an attribute is still ranked
    }
  }

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
    if (vaultUrl) return page.vault().client; // the vault ranks with the history it keeps
    client ??= new RankingClient({
      workerUrl,
      modelUrl: config.model,
      timeoutMs: config.rankTimeoutMs,
      modelTimeoutMs: config.modelTimeoutMs,
      maxModelBytes: config.maxModelBytes,
      modelIntegrity: config.modelIntegrity,
      indexUrl: config.index,
      // An injected Worker (tests) means that worker, never a shared one.
      Worker: env.Worker ?? win.Worker,
      SharedWorker: env.Worker || config.worker !== 'shared' ? null : win.SharedWorker,
      channel: page.takeEarlyChannel(),
    });
    return client;
  }

  function rankingFailed(error) {
    rankingDisabled = true; // one failure is enough: do not retry (and warn) on every list
    client?.terminate(); // (the vault keeps recording: it is the store too)
    client = null;
    log.warn('personalization is off for this page; the listing keeps its order', error);
  }

  /**
   * Ranks every listing not ranked yet (or all with force) and queues the slots' fill. An automatic ranking is not applied
   * to a listing the shopper has used since it was shown; a forced one (refresh(), the shop's request at
   * `requestedAt`) is not applied if the shopper used the listing since that request. Either way the listing then
   * stays exactly as the shopper sees it.
   */
  async function personalize(force, requestedAt = now(), watch = shopper) {
    if (!page.isRunning()) return;
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
    if (page.arm() === 'off') {
      // The holdout: the merchant's order, no slot choice, nothing read for ranking.
      for (const list of lists) {
        ranked.add(list);
        markResult(list, 'holdout');
      }
      return;
    }
    mark('pass');
    const events = await rankingEvents({ readInWorker: true });
    mark('events');
    if (Array.isArray(events) && events.length === 0) {
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
    const slotEvents = Array.isArray(events) ? events : null;
    void queueFill(() => fillSlots(slotEvents)); // beside the next listing's pass, not before it
  }

  /**
   * The most recent events, the ones not written yet included, without waiting for their write: a listing that
   * appears with the page's first events (a category visit) is not ranked an IndexedDB commit later. With
   * `readInWorker`, where the worker can read the store itself (page.storedForWorker), the store's part is left to
   * it: { stored, unsaved }. A shared worker's connection is open from the last page, while this page's own open
   * and first read wait behind its main thread's work (README, the event store's wait).
   */
  async function rankingEvents({ readInWorker = false } = {}) {
    if (vaultUrl) {
      await pipeline.flush(); // the vault ranks with what it stored, this page's events included
      return null;
    }
    if (readInWorker) {
      const read = readByWorker();
      if (read) return read;
    }
    const unsaved = unsavedNow();
    return withUnsaved(await (await page.openStore()).recent(config.rankEvents), unsaved, config.rankEvents);
  }

  /** { stored, unsaved } for the worker to read the store itself, or null where it cannot (rankingEvents). */
  function readByWorker() {
    const stored = page.storedForWorker();
    if (vaultUrl || !stored || workerStoreFailed) return null;
    return { stored: { ...stored, limit: config.rankEvents }, unsaved: unsavedNow() };
  }

  /** The events not in the store yet (the last pages' journals, this page's queue); their write starts now. */
  function unsavedNow() {
    const unsaved = [...page.journaled(), ...pipeline.unsaved()];
    void pipeline.flush();
    return unsaved;
  }

  /**
   * `send(from)` with the history as rankingEvents() gave it; when that was the worker's own read and the worker
   * could not read the store (its IndexedDB failed where the page's did not), again with the page's read, which
   * every later request of this page uses too.
   */
  async function withHistory(from, send) {
    try {
      return await send(from);
    } catch (e) {
      if (!from?.stored || e?.code !== ErrorCode.STORE_UNAVAILABLE) throw e;
      workerStoreFailed = true;
      log.warn('the ranking worker could not read the event store; this page reads it itself', e);
      return send(await rankingEvents());
    }
  }

  /** A request's history fields: the events themselves, or the worker's read of the store and the unsaved ones. */
  function historyFields(from) {
    return from?.stored ? { events: from.unsaved, stored: from.stored } : { events: from };
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
      // Resolved long before (English at once, another language one fetch started with the page).
      const say = await messages;
      mark('rank-sent');
      const request = (from) => ({
        ...historyFields(from),
        candidates,
        nowMs: Date.now(),
        explainTop: config.rerankDepth,
        blend,
        diversity,
        ...(rankBy === DEFAULT_RANK_BY ? {} : { rankBy }),
      });
      const reply = await withHistory(events, (from) => rc.rank(request(from)));
      mark('rank-reply');
      if (rankBy !== DEFAULT_RANK_BY && reply.rankBy === DEFAULT_RANK_BY && !rankByRefused) {
        // Ranked all the same, by relevance (ranking_service.mjs): the merchant hears it once.
        rankByRefused = true;
        log.warn(
          `${rules.rankBy ? ATTR.rankBy : 'data-rank-by'}="${rankBy}" needs a model trained on carts or purchases; ranking by relevance`
        );
      }
      engineWarm = true;
      if (!page.isRunning()) return false;
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
        if (r.applied) showReasons(list, reply, promoted, say);
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
  function showReasons(list, { reasons, ticket }, promoted, say) {
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
          ? explanationText(reason.factors, { from, to }, say)
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
    const reply = await withHistory(events ?? (await rankingEvents({ readInWorker: true })), (from) =>
      rc.profile({ ...historyFields(from), nowMs: Date.now() })
    );
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
    const say = await messages;
    if (!profile || !page.isRunning()) return;
    for (const slot of slots) {
      const choice = chooseVariant(slot, profile);
      if (!choice) continue;
      if (!slotShownBefore.has(slot)) slotShownBefore.set(slot, slotVariants(slot).find((v) => !v.hidden) ?? null);
      const text = applySlot(slot, choice, say);
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
      reply = await page.vault().client.chooseSlots(slots.map(describeSlot));
    } catch (e) {
      log.warn('the slots keep their default', e);
      return;
    }
    if (!page.isRunning() || !Array.isArray(reply.choices)) return;
    const say = await messages;
    slots.forEach((slot, i) => {
      const variant = Number.isInteger(reply.choices[i]) ? slotVariants(slot)[reply.choices[i]] : undefined;
      if (!variant) return;
      if (!slotShownBefore.has(slot)) slotShownBefore.set(slot, slotVariants(slot).find((v) => !v.hidden) ?? null);
      applySlot(slot, { variant, category: null }, say);
    });
  }

  /**
   * The shop's widgets (widgets.mjs): "recent" from the shopper's own views, "similar" and "picks" from the engine's
   * best products of the whole catalog, shown with the shop's product feed. Not in the holdout arm, which sees the
   * shop's page as is. A widget that cannot be filled stays as the shop rendered it.
   */
  async function fillWidgets() {
    const widgets = Array.from(doc.querySelectorAll(`[${ATTR.widget}]`)).filter((w) =>
      WIDGET_KINDS.includes(w.getAttribute(ATTR.widget))
    );
    // With the vault, what the shopper viewed must not be written into the page: not offered there yet.
    if (widgets.length === 0 || page.arm() === 'off' || !page.isRunning() || vaultUrl) return;
    // The page's own read, for "recent" and for what a widget leaves out; a top-K request does not wait for it.
    const events = rankingEvents();
    events.catch(() => {}); // a widget that needs it reports its failure
    const shown = Array.from(doc.querySelectorAll(`[${ATTR.item}]`)).filter(
      (el) => !el.closest(`[${ATTR.list}], [${ATTR.widget}]`)
    );
    const onPage = new Set(shown.map((el) => el.getAttribute(ATTR.item)));
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
      if (!page.isRunning()) return;
      const kind = widget.getAttribute(ATTR.widget);
      const limit = widgetLimit(widget);
      const products =
        kind === 'recent'
          ? recentlyViewed(await events, { exclude: onPage, limit })
          : await recommendations(kind, widget, events, shown[0] ?? null, onPage, limit);
      if (products === null || !page.isRunning()) continue;
      widgetUndo.get(widget)?.();
      const undo = renderWidget(widget, products, win, { formatPrice });
      if (undo) widgetUndo.set(widget, undo);
      else widgetUndo.delete(widget);
    }
  }

  /**
   * The widget's product feed (data-vitrine-products), fetched once per page and URL; null when unusable. Without
   * the attribute, a page whose model reads an index (data-index) takes its products from the feeds beside the
   * index's shards: `undefined` says so.
   */
  function productFeed(widget) {
    const given = widget.getAttribute(ATTR.products)?.trim();
    if (!given && config.index) return undefined;
    let url = null;
    try {
      url = given ? new URL(given, doc.baseURI).href : null;
    } catch {
      url = null;
    }
    if (!url) {
      log.warn(`a data-vitrine-widget="${widget.getAttribute(ATTR.widget)}" needs ${ATTR.products} (the product feed)`);
      return Promise.resolve(null);
    }
    return feedAt(url, given);
  }

  /**
   * The feed at `url` (absolute), fetched once per page; a Promise of its Map, or of null when unusable. A shard's
   * feed goes without cookies (`credentials` 'omit'), as the shard did.
   */
  function feedAt(url, shown = url, credentials = 'same-origin') {
    if (!feeds.has(url)) {
      const fetchFn = typeof win.fetch === 'function' ? win.fetch.bind(win) : globalThis.fetch;
      const loading = fetchModel(url, {
        timeoutMs: config.modelTimeoutMs,
        maxBytes: MAX_FEED_BYTES,
        what: 'product feed',
        fetch: fetchFn,
        credentials,
      })
        .then((bytes) => {
          // On the main thread: a feed of a whole catalog is a long task, which the measure lets a profiler name.
          const { products, skipped } = measured('feed', () => parseProductFeed(new TextDecoder().decode(bytes)));
          if (skipped > 0)
            log.warn(`product feed ${shown}: ${skipped} products left out (no id, name or url, or a bad field)`);
          return products;
        })
        .catch((e) => {
          log.warn(`product feed ${shown} not used: ${e?.message ?? e}`);
          return null;
        });
      feeds.set(url, loading);
    }
    return feeds.get(url);
  }

  /**
   * The products of the index's feeds for `ids` (feedUrls[i] holds ids[i]'s), as one Map: only the feeds of the
   * first `wanted` ids are read, and the next ids' when those fall short (a product out of stock or excluded).
   * A shard's feed tells the server no more than the shard itself did: which clusters were near the shopper.
   */
  async function indexFeeds(ids, feedUrls, wanted) {
    const merged = new Map();
    const read = new Set();
    let usable = 0;
    for (let from = 0; from < ids.length && usable < wanted;) {
      const to = Math.min(ids.length, from + wanted - usable);
      const urls = [...new Set(feedUrls.slice(from, to).filter((u) => typeof u === 'string' && !read.has(u)))];
      const maps = await Promise.all(urls.map((u) => feedAt(u, u, 'omit')));
      for (const map of maps) for (const [id, product] of map ?? []) merged.set(id, product);
      // An index built without --products has no feeds: one failed round (each warned once) is enough.
      if (maps.includes(null)) break;
      urls.forEach((u) => read.add(u));
      for (let i = from; i < to; i += 1) if (merged.get(ids[i])?.available) usable += 1;
      from = to;
    }
    return merged;
  }

  /**
   * The products of a "similar" or "picks" widget, or null when there are none to be had (no engine, no feed, a
   * failed request). "similar" reads the page's product (`current`) as the shopper's latest view: its own view is
   * recorded only after the view dwell. `events` is the page's read of the history (a promise), for what the widget
   * leaves out; where the worker can read the store, the top-K request goes without waiting for it.
   */
  async function recommendations(kind, widget, events, current, onPage, limit) {
    const rc = rankingClient();
    if (!rc) return null;
    const feed = productFeed(widget);
    const nowMs = Date.now();
    const item = kind === 'similar' && current ? describeItem(current) : null;
    const viewed = item
      ? [
          {
            kind: EventKind.view,
            t: nowMs,
            item: item.id,
            ...(item.category ? { category: item.category } : {}),
            ...(item.brand ? { brand: item.brand } : {}),
            ...(item.code ? { code: item.code } : {}),
          },
        ]
      : [];
    // The history as the worker reads it, or as the page did, with the page's product as the newest view: the same
    // events either way (the stored read takes one more, the view being the newest).
    const query = (from) =>
      from?.stored
        ? { events: [...from.unsaved, ...viewed], stored: { ...from.stored, limit: from.stored.limit + viewed.length } }
        : { events: [...from, ...viewed] };
    // Products on the page, pins and the history's are left out afterwards: ask for enough to fill the widget anyway.
    const k = Math.min(MAX_TOP_K, 3 * limit + widgetExclusions(kind, [], onPage, widget).size + config.rankEvents);
    mark('top-sent');
    const failed = (e) => {
      log.warn(`the ${kind} widget could not be filled: ${e?.message ?? e}`);
      return null;
    };
    const read = events.catch(failed); // null when it failed (said once)
    const [given, reply, history] = await Promise.all([
      feed,
      Promise.resolve(readByWorker() ?? read)
        .then((from) => (from === null ? null : withHistory(from, (f) => rc.top({ ...query(f), nowMs, k }))))
        .catch(failed),
      read,
    ]);
    if (!reply || !history) return null;
    mark('top-reply');
    const exclude = widgetExclusions(kind, history, onPage, widget);
    let products = given;
    if (given === undefined) {
      if (!Array.isArray(reply.feeds)) {
        log.warn(`a data-vitrine-widget="${kind}" needs ${ATTR.products}: the model's index has no product feeds`);
        return null;
      }
      const ranked = reply.ids.filter((id) => !exclude.has(id));
      const feedUrls = reply.feeds.filter((_, i) => !exclude.has(reply.ids[i]));
      products = await indexFeeds(ranked, feedUrls, limit);
      mark('feeds');
    }
    if (!products) return null;
    return recommendedProducts(reply.ids, products, { exclude, limit });
  }

  /** Resolves when every ranking pass and fill queued so far (and any they queued) is done. */
  async function settled() {
    // Listings rendered just before this call count too, even if the observer has not reported them yet.
    if (listObserver) noteNewListings(listObserver.takeRecords());
    let pass, fill;
    do {
      pass = ranking;
      fill = filling;
      await Promise.all([pass, fill]);
    } while (pass !== ranking || fill !== filling);
  }

  /** refresh(): ranks every listing again now, and does not apply an order the shopper overtook meanwhile. */
  async function refresh() {
    const at = now();
    if (page.isRunning() && !shopper && typeof doc.addEventListener === 'function') {
      // autoRank off: watch only while this request is computed.
      const watching = watchShopper(doc, `[${ATTR.list}]`, now);
      try {
        await queueRanking(() => personalize(true, at, watching));
      } finally {
        watching.stop();
      }
    } else {
      await queueRanking(() => personalize(true, at));
    }
    await filling; // the slots it chose again
    return !rankingDisabled && page.arm() !== 'off';
  }

  /** What was derived from the history (the profile, the reasons) is stale: it is dropped, not shown again. */
  function forgetDerived() {
    cachedProfile = null;
    explanations.clear();
  }

  return {
    watch,
    begin,
    queue: queueRanking,
    rankable,
    settled,
    refresh,
    forgetDerived,
    /** The history changed: the next profile is asked for again. */
    invalidateProfile() {
      cachedProfile = null;
    },
    /** The reason shown for an item or a slot, as plain text, or null. */
    explanation(id) {
      const text = explanations.get(String(id));
      return text === undefined ? null : plainText(text);
    },
    /** Every reason shown on this page, for exportData(). */
    explanations: () => Object.fromEntries(explanations),
    profile: (events) => currentProfile(events),
    get disabled() {
      return rankingDisabled;
    },
    /** optIn(): ranking may be tried again. */
    enable() {
      rankingDisabled = false;
    },
    /** Shows every listing still held (nothing will be ranked now). */
    releaseHeld() {
      hold?.releaseAll();
    },
    /**
     * Takes back what this page shows of the shopper: reasons written and slot choices go back to the shop's own,
     * widgets are emptied, and the ranking worker is stopped, which frees its engine (a shared one lives on for other
     * pages, holding nothing of the shopper between requests). The listing keeps its order: moving it again would
     * make it jump.
     */
    takeBack() {
      forgetDerived();
      why?.clear();
      written.restoreAll();
      for (const [slot, variant] of slotShownBefore) applySlot(slot, { variant, category: null });
      slotShownBefore.clear();
      for (const undo of widgetUndo.values()) undo();
      widgetUndo.clear();
      client?.terminate();
      client = null;
    },
    /** Stops watching and ranking; held listings are shown. */
    stop() {
      client?.terminate();
      client = null;
      hold?.releaseAll();
      for (const undo of cleanups.splice(0)) undo();
      forgetDerived();
    },
  };
}
