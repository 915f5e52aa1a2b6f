// The main thread's side of the ranking protocol (message shapes in ranking_service.mjs). The worker is opened on
// the first request (or by the one-tag loader, vitrine.js, which opens it the same way). Every failure (worker
// blocked by CSP, engine error, timeout) rejects with a VitrineError (status.mjs); the caller then leaves the listing as the
// merchant rendered it.
import { PROTOCOL_VERSION } from './ranking_service.mjs';
import { VitrineError } from './status.mjs';

/**
 * Whether this SharedWorker constructor honours `extendedLifetime` (Chromium 148+). The options are converted before
 * the URL is parsed, and a member the browser knows is read then: an unparsable URL probes without starting a worker.
 */
export function sharedWorkersOutlivePages(SharedWorkerCtor = globalThis.SharedWorker) {
  if (typeof SharedWorkerCtor !== 'function') return false;
  let read = false;
  try {
    new SharedWorkerCtor('http://[', {
      get extendedLifetime() {
        read = true;
        return true;
      },
    });
  } catch {
    // the SyntaxError of the URL, expected
  }
  return read;
}

/**
 * Opens the ranking worker of `url`. Given a SharedWorker constructor (the default; none with data-worker="page") that
 * can outlive the page (extendedLifetime), it is one SharedWorker per origin, so the next page of the shop finds the
 * engine compiled and tiered up and the model parsed (it holds no shopper data between requests: every request
 * carries its events). Otherwise, one module Worker per page. Returns a channel: `port` to post to and hear from,
 * `source` that fires 'error' when the script cannot load, `terminate()` to stop using it (a shared worker lives on
 * for the shop's other pages), and `shared`.
 * @param {string|URL|null} url null: the package's worker.mjs beside this module
 * @param {{Worker?: typeof Worker, SharedWorker?: typeof SharedWorker|null}} [ctors] SharedWorker: none by default
 */
export function openRankingChannel(
  url,
  { Worker: WorkerCtor = globalThis.Worker, SharedWorker: SharedCtor = null } = {}
) {
  if (sharedWorkersOutlivePages(SharedCtor)) {
    const worker =
      url == null && SharedCtor === globalThis.SharedWorker
        ? new SharedWorker(new URL('./worker.mjs', import.meta.url), {
            type: 'module',
            name: 'vitrine',
            extendedLifetime: true,
          })
        : new SharedCtor(url ?? new URL('./worker.mjs', import.meta.url), {
            type: 'module',
            name: 'vitrine',
            extendedLifetime: true,
          });
    const port = worker.port;
    return { port, source: worker, shared: true, terminate: () => port.close() };
  }
  if (typeof WorkerCtor !== 'function') throw new VitrineError('NO_WORKER', 'Web Workers are not available');
  // The package's own worker is written out as new Worker(new URL('./worker.mjs', import.meta.url), {type: 'module'}),
  // the one form bundlers (Vite, webpack 5, Parcel) recognise: they bundle worker.mjs with the engine and its .wasm
  // and rewrite the URL. As shipped, it is the file beside this module.
  const worker =
    url == null && WorkerCtor === globalThis.Worker
      ? new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module', name: 'vitrine' })
      : new WorkerCtor(url ?? new URL('./worker.mjs', import.meta.url), { type: 'module', name: 'vitrine' });
  return { port: worker, source: worker, shared: false, terminate: () => worker.terminate() };
}

export class RankingClient {
  #workerUrl;
  #modelUrl;
  #timeoutMs;
  #model;
  #answered = false;
  #ctors;
  #channel = null;
  #started = null;
  #nextId = 1;
  #pending = new Map();
  #onNotice;

