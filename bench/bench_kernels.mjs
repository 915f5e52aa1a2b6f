// The benchmark's wasm module (bench/bench_module.cc, built as build/wasm/bench/vitrine-bench.mjs) from JS: the
// reference MLP and the int8 item index, on the engine's kernels but outside the shipped engine. The same rules as
// js/src/engine.mjs: every status checked (a failure throws an Error with `status` and the module's message),
// every _malloc freed in `finally`, results copied out before the heap can move, one wasm call per batch.
// Self-contained (no import), so that Node and the benchmark page load it from the same file.

const F32 = Float32Array.BYTES_PER_ELEMENT;
const U32 = Uint32Array.BYTES_PER_ELEMENT;

/**
 * Instantiates the module at `moduleUrl` and opens one handle.
 * @param {string|URL} moduleUrl vitrine-bench.mjs
 * @param {object} [moduleArgs] for Emscripten: {wasmBinary} under Node, {locateFile} in a page
 */
export async function createBenchKernels(moduleUrl, moduleArgs = {}) {
  const { default: create } = await import(String(moduleUrl));
  return new BenchKernels(await create({ print() {}, printErr() {}, ...moduleArgs }));
}

export class BenchKernels {
  #wasm;
  #handle = 0;
  #outputDim = 1; // outputs per row of the loaded MLP, to size scoreFeatures' result

  constructor(wasm) {
    this.#wasm = wasm;
    const out = this.#alloc(U32);
    try {
      this.#check(wasm._vt_bench_create(out), 'could not create the bench handle');
      this.#handle = wasm.HEAPU32[out >>> 2];
    } finally {
      wasm._free(out);
    }
  }

  /** The Emscripten module itself (bench/suite.mjs's roofline probe calls _vt_bench_roofline on it). */
  get module() {
    return this.#wasm;
  }

  /**
   * Loads an "mlp" model file (`vitrine make-reference-mlp`); the bytes are copied.
   * @returns {{inputDim: number, outputDim: number}}
   */
  loadMlp(bytes) {
    const wasm = this.#wasm;
    let pBytes = 0,
      pDims = 0;
    try {
      pBytes = this.#alloc(bytes.length);
      pDims = this.#alloc(2 * U32);
      wasm.HEAPU8.set(bytes, pBytes);
      this.#check(wasm._vt_bench_load_mlp(this.#live(), pBytes, bytes.length, pDims, pDims + U32));
      const [inputDim, outputDim] = wasm.HEAPU32.slice(pDims >>> 2, (pDims >>> 2) + 2);
      this.#outputDim = outputDim;
      return { inputDim, outputDim };
    } finally {
      wasm._free(pBytes);
      wasm._free(pDims);
    }
  }

  /**
   * Scores n rows of `dim` features with the loaded MLP in one call.
   * @returns {Float32Array} n * outputDim scores, owned by the caller
   */
  scoreFeatures(features, dim) {
    const wasm = this.#wasm;
    if (!(dim > 0) || features.length % dim !== 0)
      throw benchError(1, `features length ${features.length} is not a multiple of dim ${dim}`);
    const n = features.length / dim;
    const nOut = n * this.#outputDim;
    let pFeatures = 0,
      pOut = 0;
    try {
      pFeatures = this.#alloc(features.length * F32);
      pOut = this.#alloc(nOut * F32);
      wasm.HEAPF32.set(features, pFeatures >>> 2);
      this.#check(wasm._vt_bench_score_features(this.#live(), pFeatures, n, dim, pOut));
      return wasm.HEAPF32.slice(pOut >>> 2, (pOut >>> 2) + nOut);
    } finally {
      wasm._free(pFeatures);
      wasm._free(pOut);
    }
  }

  /** Keeps a copy of an item table (nItems * dim floats, row-major) for topKDot. */
  setItemVectors(vectors, dim) {
    const wasm = this.#wasm;
    if (!(dim > 0) || vectors.length % dim !== 0)
      throw benchError(1, `item table length ${vectors.length} is not a multiple of dim ${dim}`);
    let pVectors = 0;
    try {
      pVectors = this.#alloc(vectors.length * F32);
      wasm.HEAPF32.set(vectors, pVectors >>> 2);
      this.#check(wasm._vt_bench_set_item_vectors(this.#live(), pVectors, vectors.length / dim, dim));
    } finally {
      wasm._free(pVectors);
    }
  }

  /**
   * The k rows of the item table with the highest dot product with `query`, best first.
   * @returns {{items: Uint32Array, scores: Float32Array}} 0-based rows and their scores, owned by the caller
   */
  topKDot(query, k) {
    const wasm = this.#wasm;
    let pQuery = 0,
      pItems = 0,
      pScores = 0,
      pCount = 0;
    try {
      pQuery = this.#alloc(query.length * F32);
      pItems = this.#alloc(k * U32);
      pScores = this.#alloc(k * F32);
      pCount = this.#alloc(U32);
      wasm.HEAPF32.set(query, pQuery >>> 2);
      this.#check(wasm._vt_bench_top_k_dot(this.#live(), pQuery, query.length, k, pItems, pScores, pCount));
      const count = wasm.HEAPU32[pCount >>> 2];
      return {
        items: wasm.HEAPU32.slice(pItems >>> 2, (pItems >>> 2) + count),
        scores: wasm.HEAPF32.slice(pScores >>> 2, (pScores >>> 2) + count),
      };
    } finally {
      wasm._free(pQuery);
      wasm._free(pItems);
      wasm._free(pScores);
      wasm._free(pCount);
    }
  }

  /** Frees the handle. Safe to call twice. */
  release() {
    if (this.#handle !== 0) this.#wasm._vt_bench_release(this.#handle);
    this.#handle = 0;
  }

  #live() {
    if (this.#handle === 0) throw benchError(1, 'the bench handle was released');
    return this.#handle;
  }

  #alloc(bytes) {
    const ptr = this.#wasm._malloc(Math.max(bytes, 1));
    if (ptr === 0) throw benchError(7, `could not allocate ${bytes} bytes in wasm`);
    return ptr;
  }

  #check(status, message) {
    if (status !== 0)
      throw benchError(status, message ?? this.#wasm.UTF8ToString(this.#wasm._vt_bench_last_error(this.#handle)));
  }
}

// status: a code of core/include/vitrine/status_codes.h (js/src/status.mjs names them).
function benchError(status, message) {
  return Object.assign(new Error(`status ${status}: ${message}`), { status });
}
