// The worker protocol: the service (worker side) with fake and real engines, and the client (main-thread side)
// over an in-process fake Worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import {
  createRankingService,
  ErrorCode,
  MAX_TOP_K,
  MODEL_RECHECK_MS,
  PROTOCOL_VERSION,
  orderByScore,
  plainData,
} from '../../js/src/ranking_service.mjs';
import { RankingClient, openRankingChannel, sharedWorkersOutlivePages } from '../../js/src/worker_client.mjs';
import { engineError, VitrineError, Status } from '../../js/src/status.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { tinyModel } from '../support/test_model.mjs';

const candidates = [{ id: 'a', category: 'shoes' }, { id: 'b' }, { id: 'c', price: 3 }];
const events = [{ kind: 0, t: 1000, item: 'b' }];

function rankRequest(extra = {}) {
  return {
    v: PROTOCOL_VERSION,
    id: 7,
    type: 'rank',
    modelUrl: 'http://127.0.0.1/m.vtm',
    nowMs: 5000,
    events,
    candidates,
    ...extra,
  };
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
  return createRankingService({
    createEngine: async () => engine,
    fetchBytes: async () => new Uint8Array([1, 2, 3]),
    ...extra,
  });
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
    rank: () => ({
      scores: Float32Array.from([0.1, 0.9, 0.5]),
      reasons: ['a', 'b', 'c'].map((id) => ({ id, text: `why ${id}` })),
    }),
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
  const { engine, calls } = engineWith({
    loadModel: () => undefined,
    rank: () => ({ scores: [1, 2, 3], reasons: [] }),
    release: () => undefined,
  });
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
  const failing = await service({
    loadModel() {
      throw engineError(Status.MODEL_TRUNCATED, 'file ends at byte 9');
    },
  }).handle(rankRequest());
  assert.equal(failing.code, ErrorCode.ENGINE);
  assert.equal(failing.status, 'MODEL_TRUNCATED');
  const offline = await service(
    { loadModel() {} },
    {
      fetchBytes: async () => {
        throw new Error('HTTP 404');
      },
    }
  ).handle(rankRequest());
  assert.equal(offline.code, ErrorCode.MODEL_FETCH);
  const noWasm = await service({ loadModel() {} }, { hasWebAssembly: () => false }).handle(rankRequest());
  assert.equal(noWasm.code, ErrorCode.NO_WEBASSEMBLY);
});

test('malformed requests are rejected', async () => {
  const s = service({ loadModel() {}, rank: () => ({ scores: [] }) });
  for (const bad of [
    null,
    'rank',
    { ...rankRequest(), v: 99 },
    rankRequest({ candidates: [] }),
    rankRequest({ candidates: [{ id: 3 }] }),
    rankRequest({ nowMs: 'now' }),
    rankRequest({ type: 'explode' }),
    rankRequest({ modelIntegrity: 'sha1-abc' }),
    rankRequest({ modelIntegrity: 42 }),
    rankRequest({ modelUrl: '' }),
    rankRequest({ explainTop: -1 }),
    rankRequest({ explainTop: 1.5 }),
    rankRequest({ explainTop: '2' }),
  ]) {
    const reply = await s.handle(bad);
    assert.equal(reply.type, 'error', JSON.stringify(bad));
    assert.equal(reply.code, ErrorCode.BAD_REQUEST);
  }
});

// A shopper whose history spans 50 categories and 50 brands, with names as long as real shops use.
const broadEvents = Array.from({ length: 100 }, (_, i) => ({
  kind: i % 3,
  t: 4000 - i,
  item: `sku-${i + 1}`,
  price: 10 + i,
  category: `category-with-a-long-descriptive-name-${i % 50}`,
  brand: `brand-with-a-long-descriptive-name-${(i * 7) % 50}`,
}));

