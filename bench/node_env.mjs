// How Node loads each runtime for the benchmark: Vitrine's kernels from the wasm build's bench module, the peers
// from the workspace's node_modules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { createBenchKernels } from './bench_kernels.mjs';

/**
 * paths: {benchModule, modelDir, distDir, sessionModel} (benchModule: build/wasm/bench/vitrine-bench.mjs; modelDir
 * holds reference_mlp.vtm, reference_mlp.json, reference_mlp.onnx; distDir the shipped package; sessionModel a
 * trained .vtm). Every loader reads its files when called, so cold start timing includes the reads.
 */
export function nodeEnv({ benchModule, modelDir, distDir, sessionModel }) {
  const loadBench = () =>
    createBenchKernels(pathToFileURL(benchModule), {
      wasmBinary: readFileSync(benchModule.replace(/\.mjs$/, '.wasm')),
    });
  return {
    now: () => performance.now(),
    loadVitrine: loadBench,
    async loadEngine() {
      const { createEngine } = await import(pathToFileURL(path.join(distDir, 'engine.mjs')).href);
      return createEngine({
        moduleUrl: pathToFileURL(path.join(distDir, 'vitrine-engine.mjs')),
        wasmBinary: readFileSync(path.join(distDir, 'vitrine-engine.wasm')),
      });
    },
    sessionModelBytes: async () => readFileSync(sessionModel),
    async loadOrt() {
      return import('onnxruntime-web');
    },
    async loadTfjs() {
      const tf = await import('@tensorflow/tfjs');
      await import('@tensorflow/tfjs-backend-wasm');
      return tf;
    },
    async loadRoofline() {
      return (await loadBench()).module;
    },
    modelBytes: async () => readFileSync(path.join(modelDir, 'reference_mlp.vtm')),
    onnxBytes: async () => readFileSync(path.join(modelDir, 'reference_mlp.onnx')),
    weights: async () => JSON.parse(readFileSync(path.join(modelDir, 'reference_mlp.json'), 'utf8')).layers,
  };
}
