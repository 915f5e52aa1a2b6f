// The JS side of the wasm boundary: loads the ES module and wraps the flat C API (wasm/vitrine_api.h).
//
// Rules kept here, so callers never have to:
//  - every C call's status is checked, and a failure becomes a VitrineError (status.mjs engineError) carrying the engine's last-error text;
//  - every _malloc is freed in `finally`, also when the call fails;
//  - results are copied into JS-owned typed arrays before the wasm heap can move (memory growth);
//  - one wasm call per batch.
import { engineError, Status } from './status.mjs';
import { explanationText } from './explain.mjs';
import { orderByScore } from './ranking_service.mjs';
import { decodeExplanations, decodeProfile, encodeRankRequest } from './wire.mjs';

const F32 = Float32Array.BYTES_PER_ELEMENT;
const U32 = Uint32Array.BYTES_PER_ELEMENT;
/** VT_NO_SHARD of wasm/vitrine_api.h (tests/js/item_codes.test.mjs checks they match). */
export const NO_SHARD = 0xffffffff;

/**
 * Instantiates the wasm module and creates one engine handle.
 * @param {object} options
 * @param {string|URL} [options.moduleUrl] URL of vitrine-engine.mjs, its .wasm beside it (default: the two files
 *   next to this one)
 * @param {ArrayBuffer|Uint8Array} [options.wasmBinary] the .wasm bytes (Node passes these; browsers fetch).
 */
export async function createEngine(options = {}) {
  if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available');
  const moduleUrl = options.moduleUrl;
  // The default paths are string literals on purpose: a bundler (Vite, webpack 5, Parcel) follows the import and
  // the new URL(…, import.meta.url), bundles the glue and emits the .wasm under its own (hashed) name.
  const { default: createVitrineEngine } = await (moduleUrl
    ? import(String(moduleUrl))
    : import('./vitrine-engine.mjs'));
  // Silent: Emscripten's runtime would write its own console lines on the shop's page (a CSP that forbids
  // compiling wasm gives eight). Its failures still reach us, as the rejection below, and are warned about once.
  const moduleArgs = { print: () => {}, printErr: () => {} };
  if (options.wasmBinary) moduleArgs.wasmBinary = options.wasmBinary;
  else
    moduleArgs.locateFile = moduleUrl
      ? (file) => new URL(file, moduleUrl).href
      : () => new URL('./vitrine-engine.wasm', import.meta.url).href; // the glue asks for this one file only
  const wasm = await createVitrineEngine(moduleArgs);
  return new Engine(wasm);
}

export class Engine {
  #wasm;
  #handle = 0;
  #vocabulary = null;
  #stopped = null; // the VitrineError every call fails with once the module has trapped

