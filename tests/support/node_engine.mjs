// Creates an engine under Node from the wasm build (Node gets the .wasm bytes; 3.1.6's glue cannot fetch them).
import { readFileSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { createEngine } from '../../js/src/engine.mjs';
import { engineModulePath, engineWasmPath } from './paths.mjs';

export async function createNodeEngine() {
  if (!existsSync(engineWasmPath)) {
    throw new Error(`wasm build missing at ${engineWasmPath}: run tools/test.sh (or emcmake cmake + build) first`);
  }
  return createEngine({ moduleUrl: pathToFileURL(engineModulePath), wasmBinary: readFileSync(engineWasmPath) });
}
