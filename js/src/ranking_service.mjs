// The worker's side of the ranking protocol, free of worker globals so Node tests can drive it with any engine.
//
// Requests (main thread -> worker), one message per ranking:
//   { v: 1, id, type: 'rank',    modelUrl, nowMs, events: StoredEvent[], candidates: Candidate[], explainTop?,
//                                blend?, diversity?, rankBy? }
//   { v: 1, id, type: 'profile', modelUrl, nowMs, events: StoredEvent[] }
//   { v: 1, id, type: 'top',     modelUrl, nowMs, events: StoredEvent[], k }   the k best products of the whole
//                                             catalog for these events (the "similar" and "picks" widgets)
//   rank, profile and top may carry stored: { name, limit, limits }: the worker reads the newest `limit` events of
//   the page's event store itself (the database `name`, with the page's limits) and ranks them with `events`, which
//   are then the page's events not committed yet (an event in both counted once). A rank reply then says how many
//   events it ranked (`history`; 0: nothing was ranked). A worker that cannot read the store answers
//   STORE_UNAVAILABLE, and the page reads the store itself.
//   { v: 1, id, type: 'warm',    modelUrl }   sent when the page starts, before any listing is known: loads the
//                                             engine and the model so that the first ranking waits for neither
//   both may carry modelTimeoutMs, maxModelBytes and modelIntegrity (config.mjs) for the model fetch; explainTop (a count) limits
//   the reasons to the best-ranked items the page will move, so a long listing's reply stays small
// Replies (worker -> main thread), same id:
//   { v: 1, id, type: 'ranked',  order: string[], scores: number[], reasons: { [itemId]: { text, factors } },
//                                rankBy }   rankBy: what the order was made by; 'relevance' when the request asked
//                                           for 'conversion' or 'value' and the model has no conversion head
//   { v: 1, id, type: 'profile', profile: object }
//   { v: 1, id, type: 'top',     ids: string[], feeds? }  best first, at most k; for a model with its catalog in an
//                                             index (data-index), feeds[i] is the URL of the product feed beside
//                                             the shard ids[i] came from (build-index --products), or null
//   { v: 1, id, type: 'warm', model }        model: the loaded model's version (modelVersion below)
//   { v: 1, id, type: 'error',   code: ErrorCode, message: string, status?: string }
// StoredEvent is storage's record { kind: number (event_kinds.h), t: ms, item?, category?, brand?, price?, qty?,
// query?, dwellMs? }; Candidate is { id, category?, brand?, price?, position?, boost?, available? } read from the
// listing (dom.mjs), position being its place in the shop's own order. blend weighs the shop's order (ranker.h);
// diversity { by: 'brand'|'category', max, top } allows at most `max` items of one group in the first `top`.
// rankBy (rank_by.mjs, default 'relevance') is what the engine orders by; the engine refuses 'conversion' and 'value'
// for a model without a conversion head (engine.loadModel's info says conversion: { cart, purchase }), so such a
// request is ranked by relevance here and the reply says so: the page warns once and the listing is still ranked.
//
// The engine is created and its model loaded on the first request (and again if modelUrl changes); the engine's
// wasm is compiled while the model downloads. A worker shared by the shop's pages may live for hours: a request
// that finds the model older than MODEL_RECHECK_MS fetches it again in the background (the HTTP cache revalidates
// it) and, when the bytes changed, loads them into a new engine that takes over once it is ready. The engine
// calls used are exactly engine.loadModel(bytes, {maxBytes}) -> info,
// engine.rank({events, candidates, nowMs, blend?, rankBy?}) -> {scores, reasons}, engine.profile({events, nowMs})
// and engine.topK({events, nowMs, k}) -> {ids}; a missing one is answered with ENGINE_UNSUPPORTED, so the page keeps
// the merchant's order until the engine provides it.
import { plainText } from './text.mjs';
import { INTEGRITY_PATTERN } from './model_fetch.mjs';
import { mark } from './marks.mjs';
import { RANK_BY, DEFAULT_RANK_BY } from './rank_by.mjs';
import { VitrineError } from './status.mjs';
import { withUnsaved } from './journal.mjs';