  /**
   * @param {object} options
   * @param {string|URL|null} options.workerUrl URL of worker.mjs (same origin as the page: worker-src 'self'); null
   *   for the package's own, beside this module
   * @param {string} options.modelUrl absolute URL of the model file
   * @param {number} options.timeoutMs  per request, once the model is loaded
   * @param {number} [options.modelTimeoutMs]  added to the first requests, which also fetch the model
   * @param {number} [options.maxModelBytes]
   * @param {string|null} [options.modelIntegrity] digests the model must match (data-model-integrity)
   * @param {string|null} [options.indexUrl] the catalog index of a model whose catalog is out of its file (data-index)
   * @param {typeof Worker} [options.Worker]
   * @param {typeof SharedWorker|null} [options.SharedWorker] given only with data-worker="shared" (default none)
   * @param {object} [options.channel] a channel to workerUrl already opened (by the one-tag loader) to use first,
   *   or to the vault (vault_client.mjs openVault), which answers the same requests from the history it keeps
   * @param {(what: string) => void} [options.onNotice] the vault's notices: 'cleared', 'opted-out', 'consent-granted',
   *   'consent-refused'
   */
  constructor({
    workerUrl,
    modelUrl,
    timeoutMs,
    modelTimeoutMs = 10000,
    maxModelBytes,
    modelIntegrity = null,
    indexUrl = null,
    Worker: WorkerCtor = globalThis.Worker,
    SharedWorker: SharedCtor = null,
    channel = null,
    onNotice = null,
  }) {
    this.#workerUrl = workerUrl;
    this.#modelUrl = modelUrl;
    this.#timeoutMs = timeoutMs;
    this.#model = {
      modelTimeoutMs,
      maxModelBytes,
      ...(modelIntegrity ? { modelIntegrity } : {}),
      ...(indexUrl ? { indexUrl } : {}),
    };
    this.#ctors = { Worker: WorkerCtor, SharedWorker: SharedCtor };
    this.#started = channel;
    this.#onNotice = onNotice;
    // A vault's notices can come before any request: the shopper answers Vitrine's consent prompt.
    if (onNotice && channel) this.#start();
  }

  /** True when the worker is shared with the shop's other pages (and outlives this one). */
  get shared() {
    return this.#channel?.shared ?? this.#started?.shared ?? false;
  }

  /**
   * rankBy: 'relevance', 'conversion' or 'value' (rank_by.mjs); the reply's rankBy says what the order was made by.
   * @returns {Promise<{order: string[], scores: number[], reasons: object, rankBy?: string}>}
   */
  rank({ events, stored, candidates, nowMs, explainTop, blend, diversity, rankBy }) {
    return this.#request({
      type: 'rank',
      events,
      ...(stored ? { stored } : {}),
      candidates,
      nowMs,
      ...(explainTop === undefined ? {} : { explainTop }),
      ...(blend === undefined ? {} : { blend }),
      ...(diversity ? { diversity } : {}),
      ...(rankBy === undefined ? {} : { rankBy }),
    });
  }

  /**
   * Starts the worker, the engine and the model download now, before any listing needs them. Resolves when they
   * are ready, with the model's version (ranking_service.mjs modelVersion); a failure here resolves
   * { ready: false } and is left for the first real request to report (it tries the load again).
   * @returns {Promise<{ready: boolean, model: string|null}>}
   */
  warm() {
    return this.#request({ type: 'warm' }).then(
      (reply) => ({ ready: true, model: typeof reply.model === 'string' ? reply.model : null }),
      () => ({ ready: false, model: null })
    );
  }

  /** The vault only (vault.mjs): adds records (events.mjs toRecord) to the shopper's history it keeps. */
  append(records) {
    return this.#request({ type: 'append', records });
  }

  /** The vault only: each slot's variant index (slots.mjs describeSlot in, chooseIndex out). */
  chooseSlots(slots) {
    return this.#request({ type: 'slots', slots });
  }

  /** The vault only: the page's consent manager granted consent (vault.mjs). @returns {Promise<{storage: string}>} */
  consent(basis) {
    return this.#request({ type: 'consent', basis });
  }

  /** The vault only: erases the history it keeps (consent withdrawn). @returns {Promise<{erased: boolean}>} */
  erase() {
    return this.#request({ type: 'erase' });
  }

  /** The vault only: keeps the shopper's opt-out and erases the history. @returns {Promise<{saved, erased}>} */
  optOut() {
    return this.#request({ type: 'opt-out' });
  }

  /** The k best products of the whole catalog for these events. @returns {Promise<{ids: string[]}>} */
  top({ events, stored, nowMs, k }) {
    return this.#request({ type: 'top', events, ...(stored ? { stored } : {}), nowMs, k });
  }

  /** @returns {Promise<{profile: object}>} */
  profile({ events, stored, nowMs }) {
    return this.#request({ type: 'profile', events, ...(stored ? { stored } : {}), nowMs });
  }

  #start() {
    if (this.#channel) return this.#channel.port;
    const channel = this.#started ?? openRankingChannel(this.#workerUrl, this.#ctors);
    this.#started = null;
    const { port } = channel;
    port.onmessage = (event) => {
      const reply = event.data;
      if (reply?.type === 'notice' && reply.id === undefined) {
        this.#onNotice?.(String(reply.what));
        return;
      }
      const entry = this.#pending.get(reply?.id);
      if (!entry) return;
      this.#pending.delete(reply.id);
      clearTimeout(entry.timer);
      this.#answered = true;
      if (reply.type === 'error') {
        const status = reply.status ? ` (${reply.status})` : '';
        entry.reject(new VitrineError(reply.code, `${reply.message}${status}`));
      } else entry.resolve(reply);
    };
    // A worker that fails to load (blocked, 404, syntax) fires "error"; nothing it owes will ever arrive. (A shared
    // worker's later uncaught errors stay inside it: the request's timeout ends those.)
    channel.source.onerror = (event) => {
      event?.preventDefault?.();
      this.#failAll(new VitrineError('WORKER', `the ranking worker failed: ${event?.message || 'could not load'}`));
      this.terminate();
    };
    port.onmessageerror = () => this.#failAll(new VitrineError('WORKER', 'a worker message could not be read'));
    this.#channel = channel;
    return port;
  }

  #request(body) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      // Until the worker has answered once, it may still be fetching the model (which has its own timeout).
      const ms = this.#timeoutMs + (this.#answered ? 0 : this.#model.modelTimeoutMs);
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new VitrineError('TIMEOUT', `no answer from the ranking worker in ${ms} ms`));
      }, ms);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#start().postMessage({ v: PROTOCOL_VERSION, id, modelUrl: this.#modelUrl, ...this.#model, ...body });
      } catch (e) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(e instanceof VitrineError ? e : new VitrineError('WORKER', String(e?.message ?? e)));
      }
    });
  }

  #failAll(error) {
    for (const [id, entry] of this.#pending) {
      clearTimeout(entry.timer);
      entry.reject(error);
      this.#pending.delete(id);
    }
  }

  terminate() {
    this.#failAll(new VitrineError('STOPPED', 'ranking stopped'));
    this.#channel?.terminate();
    this.#channel = null;
    this.#started?.terminate();
    this.#started = null;
  }
}
