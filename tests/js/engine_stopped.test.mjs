// The shipped engine is built without C++ exceptions, so an allocation that fails inside it aborts the wasm module
// (a WebAssembly.RuntimeError) instead of returning OUT_OF_MEMORY. The engine must then say so once and for all,
// and the ranking service must start a new engine on the next request instead of failing until the worker dies.
// A real module is made to trap by a proxy in front of one export: nothing else is faked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { Engine } from '../../js/src/engine.mjs';
import { createRankingService } from '../../js/src/ranking_service.mjs';
import { engineModulePath, engineWasmPath } from '../support/paths.mjs';
import { tinyModel } from '../support/test_model.mjs';

const NOW = 1733000000000;
const events = [{ kind: 1, t: NOW - 1000, item: 'sku-1', category: 'category-2' }];
const candidates = [{ id: 'sku-2' }, { id: 'sku-3' }, { id: 'sku-1' }];

/** An engine over a fresh real module whose `export` traps, as an abort inside the engine would, when told to. */
async function engineThatCanTrap(exportName) {
  const { default: create } = await import(pathToFileURL(engineModulePath).href);
  const wasm = await create({ wasmBinary: readFileSync(engineWasmPath), print: () => {}, printErr: () => {} });
  const calls = { count: 0, trap: false };
  const module = new Proxy(wasm, {
    get(target, key) {
      if (key !== exportName) return target[key];
      return (...args) => {
        calls.count += 1;
        if (calls.trap) throw new WebAssembly.RuntimeError('Aborted(OOM)');
        return target[key](...args);
      };
    },
  });
  return { engine: new Engine(module), calls };
}

test('a trap stops the engine: one clear error, and every later call fails at once without entering wasm', async () => {
  const { engine, calls } = await engineThatCanTrap('_vt_engine_rank');
  engine.loadModel(tinyModel().bytes);
  assert.equal(engine.rank({ events, candidates, nowMs: NOW }).scores.length, 3);
  assert.equal(engine.stopped, false);
  calls.trap = true;
  const stoppedError = (e) => e.statusName === 'INTERNAL' && /engine stopped.*Aborted\(OOM\)/.test(e.message);
  assert.throws(() => engine.rank({ events, candidates, nowMs: NOW }), stoppedError);
  assert.equal(engine.stopped, true);
  const before = calls.count;
  assert.throws(() => engine.rank({ events, candidates, nowMs: NOW }), stoppedError);
  assert.throws(() => engine.profile({ events, nowMs: NOW }), stoppedError);
  assert.equal(calls.count, before, 'a stopped engine does not call into the dead module again');
});

test('the ranking service replaces a stopped engine on the next request', async () => {
  const bytes = tinyModel().bytes;
  const made = [];
  const service = createRankingService({
    createEngine: async () => {
      const { engine, calls } = await engineThatCanTrap('_vt_engine_rank');
      calls.trap = made.length === 0; // the first engine traps on its first ranking
      made.push(engine);
      return engine;
    },
    fetchBytes: async () => bytes,
  });
  const request = (id) => ({ v: 1, id, type: 'rank', modelUrl: 'm', nowMs: NOW, events, candidates });
  const first = await service.handle(request(1));
  assert.equal(first.type, 'error');
  assert.match(first.message, /engine stopped/);
  assert.equal(made[0].stopped, true);
  const second = await service.handle(request(2));
  assert.equal(second.type, 'ranked', JSON.stringify(second).slice(0, 200));
  assert.equal(made.length, 2, 'a new engine was made for the second request');
  const third = await service.handle(request(3));
  assert.equal(third.type, 'ranked');
  assert.equal(made.length, 2, 'a working engine is kept');
});