export const PROTOCOL_VERSION = 1;

export const ErrorCode = Object.freeze({
  BAD_REQUEST: 'BAD_REQUEST',
  NO_WEBASSEMBLY: 'NO_WEBASSEMBLY',
  ENGINE_UNSUPPORTED: 'ENGINE_UNSUPPORTED',
  MODEL_FETCH: 'MODEL_FETCH',
  ENGINE: 'ENGINE',
  BAD_RESULT: 'BAD_RESULT',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
});

export const MAX_CANDIDATES = 5000;
export const MAX_TOP_K = 500;
const DEFAULT_FETCH = { timeoutMs: 10000, maxBytes: 64 * 1024 * 1024 };
const MAX_EVENTS = 10000;
export const MODEL_RECHECK_MS = 10 * 60 * 1000;
const RELEASE_AFTER_SWAP_MS = 5000;
// The catalog index's shards and pages last read, kept in the worker's memory up to this many bytes (about 150
// shards of a million-product index): a shared worker's later pages then skip the Cache API for files read before (a
// widget query that needed no new file: 5 ms against 13, bench/scale_session.mjs). They are named by their content,
// so a kept one is never stale.
export const KEPT_SHARD_BYTES = 4 * 1024 * 1024;

/**
 * The model's version: the first 16 hex digits of the SHA-256 of its bytes, as `sha256sum model.vtm` prints them
 * (exposures name it, and a rechecked file that kept it is not loaded again). FNV-1a where Web Crypto is missing.
 */
export async function modelVersion(bytes) {
  try {
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; ++i) h = Math.imul(h ^ bytes[i], 0x01000193);
    return `fnv1a-${bytes.length}-${(h >>> 0).toString(16)}`;
  }
}
// Replies are bounded by shape, not by their JSON length: a broad shopper's profile must come back whole.
export const REPLY_LIMITS = Object.freeze({ entries: 200, stringLength: 512, depth: 6, values: 5000 });

function checkRequest(msg) {
  if (!msg || typeof msg !== 'object') throw new VitrineError(ErrorCode.BAD_REQUEST, 'request must be an object');
  if (msg.v !== PROTOCOL_VERSION)
    throw new VitrineError(ErrorCode.BAD_REQUEST, `protocol version ${msg.v} is not ${PROTOCOL_VERSION}`);
  if (typeof msg.modelUrl !== 'string' || msg.modelUrl === '')
    throw new VitrineError(ErrorCode.BAD_REQUEST, 'modelUrl is missing');
  // A malformed integrity value is refused, never read as "no check".
  if (
    msg.modelIntegrity != null &&
    !(typeof msg.modelIntegrity === 'string' && INTEGRITY_PATTERN.test(msg.modelIntegrity))
  ) {
    throw new VitrineError(
      ErrorCode.BAD_REQUEST,
      'modelIntegrity must be sha256-, sha384- or sha512- digests in base64'
    );
  }
  if (msg.type === 'warm') return;
  if (!Number.isFinite(msg.nowMs)) throw new VitrineError(ErrorCode.BAD_REQUEST, 'nowMs must be a number');
  if (!Array.isArray(msg.events) || msg.events.length > MAX_EVENTS) {
    throw new VitrineError(ErrorCode.BAD_REQUEST, `events must be an array of at most ${MAX_EVENTS}`);
  }
  if (msg.stored != null && !validStoredRead(msg.stored)) {
    throw new VitrineError(
      ErrorCode.BAD_REQUEST,
      'stored must be { name, limit, limits: { maxEvents, maxBytes, retentionDays } } with a database name and positive limits'
    );
  }
  if (msg.type === 'top' && !(Number.isInteger(msg.k) && msg.k >= 1 && msg.k <= MAX_TOP_K)) {
    throw new VitrineError(ErrorCode.BAD_REQUEST, `k must be an integer from 1 to ${MAX_TOP_K}`);
  }
  if (msg.type === 'rank') {
    const c = msg.candidates;
    if (!Array.isArray(c) || c.length === 0 || c.length > MAX_CANDIDATES) {
      throw new VitrineError(ErrorCode.BAD_REQUEST, `candidates must be an array of 1 to ${MAX_CANDIDATES}`);
    }
    if (!c.every((x) => x && typeof x.id === 'string' && x.id !== '')) {
      throw new VitrineError(ErrorCode.BAD_REQUEST, 'every candidate needs a string id');
    }
    const d = msg.diversity;
    if (
      d != null &&
      !(
        typeof d === 'object' &&
        (d.by === 'brand' || d.by === 'category') &&
        Number.isInteger(d.max) &&
        d.max >= 1 &&
        Number.isInteger(d.top) &&
        d.top >= 1
      )
    ) {
      throw new VitrineError(
        ErrorCode.BAD_REQUEST,
        'diversity must be { by: "brand" | "category", max >= 1, top >= 1 }'
      );
    }
    if (msg.rankBy !== undefined && !RANK_BY.includes(msg.rankBy)) {
      throw new VitrineError(ErrorCode.BAD_REQUEST, `rankBy must be one of ${RANK_BY.join(', ')}`);
    }
    const top = msg.explainTop;
    if (top !== undefined && !(Number.isInteger(top) && top >= 0 && top <= MAX_CANDIDATES)) {
      throw new VitrineError(ErrorCode.BAD_REQUEST, `explainTop must be an integer from 0 to ${MAX_CANDIDATES}`);
    }
  }
}

