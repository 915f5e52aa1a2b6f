// The Chromium side of the benchmark: the same suite as Node, with each runtime loaded the way a page loads it.
// bench/run.mjs serves these URLs (tools/serve.mjs): /dist = build/wasm/dist, /bench-build = build/wasm/bench,
// /model = the reference model files, /session-model = a trained session model, /node_modules/... = the peers'
// packages.
import { createBenchKernels } from './bench_kernels.mjs';
import { coldStart, runSuite } from './suite.mjs';

const ORT_DIST = '/node_modules/onnxruntime-web/dist/';
const TFJS_WASM_DIST = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const env = {
  now: () => performance.now(),
  loadVitrine: () =>
    createBenchKernels('/bench-build/vitrine-bench.mjs', { locateFile: (file) => '/bench-build/' + file }),
  async loadOrt() {
    const ort = await import(ORT_DIST + 'ort.wasm.min.mjs');
    ort.env.wasm.wasmPaths = ORT_DIST;
    return ort;
  },
  async loadTfjs() {
    // The UMD bundles install globalThis.tf; the backend registers itself on it.
    await import('/node_modules/@tensorflow/tfjs/dist/tf.min.js');
    await import(TFJS_WASM_DIST + 'tf-backend-wasm.min.js');
    globalThis.tf.wasm.setWasmPaths(TFJS_WASM_DIST);
    return globalThis.tf;
  },
  async loadEngine() {
    const { createEngine } = await import('/dist/engine.mjs');
    return createEngine(); // fetches dist/vitrine-engine.wasm next to the module
  },
  sessionModelBytes: () => fetchBytes('/session-model/model.vtm'),
  async loadRoofline() {
    return (await env.loadVitrine()).module;
  },
  modelBytes: () => fetchBytes('/model/reference_mlp.vtm'),
  onnxBytes: () => fetchBytes('/model/reference_mlp.onnx'),
  weights: async () => (await (await fetch('/model/reference_mlp.json')).json()).layers,
};

export const pageApi = {
  info: () => ({
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
  }),
  run: (options) => runSuite(env, options),
  coldStart: (name) => coldStart(name, env),
};
