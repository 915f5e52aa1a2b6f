// Where tests find build outputs. tools/test.sh sets VITRINE_WASM_BUILD; the default matches its layout.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const wasmBuildDir = path.resolve(process.env.VITRINE_WASM_BUILD ?? path.join(repoRoot, 'build/wasm'));
export const distDir = path.join(wasmBuildDir, 'dist');
export const engineModulePath = path.join(distDir, 'vitrine-engine.mjs');
export const engineWasmPath = path.join(distDir, 'vitrine-engine.wasm');