function validStoredRead(stored) {
  const limits = stored?.limits;
  const positive = (n) => typeof n === 'number' && n > 0;
  return (
    typeof stored === 'object' &&
    typeof stored.name === 'string' &&
    /^[\w.-]{1,64}$/.test(stored.name) &&
    Number.isInteger(stored.limit) &&
    stored.limit >= 1 &&
    stored.limit <= MAX_EVENTS &&
    typeof limits === 'object' &&
    limits !== null &&
    positive(limits.maxEvents) &&
    positive(limits.maxBytes) &&
    positive(limits.retentionDays)
  );
}

function needs(engine, name) {
  if (typeof engine?.[name] !== 'function') {
    throw new VitrineError(ErrorCode.ENGINE_UNSUPPORTED, `engine.${name} is not available in this engine build`);
  }
}

/**
 * A plain-data copy of what the engine returned (explanation factors, profile) that a worker can post: strings,
 * finite numbers, booleans, null, arrays and plain objects. Anything past REPLY_LIMITS is cut off rather than the
 * whole value dropped: at most `entries` items per array or object, `stringLength` characters per string, `depth`
 * levels and `values` values in all. Functions, symbols and other non-data are left out, as JSON would.
 */
export function plainData(value, limits = REPLY_LIMITS) {
  let budget = limits.values;
  const copy = (v, depth) => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'string') return v.length > limits.stringLength ? v.slice(0, limits.stringLength) : v;
    if (typeof v !== 'object' || depth >= limits.depth) return undefined;
    const array = Array.isArray(v) || ArrayBuffer.isView(v);
    const out = array ? [] : {};
    const keys = array ? null : Object.keys(v);
    const length = array ? v.length : keys.length;
    let kept = 0;
    for (let i = 0; i < length && kept < limits.entries && budget > 0; ++i) {
      --budget;
      const item = copy(array ? v[i] : v[keys[i]], depth + 1);
      if (!array && item === undefined) {
        ++budget; // left out: costs nothing
        continue;
      }
      ++kept;
      if (array) out.push(item === undefined ? null : item);
      // defineProperty: a key such as "__proto__" (a category name) stays an ordinary key.
      else Object.defineProperty(out, keys[i], { value: item, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  try {
    return copy(value, 0);
  } catch {
    return undefined; // a getter that throws: not data
  }
}

/** Best first; ties and non-finite scores keep the merchant's order (non-finite go last). */
export function orderByScore(candidates, scores) {
  const keyed = candidates.map((c, i) => ({ id: c.id, i, s: Number.isFinite(scores[i]) ? scores[i] : -Infinity }));
  keyed.sort((a, b) => (b.s === a.s ? a.i - b.i : b.s > a.s ? 1 : -1));
  return keyed.map((k) => k.id);
}

/**
 * The order with at most rule.max items of one brand (or category) among its first rule.top: each of those places
 * takes the best item whose group is not full yet, or the best left when every group is. Items without the
 * attribute belong to no group. The rest keep their order.
 */
export function diversify(order, candidates, rule) {
  if (!rule) return order;
  const groupOf = new Map(candidates.map((c) => [c.id, c[rule.by] || null]));
  const left = [...order];
  const out = [];
  const taken = new Map();
  while (left.length && out.length < rule.top) {
    let at = left.findIndex((id) => {
      const g = groupOf.get(id);
      return g === null || g === undefined || (taken.get(g) ?? 0) < rule.max;
    });
    if (at < 0) at = 0;
    const [id] = left.splice(at, 1);
    const g = groupOf.get(id);
    if (g) taken.set(g, (taken.get(g) ?? 0) + 1);
    out.push(id);
  }
  return out.concat(left);
}

/** Whether a model's info (engine.loadModel, modelInfo) has a conversion head; older builds say nothing: none. */
export function hasConversionHead(info) {
  const c = info?.conversion;
  return c?.cart === true || c?.purchase === true;
}

function toRankReply(candidates, result, explainTop = candidates.length, diversity = null, rankBy = DEFAULT_RANK_BY) {
  const scores = result?.scores;
  if (!scores || typeof scores.length !== 'number' || scores.length !== candidates.length) {
    throw new VitrineError(
      ErrorCode.BAD_RESULT,
      `engine returned ${scores?.length ?? 'no'} scores for ${candidates.length} candidates`
    );
  }
  const order = diversify(orderByScore(candidates, scores), candidates, diversity);
  const explained = new Set(order.slice(0, explainTop)); // the best-ranked explainTop ids (all by default)
  const reasons = {};
  for (const r of Array.isArray(result.reasons) ? result.reasons : []) {
    const id = typeof r?.id === 'string' ? r.id : null;
    if (!id || !explained.has(id) || Object.hasOwn(reasons, id)) continue;
    const text = plainText(r.text);
    if (text) reasons[id] = { text, factors: plainData(r.factors) };
  }
  return { type: 'ranked', order, scores: Array.from(scores, Number), reasons, rankBy };
}

/**
 * @param {object} deps
 * @param {() => Promise<object>} deps.createEngine   creates the wasm engine (engine.mjs createEngine)
 * @param {(url: string, limits: {timeoutMs: number, maxBytes: number}) => Promise<Uint8Array>} deps.fetchBytes
 *        fetches the model file, rejecting past the time or size limit
 * @param {(url: string, limits: object) => Promise<{bytes: Uint8Array, cached: boolean}>} [deps.fetchShard]
 *        fetches a catalog index shard (model_fetch.mjs fetchImmutable: the Cache API first); default fetchBytes
 * @param {() => boolean} [deps.hasWebAssembly]
 * @param {() => number} [deps.clock] ms, for the model's age
 * @param {number} [deps.keptShardBytes] the index files kept in memory (KEPT_SHARD_BYTES)
 * @param {(stored: {name: string, limit: number, limits: object}, nowMs: number) => Promise<object[]>} [deps.readStored]
 *        reads the newest `limit` events of the page's event store (worker.mjs, storage.mjs), expiry judged at
 *        nowMs; rejects when it cannot. Without it, a request with `stored` is answered STORE_UNAVAILABLE
 */
export function createRankingService({
  createEngine,
  fetchBytes,
  fetchShard = async (url, limits) => ({ bytes: await fetchBytes(url, limits), cached: false }),
  hasWebAssembly = () => typeof WebAssembly === 'object',
  clock = () => Date.now(),
  keptShardBytes = KEPT_SHARD_BYTES,
  readStored = null,
}) {
  let ready = null; // Promise<engine> for the model URL below
  let readyFor = null;
  let loaded = null; // { at, version: Promise<string> } of the model in `ready`
  let rechecking = false;
  const converts = new WeakMap(); // engine -> whether its model has a conversion head
  const coded = new WeakMap(); // engine -> whether its model takes its products as codes (item_codes.h)
  const indexes = new WeakMap(); // engine -> { url, loaded: Promise } of its catalog index head
  // url -> Uint8Array of the index files last read, least recently used first. Which files these are says no more
  // than the Cache API beside them (which clusters this browser's shoppers were near); no request's events stay.
  const keptShards = new Map();
  let keptBytes = 0;

  async function indexFile(url, limits) {
    const kept = keptShards.get(url);
    if (kept) {
      keptShards.delete(url); // now the most recently used
      keptShards.set(url, kept);
      return kept;
    }
    const { bytes } = await fetchShard(url, limits);
    if (!keptShards.has(url) && bytes.length <= keptShardBytes) {
      keptShards.set(url, bytes);
      keptBytes += bytes.length;
      for (const [oldest, old] of keptShards) {
        if (keptBytes <= keptShardBytes) break;
        keptShards.delete(oldest);
        keptBytes -= old.length;
      }
    }
    return bytes;
  }

  async function loadInto(engine, bytes, maxBytes) {
    const version = modelVersion(bytes); // started first: the engine may take the bytes over
    try {
      needs(engine, 'loadModel');
      const info = await engine.loadModel(bytes, { maxBytes });
      converts.set(engine, hasConversionHead(info));
      coded.set(engine, (info?.item_subspaces ?? 0) > 0);
    } catch (e) {
      engine.release?.();
      throw e;
    }
    loaded = { at: clock(), version };
    return engine;
  }

  // Fetches the model again; a changed file replaces the engine once loaded, and any failure keeps the current one.
  function recheck(key, modelUrl, limits) {
    rechecking = true;
    loaded.at = clock();
    (async () => {
      const bytes = await fetchBytes(modelUrl, limits);
      const before = loaded?.version;
      if (readyFor !== key || (await modelVersion(bytes)) === (await before)) return;
      const engine = await loadInto(await createEngine(), bytes, limits.maxBytes);
      if (readyFor !== key) return engine.release?.();
      const old = ready;
      ready = Promise.resolve(engine);
      // A ranking that took the old engine just before the swap may still be using it.
      old?.then(
        (e) => setTimeout(() => e.release?.(), RELEASE_AFTER_SWAP_MS),
        () => undefined
      );
    })()
      .catch(() => undefined)
      .finally(() => {
        rechecking = false;
      });
  }

  function engineFor(modelUrl, limits) {
    // A model is its URL and the digest it must match.
    const key = `${modelUrl} ${limits.integrity ?? ''}`;
    if (ready && readyFor === key) {
      if (loaded && !rechecking && clock() - loaded.at >= MODEL_RECHECK_MS) recheck(key, modelUrl, limits);
      return ready;
    }
    // A different model: free the previous engine's wasm memory once it is no longer in use.
    ready?.then(
      (old) => old.release?.(),
      () => undefined
    );
    readyFor = key;
    loaded = null;
    ready = (async () => {
      if (!hasWebAssembly()) throw new VitrineError(ErrorCode.NO_WEBASSEMBLY, 'WebAssembly is not available');
      // Side by side: the engine's wasm compiles while the model downloads.
      const [made, fetched] = await Promise.allSettled([
        Promise.resolve()
          .then(createEngine)
          .then((engine) => {
            mark('engine');
            return engine;
          }),
        Promise.resolve()
          .then(() => fetchBytes(modelUrl, limits))
          .then((bytes) => {
            mark('model-fetched');
            return bytes;
          }),
      ]);
      if (made.status === 'rejected') throw made.reason;
      const engine = made.value;
      if (fetched.status === 'rejected') {
        engine.release?.();
        const e = fetched.reason;
        throw new VitrineError(ErrorCode.MODEL_FETCH, `could not fetch the model: ${e?.message ?? e}`);
      }
      await loadInto(engine, fetched.value, limits.maxBytes);
      mark('model-loaded');
      return engine;
    })();
    // A failed load is retried on a later request rather than cached forever (e.g. a network blip).
    ready.catch(() => {
      if (readyFor === key) ready = null;
    });
    return ready;
  }

  async function run(msg) {
    checkRequest(msg);
    const stored = msg.stored ? storedEvents(msg) : null;
    stored?.catch(() => {});
    const engine = await engineFor(msg.modelUrl, {
      timeoutMs: Number.isFinite(msg.modelTimeoutMs) ? msg.modelTimeoutMs : DEFAULT_FETCH.timeoutMs,
      maxBytes: Number.isFinite(msg.maxModelBytes) ? msg.maxModelBytes : DEFAULT_FETCH.maxBytes,
      integrity: msg.modelIntegrity ?? null,
    });
    if (msg.type === 'warm') return { type: 'warm', model: (await loaded?.version) ?? null };
    if (stored) {
      msg = { ...msg, events: await stored };
      // Nothing known about this shopper: the page keeps the merchant's order (as when it reads the store itself).
      if (msg.type === 'rank' && msg.events.length === 0)
        return { type: 'ranked', order: [], scores: [], reasons: {}, history: 0 };
    }
    try {
      const reply = await answer(engine, msg);
      if (stored) reply.history = msg.events.length;
      // The engine's linear memory after the request (it never shrinks): what bench/scale_session.mjs reports.
      if (typeof engine.memoryBytes === 'function') mark('wasm-memory', { bytes: engine.memoryBytes() });
      return reply;
    } catch (e) {
      // An engine whose module stopped (out of memory, a trap) answers nothing again: the next request makes a new
      // one rather than failing for as long as the worker lives.
      if (engine.stopped && (await ready?.catch(() => null)) === engine) {
        ready = null;
        readyFor = null;
        loaded = null;
      }
      throw e;
    }
  }

  // A model whose catalog is out of its file ranks the catalog through its index (core/include/vitrine/
  // catalog_index.h): the head once per engine, the pages of a paged head as queries need them, then only the
  // shards the shopper's nearest clusters need.
  async function topFromIndex(engine, msg) {
    needs(engine, 'probe');
    if (typeof msg.indexUrl !== 'string' || msg.indexUrl === '')
      throw new VitrineError(
        ErrorCode.BAD_REQUEST,
        'the model keeps its catalog out of its file: recommendations need its index (data-index)'
      );
    const limits = {
      timeoutMs: Number.isFinite(msg.modelTimeoutMs) ? msg.modelTimeoutMs : DEFAULT_FETCH.timeoutMs,
      maxBytes: Number.isFinite(msg.maxModelBytes) ? msg.maxModelBytes : DEFAULT_FETCH.maxBytes,
    };
    let entry = indexes.get(engine);
    if (entry?.url !== msg.indexUrl) {
      // Without cookies, as the shards (model_fetch.mjs fetchImmutable): nothing ties the index's files to a shopper.
      const loaded = fetchBytes(msg.indexUrl, { ...limits, credentials: 'omit' }).then((b) => engine.loadIndex(b));
      entry = { url: msg.indexUrl, loaded };
      indexes.set(engine, entry);
    }
    try {
      await entry.loaded;
    } catch (e) {
      if (indexes.get(engine) === entry) indexes.delete(engine); // the next request tries again
      throw new VitrineError(ErrorCode.MODEL_FETCH, `could not load the catalog index: ${e?.message ?? e}`);
    }
    const request = { events: msg.events, nowMs: msg.nowMs };
    let names = engine.probe(request);
    if (names.some((name) => name.endsWith('.vti'))) {
      // A paged head names the pages this query needs first; they are immutable and cached like the shards.
      needs(engine, 'loadIndexPage');
      let pages;
      try {
        pages = await Promise.all(names.map((name) => indexFile(new URL(name, msg.indexUrl).href, limits)));
      } catch (e) {
        throw new VitrineError(ErrorCode.MODEL_FETCH, `could not fetch an index page: ${e?.message ?? e}`);
      }
      for (const page of pages) engine.loadIndexPage(page);
      names = engine.probe(request);
      if (names.some((name) => name.endsWith('.vti')))
        throw new VitrineError(ErrorCode.MODEL_FETCH, 'the catalog index changed while its pages were loading');
    }
    let shards;
    try {
      shards = await Promise.all(names.map((name) => indexFile(new URL(name, msg.indexUrl).href, limits)));
    } catch (e) {
      throw new VitrineError(ErrorCode.MODEL_FETCH, `could not fetch an index shard: ${e?.message ?? e}`);
    }
    mark('shards');
    const top = engine.topKFromShards({ ...request, k: msg.k }, shards);
    // Each shard's products' feed sits beside it: s-<hash>.vts -> s-<hash>.json (vitrine build-index --products).
    const feedOf = names.map((name) => new URL(name.replace(/\.vts$/, '.json'), msg.indexUrl).href);
    return { ids: top.ids, feeds: top.shards.map((s) => (s === null ? null : feedOf[s])) };
  }

  async function storedEvents(msg) {
    if (!readStored) throw new VitrineError(ErrorCode.STORE_UNAVAILABLE, 'this worker cannot read the event store');
    let events;
    try {
      events = await readStored(msg.stored, msg.nowMs);
    } catch (e) {
      throw new VitrineError(ErrorCode.STORE_UNAVAILABLE, `could not read the event store: ${e?.message ?? e}`);
    }
    return withUnsaved(events, msg.events, msg.stored.limit);
  }

  async function answer(engine, msg) {
    if (msg.type === 'rank') {
      needs(engine, 'rank');
      // 'conversion' and 'value' only where the model can: the engine would refuse them (BAD_INPUT).
      const rankBy = msg.rankBy !== undefined && converts.get(engine) ? msg.rankBy : DEFAULT_RANK_BY;
      const result = await engine.rank({
        events: msg.events,
        candidates: msg.candidates,
        nowMs: msg.nowMs,
        ...(msg.blend === undefined ? {} : { blend: msg.blend }),
        ...(rankBy === DEFAULT_RANK_BY ? {} : { rankBy }),
      });
      mark('ranked');
      return toRankReply(msg.candidates, result, msg.explainTop, msg.diversity ?? null, rankBy);
    }
    if (msg.type === 'top') {
      const { ids, feeds } = coded.get(engine)
        ? await topFromIndex(engine, msg)
        : (needs(engine, 'topK'), await engine.topK({ events: msg.events, nowMs: msg.nowMs, k: msg.k }));
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
        throw new VitrineError(ErrorCode.BAD_RESULT, 'engine returned no product ids');
      return { type: 'top', ids: ids.slice(0, msg.k), ...(feeds ? { feeds: feeds.slice(0, msg.k) } : {}) };
    }
    if (msg.type === 'profile') {
      needs(engine, 'profile');
      const profile = plainData(await engine.profile({ events: msg.events, nowMs: msg.nowMs }));
      if (!profile || typeof profile !== 'object')
        throw new VitrineError(ErrorCode.BAD_RESULT, 'engine returned no profile');
      return { type: 'profile', profile };
    }
    throw new VitrineError(ErrorCode.BAD_REQUEST, `unknown request type ${String(msg.type).slice(0, 40)}`);
  }

  return {
    /** Answers one request; never throws. */
    async handle(msg) {
      const id = msg && typeof msg === 'object' ? msg.id : undefined;
      try {
        return { v: PROTOCOL_VERSION, id, ...(await run(msg)) };
      } catch (e) {
        // The service's own codes as they are; anything the engine (or a bug) threw is ENGINE, its status kept.
        const code = e instanceof VitrineError && e.status === undefined ? e.code : ErrorCode.ENGINE;
        const reply = { v: PROTOCOL_VERSION, id, type: 'error', code, message: String(e?.message ?? e) };
        const status = e?.statusName ?? e?.status;
        if (typeof status === 'string') reply.status = status;
        return reply;
      }
    },
  };
}