test('a broad profile (50 categories, 50 brands) comes back whole: no cap on its length', async () => {
  const affinities = (prefix) =>
    Array.from({ length: 50 }, (_, i) => ({ name: `${prefix}-${i}`, weight: (50 - i) / 1275, events: 2 }));
  const profile = {
    categories: affinities('category-with-a-long-descriptive-name'),
    brands: affinities('brand-with-a-long-descriptive-name'),
    price: { low: 10, typical: 40, high: 109 },
    session: { events: 100, category: 'category-with-a-long-descriptive-name-0', stage: 'buying' },
  };
  profile.categoryAffinity = Object.fromEntries(profile.categories.map((c) => [c.name, c.weight]));
  assert.ok(JSON.stringify(profile).length > 2000, 'the kind of profile the old 2,000-character cap dropped');
  const reply = await service({ loadModel() {}, profile: () => profile }).handle({
    ...rankRequest(),
    type: 'profile',
    events: broadEvents,
  });
  assert.equal(reply.type, 'profile', reply.message);
  assert.deepEqual(reply.profile, profile);
});

test('the real wasm engine: the profile of a broad shopper passes through the service unchanged', async () => {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(tinyModel().bytes);
    const direct = engine.profile({ events: broadEvents, nowMs: 5000 });
    assert.ok(direct.categories.length >= 20 && direct.brands.length >= 20, `${direct.categories.length} categories`);
    const reply = await createRankingService({
      createEngine: async () => engine,
      fetchBytes: async () => tinyModel().bytes,
    }).handle({ ...rankRequest(), type: 'profile', events: broadEvents });
    assert.equal(reply.type, 'profile', reply.message);
    assert.deepEqual(reply.profile, direct);
  } finally {
    engine.release();
  }
});

test('plainData bounds replies by shape: entries and strings are cut, not the whole value dropped', () => {
  const limits = { entries: 3, stringLength: 5, depth: 3, values: 100 };
  assert.deepEqual(plainData([1, 2, 3, 4, 5], limits), [1, 2, 3]);
  assert.deepEqual(plainData({ a: 'abcdefgh', b: 1, c: 2, d: 3 }, limits), { a: 'abcde', b: 1, c: 2 });
  assert.deepEqual(plainData({ x: { y: { z: { deep: 1 } } } }, limits), { x: { y: {} } });
  assert.deepEqual(plainData([NaN, () => 1, Symbol('s')], limits), [null, null, null]);
  assert.deepEqual(plainData({ f() {}, u: undefined, n: null, t: true }, limits), { n: null, t: true });
  assert.deepEqual(plainData(Float32Array.from([0.5, 2]), limits), [0.5, 2]);
  const cycle = { name: 'a' };
  cycle.self = cycle;
  assert.deepEqual(plainData(cycle, limits), { name: 'a', self: { name: 'a', self: { name: 'a' } } });
  const proto = plainData(JSON.parse('{"__proto__": 0.5}'));
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(proto, '__proto__').value, 0.5);
  assert.equal(plainData(undefined), undefined);
  assert.equal(
    plainData({
      get bad() {
        throw new Error('no');
      },
    }),
    undefined
  );
  // The total number of values is bounded too, so nesting cannot multiply the entries.
  assert.deepEqual(
    plainData(
      Array.from({ length: 10 }, () => Array(10).fill(1)),
      { ...limits, entries: 10, values: 15 }
    ),
    [Array(10).fill(1), [1, 1, 1]]
  );
});

test('orderByScore is stable and puts non-finite scores last', () => {
  const c = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  assert.deepEqual(orderByScore(c, [1, NaN, 2, 1, Infinity]), ['c', 'a', 'd', 'b', 'e']);
});

