// The wasm engine under Node, through the JS wrapper: values, errors, and the exported boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { VitrineError, Status } from '../../js/src/status.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { repoRoot } from '../support/paths.mjs';

test('the engine runs the SIMD128 kernel table', async () => {
  const engine = await createNodeEngine();
  try {
    const info = engine.buildInfo();
    assert.equal(info.wasm_simd128, true);
    assert.equal(info.kernels, 'wasmsimd');
  } finally {
    engine.release();
  }
});

test('memoryBytes reports the linear memory, in whole wasm pages, growing when a batch needs more', async () => {
  const engine = await createNodeEngine();
  try {
    const before = engine.memoryBytes();
    assert.ok(before > 0 && before % 65536 === 0, String(before));
    // A "model" twice the size of the whole memory is copied in before it is refused.
    assert.throws(
      () => engine.loadModel(new Uint8Array(2 * before)),
      (e) => e instanceof VitrineError && e.status === Status.MODEL_CORRUPT
    );
    assert.ok(engine.memoryBytes() >= 2 * before, `${engine.memoryBytes()} after a ${2 * before}-byte file`);
  } finally {
    engine.release();
  }
});

test('errors from wasm become a VitrineError with the status and the last-error text', async () => {
  const engine = await createNodeEngine();
  try {
    assert.throws(
      () => engine.modelInfo(),
      (e) => e instanceof VitrineError && e.status === Status.NO_MODEL && /no model is loaded/.test(e.message)
    );
    engine.release();
    engine.release(); // safe twice
    assert.throws(() => engine.buildInfo(), /released/);
  } finally {
    engine.release();
  }
});

test('every vt_* function in the C header is exported by the module', async () => {
  const header = readFileSync(path.join(repoRoot, 'wasm/vitrine_api.h'), 'utf8');
  const declared = [...header.matchAll(/[ *](vt_[a-z0-9_]+)\(/g)].map((m) => m[1]);
  assert.ok(declared.length >= 4);
  const engineModule = await import('../support/paths.mjs');
  const glue = readFileSync(engineModule.engineModulePath, 'utf8');
  for (const name of new Set(declared)) assert.ok(glue.includes(`_${name}`), `${name} is not exported`);
  // And nothing else: the benchmark's entry points (bench/bench_module.cc) stay out of what shoppers download.
  const exported = new Set([...glue.matchAll(/\b_(vt_[a-z0-9_]+)\b/g)].map((m) => m[1]));
  assert.deepEqual([...exported].filter((name) => !declared.includes(name)).sort(), []);
  const wasm = readFileSync(engineModule.engineWasmPath).toString('latin1');
  for (const name of ['vt_bench_', 'score_features', 'top_k_dot', 'dot_scores'])
    assert.equal(wasm.includes(name), false, `the engine's wasm names ${name}`);
});

// The limits of the module's linear memory, read from its memory section (imported or defined): no growth past max.
function memoryLimits(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0,
      shift = 0,
      byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const limits = () => {
    const flags = bytes[at++];
    const min = leb();
    return { min, max: flags & 1 ? leb() : null };
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 5) {
      leb(); // one memory
      return limits();
    }
    if (id === 2) {
      for (let n = leb(); n > 0; --n) {
        // Module and field names, length-prefixed. Not `at += leb()`: that adds the length to `at` as it was before
        // leb() moved past the length's own bytes.
        for (let s = 0; s < 2; ++s) {
          const length = leb();
          at += length;
        }
        const kind = bytes[at++];
        if (kind === 2) return limits();
        if (kind === 0) leb();
        else if (kind === 1) {
          at += 1;
          limits();
        } else if (kind === 3) at += 2;
      }
    }
    at = end;
  }
  return null;
}

test('the wasm memory has a maximum of 512 MiB, so nothing a page sends can grow it without bound', () => {
  const limits = memoryLimits(
    readFileSync(
      path.join(process.env.VITRINE_WASM_BUILD ?? path.join(repoRoot, 'build/wasm'), 'dist/vitrine-engine.wasm')
    )
  );
  assert.ok(limits, 'the module has a memory');
  assert.equal(limits.max, (512 * 1024 * 1024) / 65536, `maximum pages: ${limits.max}`);
  assert.ok(limits.min <= limits.max);
});
