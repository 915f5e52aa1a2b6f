// The main thread's side of the ranking protocol (message shapes in ranking_service.mjs). One module worker per
// page, created on the first request. Every failure (worker blocked by CSP, engine error, timeout) rejects with a
// RankingError; the caller then leaves the listing as the merchant rendered it.
import { PROTOCOL_VERSION } from './ranking_service.mjs';

export class RankingError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'RankingError';
    this.code = code;
  }
}

export class RankingClient {
  #workerUrl;
  #modelUrl;
  #timeoutMs;
  #model;
  #answered = false;
  #WorkerCtor;
  #worker = null;
  #started = null;
  #nextId = 1;
  #pending = new Map();

  /**
   * @param {object} options
   * @param {string|URL} options.workerUrl URL of worker.mjs (same origin as the page: worker-src 'self')
   * @param {string} options.modelUrl absolute URL of the model file
   * @param {number} options.timeoutMs  per request, once the model is loaded
   * @param {number} [options.modelTimeoutMs]  added to the first requests, which also fetch the model
   * @param {number} [options.maxModelBytes]
   * @param {typeof Worker} [options.Worker]
   * @param {Worker} [options.worker] a worker of workerUrl already started (by the one-tag loader) to use first
   */
  constructor({ workerUrl, modelUrl, timeoutMs, modelTimeoutMs = 10000, maxModelBytes, Worker: WorkerCtor = globalThis.Worker, worker = null }) {
    this.#workerUrl = workerUrl;
    this.#modelUrl = modelUrl;
    this.#timeoutMs = timeoutMs;
    this.#model = { modelTimeoutMs, maxModelBytes };
    this.#WorkerCtor = WorkerCtor;
    this.#started = worker;
  }

  /** @returns {Promise<{order: string[], scores: number[], reasons: object}>} */
  rank({ events, candidates, nowMs, explainTop }) {
    return this.#request({ type: 'rank', events, candidates, nowMs, ...(explainTop === undefined ? {} : { explainTop }) });
  }

  /**
   * Starts the worker, the engine and the model download now, before any listing needs them. Resolves when they
   * are ready; a failure here is left for the first real request to report (it tries the load again).
   */
  warm() {
    return this.#request({ type: 'warm' }).then(() => true, () => false);
  }

  /** @returns {Promise<{profile: object}>} */
  profile({ events, nowMs }) {
    return this.#request({ type: 'profile', events, nowMs });
  }

  #start() {
    if (this.#worker) return this.#worker;
    const started = this.#started;
    this.#started = null;
    if (!started && typeof this.#WorkerCtor !== 'function') throw new RankingError('NO_WORKER', 'Web Workers are not available');
    const worker = started ?? new this.#WorkerCtor(this.#workerUrl, { type: 'module', name: 'vitrine' });
    worker.onmessage = (event) => {
      const reply = event.data;
      const entry = this.#pending.get(reply?.id);
      if (!entry) return;
      this.#pending.delete(reply.id);
      clearTimeout(entry.timer);
      this.#answered = true;
      if (reply.type === 'error') {
        const status = reply.status ? ` (${reply.status})` : '';
        entry.reject(new RankingError(reply.code, `${reply.message}${status}`));
      } else entry.resolve(reply);
    };
    // A worker that fails to load (blocked, 404, syntax) fires "error"; nothing it owes will ever arrive.
    worker.onerror = (event) => {
      event?.preventDefault?.();
      this.#failAll(new RankingError('WORKER', `the ranking worker failed: ${event?.message || 'could not load'}`));
      this.terminate();
    };
    worker.onmessageerror = () => this.#failAll(new RankingError('WORKER', 'a worker message could not be read'));
    this.#worker = worker;
    return worker;
  }

  #request(body) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      // Until the worker has answered once, it may still be fetching the model (which has its own timeout).
      const ms = this.#timeoutMs + (this.#answered ? 0 : this.#model.modelTimeoutMs);
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RankingError('TIMEOUT', `no answer from the ranking worker in ${ms} ms`));
      }, ms);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#start().postMessage({ v: PROTOCOL_VERSION, id, modelUrl: this.#modelUrl, ...this.#model, ...body });
      } catch (e) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(e instanceof RankingError ? e : new RankingError('WORKER', String(e?.message ?? e)));
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
    this.#failAll(new RankingError('STOPPED', 'ranking stopped'));
    this.#worker?.terminate();
    this.#worker = null;
    this.#started?.terminate();
    this.#started = null;
  }
}
