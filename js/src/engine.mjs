// The JS side of the wasm boundary: loads the ES module and wraps the flat C API (wasm/vitrine_api.h).
//
// Rules kept here, so callers never have to:
//  - every C call's status is checked, and a failure becomes an EngineError carrying the engine's last-error text;
//  - every _malloc is freed in `finally`, also when the call fails;
//  - results are copied into JS-owned typed arrays before the wasm heap can move (memory growth);
//  - one wasm call per batch.
import { EngineError, Status } from './status.mjs';

const F32 = Float32Array.BYTES_PER_ELEMENT;

/**
 * Instantiates the wasm module and creates one engine handle.
 * @param {object} options
 * @param {string|URL} [options.moduleUrl] URL of vitrine-engine.mjs (default: next to this file).
 * @param {ArrayBuffer|Uint8Array} [options.wasmBinary] the .wasm bytes (Node passes these; browsers fetch).
 */
export async function createEngine(options = {}) {
  if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available');
  const moduleUrl = options.moduleUrl ?? new URL('./vitrine-engine.mjs', import.meta.url);
  const { default: createVitrineEngine } = await import(String(moduleUrl));
  const moduleArgs = {};
  if (options.wasmBinary) moduleArgs.wasmBinary = options.wasmBinary;
  else moduleArgs.locateFile = (file) => new URL(file, moduleUrl).href;
  const wasm = await createVitrineEngine(moduleArgs);
  return new Engine(wasm);
}

export class Engine {
  #wasm;
  #handle = 0;

  constructor(wasm) {
    this.#wasm = wasm;
    const out = wasm._malloc(4);
    try {
      const status = wasm._vt_engine_create(out);
      if (status !== Status.OK) throw new EngineError(status, 'could not create engine');
      this.#handle = wasm.HEAPU32[out >>> 2];
    } finally {
      wasm._free(out);
    }
  }

  /** Build description from the wasm side: version, kernel table, SIMD. */
  buildInfo() {
    return JSON.parse(this.#wasm.UTF8ToString(this.#wasm._vt_engine_build_info(this.#live())));
  }

  /**
   * Scores every row of a row-major table against one query, in one wasm call.
   * @param {Float32Array} query length dim
   * @param {Float32Array} rows length nRows*dim
   * @returns {Float32Array} nRows scores, owned by the caller
   */
  dotScores(query, rows) {
    const wasm = this.#wasm;
    const dim = query.length;
    if (dim === 0 || rows.length % dim !== 0) {
      throw new EngineError(Status.INVALID_ARGUMENT, `rows length ${rows.length} is not a multiple of dim ${dim}`);
    }
    const nRows = rows.length / dim;
    let pQuery = 0, pRows = 0, pOut = 0;
    try {
      pQuery = this.#alloc(dim * F32);
      pRows = this.#alloc(rows.length * F32);
      pOut = this.#alloc(nRows * F32);
      wasm.HEAPF32.set(query, pQuery >>> 2);
      wasm.HEAPF32.set(rows, pRows >>> 2);
      this.#check(wasm._vt_engine_dot_scores(this.#live(), pQuery, dim, pRows, nRows, pOut));
      return wasm.HEAPF32.slice(pOut >>> 2, (pOut >>> 2) + nRows);
    } finally {
      wasm._free(pQuery);
      wasm._free(pRows);
      wasm._free(pOut);
    }
  }

  /** Frees the engine handle. Safe to call twice. */
  release() {
    if (this.#handle !== 0) this.#wasm._vt_engine_release(this.#handle);
    this.#handle = 0;
  }

  #live() {
    if (this.#handle === 0) throw new EngineError(Status.INVALID_ARGUMENT, 'engine was released');
    return this.#handle;
  }

  #alloc(bytes) {
    const ptr = this.#wasm._malloc(Math.max(bytes, 1));
    if (ptr === 0) throw new EngineError(Status.OUT_OF_MEMORY, `could not allocate ${bytes} bytes in wasm`);
    return ptr;
  }

  #check(status) {
    if (status !== Status.OK) {
      throw new EngineError(status, this.#wasm.UTF8ToString(this.#wasm._vt_engine_last_error(this.#handle)));
    }
  }
}
