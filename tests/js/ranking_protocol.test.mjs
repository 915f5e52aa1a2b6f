// The worker protocol: the service (worker side) with fake and real engines, and the client (main-thread side)
// over an in-process fake Worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createRankingService, ErrorCode, PROTOCOL_VERSION, orderByScore } from '../../js/src/ranking_service.mjs';
import { RankingClient, RankingError } from '../../js/src/worker_client.mjs';
import { EngineError, Status } from '../../js/src/status.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';

const candidates = [{ id: 'a', category: 'shoes' }, { id: 'b' }, { id: 'c', price: 3 }];
const events = [{ kind: 0, t: 1000, item: 'b' }];

function rankRequest(extra = {}) {
  return { v: PROTOCOL_VERSION, id: 7, type: 'rank', modelUrl: 'http://127.0.0.1/m.vtm', nowMs: 5000, events, candidates, ...extra };
}

function engineWith(methods) {
  const calls = [];
  const engine = {};
  for (const [name, fn] of Object.entries(methods)) {
    engine[name] = (...args) => {
      calls.push([name, ...args]);
      return fn(...args);
    };
  }
  return { engine, calls };
}

function service(engine, extra = {}) {
  return createRankingService({ createEngine: async () => engine, fetchBytes: async () => new Uint8Array([1, 2, 3]), ...extra });
}

test('without engine.loadModel/rank the service answers ENGINE_UNSUPPORTED', async () => {
  const noLoad = await service({}).handle(rankRequest());
  assert.equal(noLoad.type, 'error');
  assert.equal(noLoad.code, ErrorCode.ENGINE_UNSUPPORTED);
  assert.match(noLoad.message, /loadModel/);
  assert.equal(noLoad.id, 7);
  const noRank = await service({ loadModel() {} }).handle(rankRequest());
  assert.equal(noRank.code, ErrorCode.ENGINE_UNSUPPORTED);
  assert.match(noRank.message, /engine\.rank/);
  const noProfile = await service({ loadModel() {} }).handle({ ...rankRequest(), type: 'profile' });
  assert.match(noProfile.message, /engine\.profile/);
});

test('rank passes events, candidates and nowMs through and returns order, scores and safe reasons', async () => {
  const { engine, calls } = engineWith({
    loadModel: () => undefined,
    rank: () => ({
      scores: Float32Array.from([0.1, 0.9, 0.5]),
      reasons: [
        { id: 'b', text: 'Because you viewed <b>b</b>', factors: [{ name: 'recent view', weight: 0.8 }] },
        { id: 'zz', text: 'not a candidate' },
        { id: 'c', text: '' },
      ],
    }),
  });
  const reply = await service(engine).handle(rankRequest());
  assert.equal(reply.type, 'ranked');
  assert.deepEqual(reply.order, ['b', 'c', 'a']);
  assert.equal(reply.scores.length, 3);
  assert.deepEqual(Object.keys(reply.reasons), ['b']);
  assert.equal(reply.reasons.b.text, 'Because you viewed <b>b</b>');
  assert.deepEqual(reply.reasons.b.factors, [{ name: 'recent view', weight: 0.8 }]);
  assert.deepEqual(calls[0][1], new Uint8Array([1, 2, 3]));
  assert.deepEqual(calls[1][1], { events, candidates, nowMs: 5000 });
});

test('explainTop keeps only the reasons of the best-ranked items; the order and scores stay whole', async () => {
  const { engine } = engineWith({
    loadModel: () => undefined,
    rank: () => ({ scores: Float32Array.from([0.1, 0.9, 0.5]), reasons: ['a', 'b', 'c'].map((id) => ({ id, text: `why ${id}` })) }),
  });
  const s = service(engine);
  assert.deepEqual(Object.keys((await s.handle(rankRequest())).reasons).sort(), ['a', 'b', 'c']);
  const top2 = await s.handle(rankRequest({ explainTop: 2 }));
  assert.deepEqual(top2.order, ['b', 'c', 'a']);
  assert.equal(top2.scores.length, 3);
  assert.deepEqual(Object.keys(top2.reasons).sort(), ['b', 'c']);
  assert.deepEqual((await s.handle(rankRequest({ explainTop: 0 }))).reasons, {});
});

test('the model is loaded once per model URL; a replaced engine is released', async () => {
  const { engine, calls } = engineWith({ loadModel: () => undefined, rank: () => ({ scores: [1, 2, 3], reasons: [] }), release: () => undefined });
  const s = service(engine);
  await s.handle(rankRequest());
  await s.handle(rankRequest());
  assert.equal(calls.filter((c) => c[0] === 'loadModel').length, 1);
  assert.equal(calls.filter((c) => c[0] === 'release').length, 0);
  await s.handle(rankRequest({ modelUrl: 'http://127.0.0.1/other.vtm' }));
  assert.equal(calls.filter((c) => c[0] === 'loadModel').length, 2);
  assert.equal(calls.filter((c) => c[0] === 'release').length, 1);
});

