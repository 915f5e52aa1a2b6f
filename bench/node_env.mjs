// How Node loads each runtime for the benchmark: Vitrine's kernels from the wasm build's bench module, the peers
// from the workspace's node_modules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { createBenchKernels } from './bench_kernels.mjs';

/**
 * paths: {benchModule, modelDir} (benchModule: build/wasm/bench/vitrine-bench.mjs; modelDir holds
 * reference_mlp.vtm, reference_mlp.json, reference_mlp.onnx). Every loader reads its files when called, so cold
 * start timing includes the reads.
 */
export function nodeEnv({ benchModule, modelDir }) {
  const loadBench = () =>
    createBenchKernels(pathToFileURL(benchModule), {
      wasmBinary: readFileSync(benchModule.replace(/\.mjs$/, '.wasm')),
    });
  return {
    now: () => performance.now(),
    loadVitrine: loadBench,
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
