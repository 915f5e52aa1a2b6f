// How Node loads each runtime for the benchmark: from the wasm build's dist/ and the workspace's node_modules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * paths: {distDir, rooflineModule, modelDir} (modelDir holds reference_mlp.vtm, reference_mlp.json,
 * reference_mlp.onnx). Every loader reads its files when called, so cold start timing includes the reads.
 */
export function nodeEnv({ distDir, rooflineModule, modelDir }) {
  return {
    now: () => performance.now(),
    async loadVitrine() {
      const { createEngine } = await import(pathToFileURL(path.join(distDir, 'engine.mjs')).href);
      return createEngine({
        moduleUrl: pathToFileURL(path.join(distDir, 'vitrine-engine.mjs')),
        wasmBinary: readFileSync(path.join(distDir, 'vitrine-engine.wasm')),
      });
    },
    async loadOrt() {
      return import('onnxruntime-web');
    },
    async loadTfjs() {
      const tf = await import('@tensorflow/tfjs');
      await import('@tensorflow/tfjs-backend-wasm');
      return tf;
    },
    async loadRoofline() {
      const { default: create } = await import(pathToFileURL(rooflineModule).href);
      return create({ wasmBinary: readFileSync(rooflineModule.replace(/\.mjs$/, '.wasm')) });
    },
    modelBytes: async () => readFileSync(path.join(modelDir, 'reference_mlp.vtm')),
    onnxBytes: async () => readFileSync(path.join(modelDir, 'reference_mlp.onnx')),
    weights: async () => JSON.parse(readFileSync(path.join(modelDir, 'reference_mlp.json'), 'utf8')).layers,
  };
}