test('a wrong number of scores, an engine error, a fetch failure and no WebAssembly are errors, not orders', async () => {
  const short = await service({ loadModel() {}, rank: () => ({ scores: [1] }) }).handle(rankRequest());
  assert.equal(short.code, ErrorCode.BAD_RESULT);
  const failing = await service({ loadModel() { throw new EngineError(Status.MODEL_TRUNCATED, 'file ends at byte 9'); } }).handle(rankRequest());
  assert.equal(failing.code, ErrorCode.ENGINE);
  assert.equal(failing.status, 'MODEL_TRUNCATED');
  const offline = await service({ loadModel() {} }, { fetchBytes: async () => { throw new Error('HTTP 404'); } }).handle(rankRequest());
  assert.equal(offline.code, ErrorCode.MODEL_FETCH);
  const noWasm = await service({ loadModel() {} }, { hasWebAssembly: () => false }).handle(rankRequest());
  assert.equal(noWasm.code, ErrorCode.NO_WEBASSEMBLY);
});

test('malformed requests are rejected', async () => {
  const s = service({ loadModel() {}, rank: () => ({ scores: [] }) });
  for (const bad of [null, 'rank', { ...rankRequest(), v: 99 }, rankRequest({ candidates: [] }),
    rankRequest({ candidates: [{ id: 3 }] }), rankRequest({ nowMs: 'now' }), rankRequest({ type: 'explode' }),
    rankRequest({ modelUrl: '' }), rankRequest({ explainTop: -1 }), rankRequest({ explainTop: 1.5 }),
    rankRequest({ explainTop: '2' })]) {
    const reply = await s.handle(bad);
    assert.equal(reply.type, 'error', JSON.stringify(bad));
    assert.equal(reply.code, ErrorCode.BAD_REQUEST);
  }
});

test('orderByScore is stable and puts non-finite scores last', () => {
  const c = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  assert.deepEqual(orderByScore(c, [1, NaN, 2, 1, Infinity]), ['c', 'a', 'd', 'b', 'e']);
});

test('the real wasm engine given a bad model answers with an error, never an order', async () => {
  const s = createRankingService({ createEngine: createNodeEngine, fetchBytes: async () => new TextEncoder().encode('not a model') });
  const reply = await s.handle(rankRequest());
  assert.equal(reply.type, 'error');
  assert.ok([ErrorCode.ENGINE_UNSUPPORTED, ErrorCode.ENGINE].includes(reply.code), reply.code);
  assert.equal(reply.order, undefined);
});

// An in-process Worker: postMessage runs the service and answers asynchronously, like a real worker.
function fakeWorkerClass(svc, { silent = false, failOnLoad = false } = {}) {
  return class {
    constructor(url, options) {
      this.url = url;
      this.options = options;
      if (failOnLoad) setTimeout(() => this.onerror?.({ message: 'blocked by CSP', preventDefault() {} }), 0);
    }
    postMessage(msg) {
      if (silent || failOnLoad) return;
      svc.handle(structuredClone(msg)).then((reply) => this.onmessage?.({ data: structuredClone(reply) }));
    }
    terminate() {}
  };
}

test('client: rank resolves with the reply and engine errors reject with their code', async () => {
  const ok = service({ loadModel() {}, rank: () => ({ scores: [3, 2, 1], reasons: [] }) });
  const client = new RankingClient({ workerUrl: 'w.mjs', modelUrl: 'http://x/m', timeoutMs: 1000, Worker: fakeWorkerClass(ok) });
  const reply = await client.rank({ events, candidates, nowMs: 1 });
  assert.deepEqual(reply.order, ['a', 'b', 'c']);
  const unsupported = new RankingClient({ workerUrl: 'w.mjs', modelUrl: 'http://x/m', timeoutMs: 1000, Worker: fakeWorkerClass(service({})) });
  await assert.rejects(unsupported.rank({ events, candidates, nowMs: 1 }), (e) => e instanceof RankingError && e.code === 'ENGINE_UNSUPPORTED');
});

test('client: a silent worker times out and a worker that fails to load rejects', async () => {
  const silent = new RankingClient({ workerUrl: 'w.mjs', modelUrl: 'http://x/m', timeoutMs: 50, Worker: fakeWorkerClass(service({}), { silent: true }) });
  await assert.rejects(silent.rank({ events, candidates, nowMs: 1 }), (e) => e.code === 'TIMEOUT');
  const broken = new RankingClient({ workerUrl: 'w.mjs', modelUrl: 'http://x/m', timeoutMs: 5000, Worker: fakeWorkerClass(service({}), { failOnLoad: true }) });
  await assert.rejects(broken.rank({ events, candidates, nowMs: 1 }), (e) => e.code === 'WORKER' && /CSP/.test(e.message));
  const none = new RankingClient({ workerUrl: 'w.mjs', modelUrl: 'http://x/m', timeoutMs: 50, Worker: undefined });
  await assert.rejects(none.rank({ events, candidates, nowMs: 1 }), (e) => e.code === 'NO_WORKER');
});