test('the real wasm engine given a bad model answers with an error, never an order', async () => {
  const s = createRankingService({
    createEngine: createNodeEngine,
    fetchBytes: async () => new TextEncoder().encode('not a model'),
  });
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

test('rankBy reaches the engine only when its model has a conversion head; otherwise relevance, and the reply says so', async () => {
  const rankWith = async (info, request) => {
    const { engine, calls } = engineWith({ loadModel: () => info, rank: () => ({ scores: [1, 3, 2], reasons: [] }) });
    const reply = await service(engine).handle(rankRequest(request));
    return { reply, sent: calls.find(([name]) => name === 'rank')?.[1] };
  };
  const head = { kind: 'session_attn', conversion: { cart: false, purchase: true } };
  for (const rankBy of ['conversion', 'value']) {
    const { reply, sent } = await rankWith(head, { rankBy });
    assert.equal(reply.type, 'ranked', reply.message);
    assert.equal(sent.rankBy, rankBy);
    assert.equal(reply.rankBy, rankBy);
    assert.deepEqual(reply.order, ['b', 'c', 'a']);
  }
  assert.equal(
    (await rankWith({ conversion: { cart: true, purchase: false } }, { rankBy: 'value' })).sent.rankBy,
    'value',
    'a cart head alone is a head'
  );
  // No head (both outputs false), an older build's info without the key, an engine that says nothing: relevance,
  // ranked all the same, and nothing but the usual request sent (the engine would refuse rank_by: BAD_INPUT).
  for (const info of [{ conversion: { cart: false, purchase: false } }, { kind: 'session_attn' }, undefined]) {
    const { reply, sent } = await rankWith(info, { rankBy: 'conversion' });
    assert.equal(reply.type, 'ranked', reply.message);
    assert.equal(reply.rankBy, 'relevance', JSON.stringify(info));
    assert.deepEqual(sent, { events, candidates, nowMs: 5000 });
  }
  const plain = await rankWith(head, {});
  assert.equal(plain.reply.rankBy, 'relevance');
  assert.deepEqual(plain.sent, { events, candidates, nowMs: 5000 }, 'relevance is the default and is not sent');
  for (const rankBy of ['revenue', 'Value', 1, null]) {
    const { reply, sent } = await rankWith(head, { rankBy });
    assert.equal(reply.code, ErrorCode.BAD_REQUEST, String(rankBy));
    assert.equal(sent, undefined);
  }
});

test('client: rank resolves with the reply and engine errors reject with their code', async () => {
  const ok = service({ loadModel() {}, rank: () => ({ scores: [3, 2, 1], reasons: [] }) });
  const client = new RankingClient({
    workerUrl: 'w.mjs',
    modelUrl: 'http://x/m',
    timeoutMs: 1000,
    Worker: fakeWorkerClass(ok),
  });
  const reply = await client.rank({ events, candidates, nowMs: 1 });
  assert.deepEqual(reply.order, ['a', 'b', 'c']);
  assert.equal(reply.rankBy, 'relevance');
  // rankBy goes through the client to the engine; a model without a conversion head (the first client's) is answered
  // by relevance.
  const asked = [];
  const seeing = service({
    loadModel: () => ({ conversion: { cart: true, purchase: true } }),
    rank: (request) => {
      asked.push(request);
      return { scores: [1, 2, 3], reasons: [] };
    },
  });
  const converting = new RankingClient({
    workerUrl: 'w.mjs',
    modelUrl: 'http://x/m',
    timeoutMs: 1000,
    Worker: fakeWorkerClass(seeing),
  });
  assert.equal((await converting.rank({ events, candidates, nowMs: 1, rankBy: 'value' })).rankBy, 'value');
  assert.equal(asked[0].rankBy, 'value');
  assert.equal((await client.rank({ events, candidates, nowMs: 1, rankBy: 'value' })).rankBy, 'relevance');
  const unsupported = new RankingClient({
    workerUrl: 'w.mjs',
    modelUrl: 'http://x/m',
    timeoutMs: 1000,
    Worker: fakeWorkerClass(service({})),
  });
  await assert.rejects(
    unsupported.rank({ events, candidates, nowMs: 1 }),
    (e) => e instanceof VitrineError && e.code === 'ENGINE_UNSUPPORTED'
  );
});

test('client: a silent worker times out and a worker that fails to load rejects', async () => {
  const silent = new RankingClient({
    workerUrl: 'w.mjs',
    modelUrl: 'http://x/m',
    timeoutMs: 50,
    Worker: fakeWorkerClass(service({}), { silent: true }),
  });
  await assert.rejects(silent.rank({ events, candidates, nowMs: 1 }), (e) => e.code === 'TIMEOUT');
  const broken = new RankingClient({
    workerUrl: 'w.mjs',
    modelUrl: 'http://x/m',
    timeoutMs: 5000,
    Worker: fakeWorkerClass(service({}), { failOnLoad: true }),
  });
  await assert.rejects(
    broken.rank({ events, candidates, nowMs: 1 }),
    (e) => e.code === 'WORKER' && /CSP/.test(e.message)
  );
  const none = new RankingClient({ workerUrl: 'w.mjs', modelUrl: 'http://x/m', timeoutMs: 50, Worker: undefined });
  await assert.rejects(none.rank({ events, candidates, nowMs: 1 }), (e) => e.code === 'NO_WORKER');
});

test('warm loads the engine and the model side by side, once; the first rank then only ranks', async () => {
  const started = [];
  let finishEngine, finishFetch;
  const { engine, calls } = engineWith({
    loadModel: () => undefined,
    rank: () => ({ scores: [1, 2, 3], reasons: [] }),
  });
  const s = createRankingService({
    createEngine: () => {
      started.push('engine');
      return new Promise((resolve) => (finishEngine = () => resolve(engine)));
    },
    fetchBytes: () => {
      started.push('model');
      return new Promise((resolve) => (finishFetch = () => resolve(new Uint8Array([1]))));
    },
  });
  const warm = s.handle({ v: PROTOCOL_VERSION, id: 0, type: 'warm', modelUrl: 'http://127.0.0.1/m.vtm' });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(started.sort(), ['engine', 'model'], 'the model download does not wait for the engine');
  finishFetch();
  finishEngine();
  // The reply names the model's version: the first 16 hex digits of its SHA-256, as sha256sum prints them.
  const version = createHash('sha256')
    .update(new Uint8Array([1]))
    .digest('hex')
    .slice(0, 16);
  assert.deepEqual(await warm, { v: PROTOCOL_VERSION, id: 0, type: 'warm', model: version });
  const ranked = await s.handle(rankRequest());
  assert.equal(ranked.type, 'ranked');
  assert.equal(started.length, 2, 'loaded once');
  assert.deepEqual(
    calls.map((c) => c[0]),
    ['loadModel', 'rank']
  );
});

test('a model that cannot be fetched releases the engine made beside it and is tried again', async () => {
  let fetches = 0;
  const { engine, calls } = engineWith({ loadModel: () => undefined, release: () => undefined });
  const s = service(engine, {
    fetchBytes: async () => {
      fetches += 1;
      throw new Error('HTTP 503');
    },
  });
  const reply = await s.handle({ v: PROTOCOL_VERSION, id: 1, type: 'warm', modelUrl: 'http://127.0.0.1/m.vtm' });
  assert.equal(reply.code, ErrorCode.MODEL_FETCH);
  assert.equal(calls.filter((c) => c[0] === 'release').length, 1);
  await s.handle(rankRequest());
  assert.equal(fetches, 2);
});

test('a long-lived worker rechecks its model: the same bytes keep the engine, changed bytes replace it, a failed fetch keeps it', async () => {
  let now = 0;
  let served = new Uint8Array([1, 2, 3]);
  let fetches = 0;
  const engines = [];
  const s = createRankingService({
    clock: () => now,
    createEngine: async () => {
      const n = engines.length;
      const made = engineWith({
        loadModel: () => undefined,
        release: () => undefined,
        rank: () => ({ scores: [n, 0, 0], reasons: [] }),
      });
      engines.push(made);
      return made.engine;
    },
    fetchBytes: async () => {
      fetches += 1;
      if (served === null) throw new Error('HTTP 503');
      return served;
    },
  });
  const rankedBy = async () => (await s.handle(rankRequest())).scores[0];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(await rankedBy(), 0);
  now += MODEL_RECHECK_MS - 1;
  assert.equal(await rankedBy(), 0);
  assert.equal(fetches, 1, 'a young model is not fetched again');
  now += 1;
  assert.equal(await rankedBy(), 0, 'the recheck runs beside the ranking, never before it');
  await settle();
  assert.equal(fetches, 2);
  assert.equal(engines.length, 1, 'the same bytes: the loaded engine stays');
  served = null;
  now += MODEL_RECHECK_MS;
  await rankedBy();
  await settle();
  assert.equal(fetches, 3);
  assert.equal(await rankedBy(), 0, 'a failed recheck keeps the loaded engine');
  served = new Uint8Array([1, 2, 4]);
  now += MODEL_RECHECK_MS;
  await rankedBy();
  await settle();
  assert.equal(engines.length, 2);
  assert.deepEqual(
    engines[1].calls.map((c) => c[0]),
    ['loadModel']
  );
  assert.deepEqual(engines[1].calls[0][1], served);
  assert.equal(await rankedBy(), 1, 'a changed model takes over once loaded');
});

// A SharedWorker constructor as a browser offers it: options converted (a known member read) before the URL is parsed.
function fakeSharedWorkerClass(svc, { knowsExtendedLifetime }) {
  const made = [];
  class FakeSharedWorker {
    constructor(url, options = {}) {
      const seen = { type: options.type, name: options.name };
      if (knowsExtendedLifetime) seen.extendedLifetime = options.extendedLifetime;
      if (String(url).startsWith('http://[')) throw new SyntaxError('invalid URL');
      made.push({ url: String(url), options: seen });
      const port = {
        onmessage: null,
        closed: false,
        postMessage(msg) {
          svc
            .handle(structuredClone(msg))
            .then((reply) => !port.closed && port.onmessage?.({ data: structuredClone(reply) }));
        },
        close() {
          port.closed = true;
        },
      };
      this.port = port;
    }
  }
  return { FakeSharedWorker, made };
}

test('client: the worker is shared by the pages where it can outlive them (extendedLifetime), else one per page', async () => {
  const ok = service({ loadModel() {}, rank: () => ({ scores: [3, 2, 1], reasons: [] }) });
  const modern = fakeSharedWorkerClass(ok, { knowsExtendedLifetime: true });
  assert.equal(sharedWorkersOutlivePages(modern.FakeSharedWorker), true);
  assert.equal(modern.made.length, 0, 'the probe starts no worker');
  let dedicated = 0;
  const Dedicated = class extends fakeWorkerClass(ok) {
    constructor(...args) {
      super(...args);
      dedicated += 1;
    }
  };
  const client = new RankingClient({
    workerUrl: 'w.mjs',
    modelUrl: 'http://x/m',
    timeoutMs: 1000,
    Worker: Dedicated,
    SharedWorker: modern.FakeSharedWorker,
  });
  assert.deepEqual((await client.rank({ events, candidates, nowMs: 1 })).order, ['a', 'b', 'c']);
  assert.equal(client.shared, true);
  assert.deepEqual(modern.made, [
    { url: 'w.mjs', options: { type: 'module', name: 'vitrine', extendedLifetime: true } },
  ]);
  assert.equal(dedicated, 0);
  client.terminate();

  const older = fakeSharedWorkerClass(ok, { knowsExtendedLifetime: false });
  assert.equal(sharedWorkersOutlivePages(older.FakeSharedWorker), false);
  const channel = openRankingChannel('w.mjs', { Worker: Dedicated, SharedWorker: older.FakeSharedWorker });
  assert.equal(channel.shared, false);
  assert.equal(older.made.length, 0, 'a shared worker that would die with the page is not used');
  assert.equal(dedicated, 1);
  assert.equal(sharedWorkersOutlivePages(undefined), false);
});

test('top: the real engine\u2019s best catalog products for the events, at most k; a bad k is refused', async () => {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(tinyModel().bytes);
    const walk = ['sku-43', 'sku-44', 'sku-45'].map((item, i) => ({ kind: 0, t: 1000 + i, item }));
    const direct = engine.topK({ events: walk, nowMs: 5000, k: 5 }).ids;
    const svc = createRankingService({ createEngine: async () => engine, fetchBytes: async () => tinyModel().bytes });
    const reply = await svc.handle({ ...rankRequest(), type: 'top', events: walk, k: 5 });
    assert.equal(reply.type, 'top', reply.message);
    assert.deepEqual(reply.ids, direct);
    assert.equal(reply.ids.length, 5);
    assert.equal(reply.ids[0], 'sku-46', 'the walk\u2019s next product leads');
    for (const k of [0, 1.5, MAX_TOP_K + 1, undefined]) {
      const bad = await svc.handle({ ...rankRequest(), type: 'top', events: walk, k });
      assert.equal(bad.code, ErrorCode.BAD_REQUEST, String(k));
    }
    const noTop = await service({ loadModel() {} }).handle({ ...rankRequest(), type: 'top', k: 3 });
    assert.match(noTop.message, /engine\.topK/);
  } finally {
    engine.release();
  }
});

test('a request with `stored` ranks the store the worker read, plus the unsaved events, each once', async () => {
  const limits = { maxEvents: 500, maxBytes: 1e6, retentionDays: 30 };
  const older = { kind: 0, t: 500, item: 'a' };
  const reads = [];
  const { engine, calls } = engineWith({
    loadModel: () => undefined,
    rank: () => ({ scores: Float32Array.from([0.1, 0.9, 0.5]), reasons: [] }),
    profile: () => ({ categories: [] }),
  });
  const s = service(engine, {
    readStored: async (read, nowMs) => {
      assert.equal(nowMs, 5000);
      reads.push(read);
      return [older, events[0]]; // the unsaved event was committed meanwhile: counted once
    },
  });
  const stored = { name: 'vitrine', limit: 100, limits };
  const late = { kind: 2, t: 1500, item: 'c' };
  const reply = await s.handle(rankRequest({ stored, events: [events[0], late] }));
  assert.equal(reply.type, 'ranked');
  assert.equal(reply.history, 3);
  assert.deepEqual(reads, [stored]);
  assert.deepEqual(calls[1][1].events, [older, events[0], late]);
  // The newest `limit` only.
  await s.handle(rankRequest({ stored: { ...stored, limit: 2 }, events: [late] }));
  assert.deepEqual(calls[2][1].events, [events[0], late]);
  // A profile reads the same way.
  const profile = await s.handle({ ...rankRequest({ stored, events: [] }), type: 'profile' });
  assert.equal(profile.type, 'profile');
  assert.deepEqual(calls[3], ['profile', { events: [older, events[0]], nowMs: 5000 }]);
});

test('`stored` with nothing stored answers history 0 without ranking; a failed or missing read is STORE_UNAVAILABLE', async () => {
  const limits = { maxEvents: 500, maxBytes: 1e6, retentionDays: 30 };
  const stored = { name: 'vitrine', limit: 100, limits };
  const { engine, calls } = engineWith({
    loadModel: () => undefined,
    rank: () => ({ scores: Float32Array.from([0.1, 0.9, 0.5]), reasons: [] }),
  });
  const empty = await service(engine, { readStored: async () => [] }).handle(rankRequest({ stored, events: [] }));
  assert.equal(empty.type, 'ranked');
  assert.equal(empty.history, 0);
  assert.deepEqual(empty.order, []);
  assert.equal(calls.filter(([name]) => name === 'rank').length, 0);

  const failing = service(engine, {
    readStored: async () => {
      throw new Error('IndexedDB is not available in the ranking worker');
    },
  });
  const failed = await failing.handle(rankRequest({ stored }));
  assert.equal(failed.code, ErrorCode.STORE_UNAVAILABLE);
  assert.match(failed.message, /IndexedDB is not available/);
  const missing = await service(engine).handle(rankRequest({ stored }));
  assert.equal(missing.code, ErrorCode.STORE_UNAVAILABLE);
  // Without `stored`, the events sent are what is ranked, as before.
  const plain = await failing.handle(rankRequest());
  assert.equal(plain.type, 'ranked');
  assert.equal(plain.history, undefined);
  for (const bad of [
    { ...stored, name: '../x' },
    { ...stored, limit: 0 },
    { ...stored, limits: { ...limits, maxBytes: -1 } },
    { ...stored, limits: null },
    'vitrine',
  ]) {
    const reply = await failing.handle(rankRequest({ stored: bad }));
    assert.equal(reply.code, ErrorCode.BAD_REQUEST, JSON.stringify(bad));
  }
});