  constructor(wasm) {
    this.#wasm = stopOnTrap(wasm, (trap) => {
      this.#stopped ??= engineError(Status.INTERNAL, `the engine stopped (out of memory, or a bug): ${trap.message}`);
      return this.#stopped;
    });
    wasm = this.#wasm;
    const out = wasm._malloc(4);
    try {
      const status = wasm._vt_engine_create(out);
      if (status !== Status.OK) throw engineError(status, 'could not create engine');
      this.#handle = wasm.HEAPU32[out >>> 2];
    } finally {
      wasm._free(out);
    }
  }

  /**
   * True once the wasm module has trapped: it is built without C++ exceptions (CMakeLists.txt), so a failed
   * allocation aborts it. Every later call then fails with the same VitrineError; the owner makes a new engine.
   */
  get stopped() {
    return this.#stopped !== null;
  }

  /** Bytes of wasm linear memory the engine holds now (it grows on demand and never shrinks). */
  memoryBytes() {
    return this.#wasm.HEAPU8.length;
  }

  /** Build description from the wasm side: version, kernel table, SIMD. */
  buildInfo() {
    return JSON.parse(this.#wasm.UTF8ToString(this.#wasm._vt_engine_build_info(this.#live())));
  }

  /**
   * Loads a model file (the bytes are copied into wasm). Validated completely first: on failure the previous
   * model stays loaded and a VitrineError names the problem.
   * @param {Uint8Array} bytes
   * @param {{maxBytes?: number}} [limits] maxBytes: the page's data-max-model-bytes; a larger file is refused
   *   (LIMIT_EXCEEDED) before the engine reads it, and the limit stays for later loads
   * @returns {object} the model's description (modelInfo())
   */
  loadModel(bytes, { maxBytes } = {}) {
    const wasm = this.#wasm;
    if (maxBytes !== undefined)
      this.#check(wasm._vt_engine_set_model_limit(this.#live(), Math.min(maxBytes, 0xffffffff) >>> 0));
    this.#withBytes(bytes, (pBytes) => this.#check(wasm._vt_engine_load_model(this.#live(), pBytes, bytes.length)));
    this.#vocabulary = null;
    return this.modelInfo();
  }

  /** Kind, vocabulary size, dimensions, content features and training metadata of the loaded model. */
  modelInfo() {
    return JSON.parse(this.#textOut((pOut) => this.#wasm._vt_engine_model_info(this.#live(), pOut)));
  }

  /** Product ids of the model's catalog, in model item order (item k+1 is entry k). Fetched once per model. */
  vocabulary() {
    this.#vocabulary ??= this.#textOut((pOut) => this.#wasm._vt_engine_vocabulary(this.#live(), pOut)).split('\n');
    return this.#vocabulary;
  }

  /**
   * Scores a page's candidates against the shopper's events, in one wasm call.
   * @param {{events: object[], candidates: {id: string, category?: string, brand?: string, price?: number}[],
   *          nowMs?: number, blend?: number, rankBy?: 'relevance'|'conversion'|'value'}} request events as stored
   *        by the package (storage.mjs records); candidates may carry the merchant's position, boost and available
   *        (core/include/vitrine/shopper.h), blend weighs the shop's order (default: the model's,
   *        modelInfo().blend), and rankBy replaces the personal score by ln(purchase probability) ('conversion') or
   *        ln(probability x price)
   *        ('value'), each stated relative to the listing (one constant apart); a model without a conversion head
   *        refuses those (BAD_INPUT)
   * @param {{explain?: boolean}} [options] explain: false skips the reasons (most of the cost of a long listing)
   *        and returns none; the scores are the same
   * @returns {{scores: Float32Array, reasons: {id: string, text: string, factors: object[]}[],
   *            conversion: {cart: Float32Array, purchase: Float32Array}|null}} conversion: each candidate's
   *        probability of being added to the cart and bought this visit (NaN for an output the model lacks), or
   *        null when the model has no conversion head
   */
  rank(request, { explain = true } = {}) {
    const wasm = this.#wasm;
    const n = request.candidates.length;
    let pScores = 0,
      pConversion = 0;
    try {
      pScores = this.#alloc(n * F32);
      pConversion = this.#alloc(2 * n * F32);
      // NaN first: an engine that writes no probabilities (no head) leaves "none" behind, never stale heap bytes.
      wasm.HEAPF32.fill(NaN, pConversion >>> 2, (pConversion >>> 2) + 2 * n);
      const call = (pReq, len, pOut, pSize) =>
        wasm._vt_engine_rank(this.#live(), pReq, len, pScores, n, pConversion, pOut, pSize);
      if (!explain) {
        this.#withRequest(request, (pReq, len) => this.#check(call(pReq, len, 0, 0)));
        return {
          scores: wasm.HEAPF32.slice(pScores >>> 2, (pScores >>> 2) + n),
          reasons: [],
          conversion: this.#conversionOut(pConversion, n),
        };
      }
      const factors = decodeExplanations(
        this.#withRequest(request, (pReq, len) => this.#messageOut((pOut, pSize) => call(pReq, len, pOut, pSize)))
      );
      const scores = wasm.HEAPF32.slice(pScores >>> 2, (pScores >>> 2) + n);
      const conversion = this.#conversionOut(pConversion, n);
      // A model with a cart head only ranks by the cart probability: its factor says so (explain.mjs words it).
      if (conversion && Number.isNaN(conversion.purchase[0])) {
        for (const entry of factors)
          for (const f of entry.factors) if (f.kind === 'conversion' && !f.name) f.name = 'cart';
      }
      // The text says where each candidate lands when the whole list is ordered by these scores (by index, so
      // duplicate ids each get theirs); a page that moves fewer items words it again from what it shows (vitrine.mjs).
      const shownAt = new Array(n);
      orderByScore(
        request.candidates.map((_, i) => ({ id: i })),
        scores
      ).forEach((i, to) => {
        shownAt[i] = to;
      });
      const reasons = request.candidates.map((c, i) => ({
        id: c.id,
        text: explanationText(factors[i].factors, { from: i, to: shownAt[i] }),
        factors: factors[i].factors,
      }));
      return { scores, reasons, conversion };
    } finally {
      wasm._free(pScores);
      wasm._free(pConversion);
    }
  }

  // The 2n probabilities rank() wrote (cart first, then purchase) as two arrays, or null when all are NaN.
  #conversionOut(pConversion, n) {
    const both = this.#wasm.HEAPF32.slice(pConversion >>> 2, (pConversion >>> 2) + 2 * n);
    if (both.every((p) => Number.isNaN(p))) return null;
    return { cart: both.slice(0, n), purchase: both.slice(n) };
  }

  /**
   * The k best products of the whole catalog for these events.
   * @returns {{ids: string[], scores: Float32Array}}
   */
  topK({ events = [], nowMs = Date.now(), k = 20 }) {
    const wasm = this.#wasm;
    const vocabulary = this.vocabulary();
    let pItems = 0,
      pScores = 0,
      pCount = 0;
    try {
      pItems = this.#alloc(k * U32);
      pScores = this.#alloc(k * F32);
      pCount = this.#alloc(U32);
      const count = this.#withRequest({ events, candidates: [], nowMs }, (pReq, len) => {
        this.#check(wasm._vt_engine_top_k(this.#live(), pReq, len, k, pItems, pScores, pCount));
        return wasm.HEAPU32[pCount >>> 2];
      });
      const items = wasm.HEAPU32.slice(pItems >>> 2, (pItems >>> 2) + count);
      return {
        ids: Array.from(items, (item) => vocabulary[item - 1]),
        scores: wasm.HEAPF32.slice(pScores >>> 2, (pScores >>> 2) + count),
      };
    } finally {
      wasm._free(pItems);
      wasm._free(pScores);
      wasm._free(pCount);
    }
  }

  /**
   * Loads a catalog index head (`vitrine build-index`'s index.vti) for the loaded model, whose products come as
   * codes. Loading a model drops it.
   * @param {Uint8Array} bytes
   */
  loadIndex(bytes) {
    this.#withBytes(bytes, (pBytes) =>
      this.#check(this.#wasm._vt_engine_load_index(this.#live(), pBytes, bytes.length))
    );
  }

  /**
   * Loads a page of the loaded paged head (a `p-<hash>.vti` file that probe() named).
   * @param {Uint8Array} bytes
   */
  loadIndexPage(bytes) {
    this.#withBytes(bytes, (pBytes) =>
      this.#check(this.#wasm._vt_engine_load_index_page(this.#live(), pBytes, bytes.length))
    );
  }

  /**
   * The shard file names a catalog-wide top-K for these events reads, nearest cluster first. With a paged head,
   * while pages it needs are not loaded, the names of those pages (`.vti`) instead: load them and probe again.
   * @param {{events?: object[], nowMs?: number, probe?: number}} request probe: clusters to read (0: the index's)
   * @returns {string[]}
   */
  probe({ events = [], nowMs = Date.now(), probe = 0 }) {
    const text = this.#withRequest({ events, candidates: [], nowMs }, (pReq, len) =>
      this.#textOut((pOut) => this.#wasm._vt_engine_probe(this.#live(), pReq, len, probe >>> 0, pOut))
    );
    return text === '' ? [] : text.split('\n');
  }

  /**
   * The k best products among the shards' (the bytes of the files probe() named) and the events' own coded
   * products, in one wasm call. shards[i] is the index into `shards` of the first shard holding ids[i], or null for
   * one of the events' own products that no given shard holds.
   * @param {{events?: object[], nowMs?: number, k?: number}} request
   * @param {Uint8Array[]} shards
   * @returns {{ids: string[], scores: Float32Array, shards: (number|null)[]}}
   */
  topKFromShards({ events = [], nowMs = Date.now(), k = 20 }, shards) {
    const wasm = this.#wasm;
    const total = shards.reduce((sum, s) => sum + s.length, 0);
    let pShards = 0,
      pSizes = 0,
      pScores = 0,
      pSources = 0,
      pCount = 0;
    try {
      pShards = this.#alloc(total);
      pSizes = this.#alloc(shards.length * U32);
      pScores = this.#alloc(k * F32);
      pSources = this.#alloc(k * U32);
      pCount = this.#alloc(U32);
      let at = pShards;
      shards.forEach((shard, i) => {
        wasm.HEAPU8.set(shard, at);
        wasm.HEAPU32[(pSizes >>> 2) + i] = shard.length;
        at += shard.length;
      });
      const text = this.#withRequest({ events, candidates: [], nowMs }, (pReq, len) =>
        this.#textOut((pOut) =>
          wasm._vt_engine_top_k_shards(
            this.#live(),
            pReq,
            len,
            pShards,
            pSizes,
            shards.length,
            k,
            pOut,
            pScores,
            pSources,
            pCount
          )
        )
      );
      const count = wasm.HEAPU32[pCount >>> 2];
      const sources = Array.from(wasm.HEAPU32.subarray(pSources >>> 2, (pSources >>> 2) + count));
      return {
        ids: count === 0 ? [] : text.split('\n'),
        scores: wasm.HEAPF32.slice(pScores >>> 2, (pScores >>> 2) + count),
        shards: sources.map((s) => (s === NO_SHARD ? null : s)),
      };
    } finally {
      wasm._free(pShards);
      wasm._free(pSizes);
      wasm._free(pScores);
      wasm._free(pSources);
      wasm._free(pCount);
    }
  }

  /**
   * What the engine derives from the events: category, brand and price affinities and the session's intent.
   * `categoryAffinity` maps each category to its share of the shopper's interest (used by personalized slots).
   */
  profile({ events = [], nowMs = Date.now() }) {
    const profile = decodeProfile(
      this.#withRequest({ events, candidates: [], nowMs }, (pReq, len) =>
        this.#messageOut((pOut, pSize) => this.#wasm._vt_engine_profile(this.#live(), pReq, len, pOut, pSize))
      )
    );
    profile.categoryAffinity = Object.fromEntries(profile.categories.map((c) => [c.name, c.weight]));
    return profile;
  }

  /** Frees the engine handle. Safe to call twice. */
  release() {
    if (this.#handle !== 0) this.#wasm._vt_engine_release(this.#handle);
    this.#handle = 0;
  }

  #live() {
    if (this.#handle === 0) throw engineError(Status.INVALID_ARGUMENT, 'engine was released');
    return this.#handle;
  }

  #alloc(bytes) {
    const ptr = this.#wasm._malloc(Math.max(bytes, 1));
    if (ptr === 0) throw engineError(Status.OUT_OF_MEMORY, `could not allocate ${bytes} bytes in wasm`);
    return ptr;
  }

  // Copies `bytes` into wasm memory, calls body(ptr), frees it.
  #withBytes(bytes, body) {
    let pBytes = 0;
    try {
      pBytes = this.#alloc(bytes.length);
      this.#wasm.HEAPU8.set(bytes, pBytes);
      return body(pBytes);
    } finally {
      this.#wasm._free(pBytes);
    }
  }

  // Writes the request message (wire.mjs) into wasm memory, calls body(ptr, byteLength), frees it.
  #withRequest(request, body) {
    const wasm = this.#wasm;
    const bytes = encodeRankRequest(request);
    let pReq = 0;
    try {
      pReq = this.#alloc(bytes.length);
      wasm.HEAPU8.set(bytes, pReq);
      return body(pReq, bytes.length);
    } finally {
      wasm._free(pReq);
    }
  }

  // Calls fn(pOut) where pOut receives a `const char*` owned by the engine; returns the text.
  #textOut(fn) {
    const wasm = this.#wasm;
    let pOut = 0;
    try {
      pOut = this.#alloc(U32);
      this.#check(fn(pOut));
      return wasm.UTF8ToString(wasm.HEAPU32[pOut >>> 2]);
    } finally {
      wasm._free(pOut);
    }
  }

  // Calls fn(pOut, pSize) where pOut receives a pointer to a message owned by the engine and pSize its byte count;
  // returns a copy of the message (the engine's buffer lives only until its next call).
  #messageOut(fn) {
    const wasm = this.#wasm;
    let pOut = 0;
    try {
      pOut = this.#alloc(2 * U32);
      this.#check(fn(pOut, pOut + U32));
      const at = wasm.HEAPU32[pOut >>> 2];
      return wasm.HEAPU8.slice(at, at + wasm.HEAPU32[(pOut >>> 2) + 1]);
    } finally {
      wasm._free(pOut);
    }
  }

  #check(status) {
    if (status !== Status.OK) {
      throw engineError(status, this.#wasm.UTF8ToString(this.#wasm._vt_engine_last_error(this.#handle)));
    }
  }
}

// The module with its exported functions guarded: a wasm trap (WebAssembly.RuntimeError: an abort or an
// unreachable) becomes onTrap's error, and after one every call fails with it at once, except _free, which has
// nothing left to free. Heap views and other properties pass through.
function stopOnTrap(wasm, onTrap) {
  let stopped = null;
  const guarded = new Map();
  return new Proxy(wasm, {
    get(target, key) {
      const value = target[key];
      if (typeof value !== 'function' || typeof key !== 'string' || !key.startsWith('_')) return value;
      if (!guarded.has(key)) {
        guarded.set(key, (...args) => {
          if (stopped) {
            if (key === '_free') return undefined;
            throw stopped;
          }
          try {
            return value(...args);
          } catch (e) {
            if (!(e instanceof WebAssembly.RuntimeError)) throw e;
            stopped = onTrap(e);
            throw stopped;
          }
        });
      }
      return guarded.get(key);
    },
  });
}
