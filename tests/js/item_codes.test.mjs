// A model whose catalog is out of its file (core/include/vitrine/item_codes.h): `vitrine export-codes` splits the
// tiny test model into an encoder and one code per product; the wasm engine, given the codes with the request, ranks
// as the whole model does; `vitrine eval --item-codes` measures the pair natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describeItem } from '../../js/src/dom.mjs';
import { toRecord, validRecord } from '../../js/src/events.mjs';
import { PROTOCOL_VERSION, createRankingService } from '../../js/src/ranking_service.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { runVitrine, tinyModel } from '../support/test_model.mjs';
import { FakeDocument, makeList } from './fake_dom.mjs';

function exportCodes(model, dir, ...flags) {
  const encoder = path.join(dir, 'encoder.vtm');
  const codes = path.join(dir, 'codes.json');
  const run = runVitrine('export-codes', '--model', model, '--out-model', encoder, '--out-codes', codes, ...flags);
  assert.equal(run.status, 0, run.stderr);
  return { encoder, codes, file: JSON.parse(readFileSync(codes, 'utf8')), stderr: run.stderr };
}

function catalogRows(catalogPath) {
  const [, ...rows] = readFileSync(catalogPath, 'utf8').trim().split('\n');
  return rows.map((line) => {
    const [, id, category, brand, price] = line.split('\t');
    return { id, category, brand, price: Number(price) };
  });
}

test('export-codes writes an encoder without the catalog and a code per product, in the model’s order', async () => {
  const tiny = tinyModel();
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-codes-'));
  try {
    const out = exportCodes(tiny.model, dir);
    const engine = await createNodeEngine();
    const full = engine.loadModel(tiny.bytes);
    const vocabulary = engine.vocabulary();
    assert.equal(out.file.format, 'vitrine-item-codes');
    // The default: two dimensions per byte.
    assert.equal(out.file.subspaces, full.dim / 2);
    assert.deepEqual(Object.keys(out.file.codes), vocabulary);
    for (const code of Object.values(out.file.codes)) assert.match(code, /^[A-Za-z0-9_-]+$/);
    assert.ok(statSync(out.encoder).size < tiny.bytes.length, 'the encoder is smaller than the whole model');
    const coded = engine.loadModel(readFileSync(out.encoder));
    assert.equal(coded.vocab_size, 0);
    assert.equal(coded.item_subspaces, out.file.subspaces);
    assert.equal(full.item_subspaces, undefined);
    engine.dispose?.();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the engine ranks with the codes the request carries as the whole model ranks', async () => {
  const tiny = tinyModel();
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-codes-'));
  try {
    const { encoder, file } = exportCodes(tiny.model, dir);
    const products = catalogRows(tiny.catalog);
    const now = 1_750_000_000_000;
    const history = [3, 4, 5, 40, 41].map((k, i) => ({ kind: 0, item: products[k].id, t: now - (5 - i) * 60_000 }));
    const listing = products.slice(30, 90).map((p) => ({ ...p }));
    const withCodes = (rows) => rows.map((r) => ({ ...r, code: file.codes[r.item ?? r.id] }));

    const engine = await createNodeEngine();
    engine.loadModel(tiny.bytes);
    const whole = engine.rank({ events: history, candidates: listing, nowMs: now }, { explain: false }).scores;
    engine.loadModel(readFileSync(encoder));
    const coded = engine.rank(
      { events: withCodes(history), candidates: withCodes(listing), nowMs: now },
      { explain: false }
    ).scores;
    // The tiny catalog has fewer products than centroids, so the codes are exact up to the codebook's half precision.
    let largest = 0;
    for (let i = 0; i < listing.length; ++i) largest = Math.max(largest, Math.abs(coded[i] - whole[i]));
    assert.ok(largest < 0.05, `largest score difference ${largest}`);
    const order = (scores) => Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
    assert.deepEqual(order(coded).slice(0, 3), order(whole).slice(0, 3));

    // Without codes the encoder knows none of the products: the same request ranks by content alone, differently.
    const bare = engine.rank({ events: history, candidates: listing, nowMs: now }, { explain: false }).scores;
    assert.ok(
      listing.some((_, i) => Math.abs(bare[i] - coded[i]) > 0.1),
      'the codes change the scores'
    );
    // Another model's code (its tag does not match) is not read: that product is ranked as one without a code.
    const foreign = withCodes(listing);
    const bytes = Buffer.from(foreign[0].code, 'base64url');
    bytes[0] ^= 0xff;
    foreign[0].code = bytes.toString('base64url');
    const withForeign = engine.rank(
      { events: withCodes(history), candidates: foreign, nowMs: now },
      { explain: false }
    ).scores;
    const noCode = withCodes(listing);
    delete noCode[0].code;
    const withoutFirst = engine.rank(
      { events: withCodes(history), candidates: noCode, nowMs: now },
      { explain: false }
    ).scores;
    assert.deepEqual(Array.from(withForeign), Array.from(withoutFirst));
    // The engine keeps nothing of a request's codes for the next.
    assert.equal(engine.modelInfo().vocab_size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vitrine eval measures the encoder with its codes as it measures the whole model', () => {
  const tiny = tinyModel();
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-codes-'));
  try {
    const { encoder, codes } = exportCodes(tiny.model, dir);
    const run = (...flags) =>
      runVitrine('eval', '--train', tiny.train, '--test', tiny.test, '--baselines', 'none', ...flags);
    const evaluate = (...flags) => {
      const out = run('--json', ...flags);
      assert.equal(out.status, 0, out.stderr);
      return JSON.parse(out.stdout).methods.model;
    };
    const whole = evaluate('--model', tiny.model);
    const coded = evaluate('--model', encoder, '--item-codes', codes);
    assert.ok(Math.abs(coded['hr@20'] - whole['hr@20']) <= 0.005, `HR@20 ${coded['hr@20']} vs ${whole['hr@20']}`);
    assert.ok(Math.abs(coded['mrr@20'] - whole['mrr@20']) <= 0.005, `MRR@20 ${coded['mrr@20']} vs ${whole['mrr@20']}`);
    // An encoder without its codes, or codes for a model with its own table, is refused with the reason.
    const missing = run('--model', encoder);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /--item-codes/);
    const extra = run('--model', tiny.model, '--item-codes', codes);
    assert.equal(extra.status, 1);
    assert.match(extra.stderr, /takes no --item-codes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a product’s code is read from its card and kept with its events; a malformed one is dropped, not the event', () => {
  const doc = new FakeDocument();
  const list = makeList(doc, ['a', 'b', 'c']);
  const [a, b, c] = list.children;
  a.setAttribute('data-vitrine-code', ' AbC-_09xyz ');
  b.setAttribute('data-vitrine-code', 'not a code!');
  c.setAttribute('data-vitrine-code', 'x'.repeat(513));
  assert.deepEqual(describeItem(a), { id: 'a', code: 'AbC-_09xyz' });
  assert.deepEqual(describeItem(b), { id: 'b' });
  assert.deepEqual(describeItem(c), { id: 'c' });

  const now = 1_750_000_000_000;
  assert.equal(toRecord({ kind: 'view', item: 'a', code: 'AbC-_09xyz', t: now }, now).record.code, 'AbC-_09xyz');
  const bad = toRecord({ kind: 'view', item: 'a', code: 'a=b', t: now }, now);
  assert.equal(bad.error, undefined);
  assert.equal(bad.record.code, undefined);
  // Only a product's event carries one; a record read back keeps it (validRecord runs toRecord again).
  assert.equal(toRecord({ kind: 'category_visit', category: 'tea', code: 'AbC', t: now }, now).record.code, undefined);
  assert.equal(validRecord({ kind: 0, item: 'a', code: 'AbC', t: now }, now).code, 'AbC');
});

test('build-index writes content-named shards; eval --index measures recall against the exact scan', () => {
  const tiny = tinyModel();
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-index-'));
  try {
    const { encoder, codes } = exportCodes(tiny.model, dir);
    const build = (out, ...flags) => {
      const run = runVitrine('build-index', '--model', encoder, '--item-codes', codes, '--out', out, ...flags);
      assert.equal(run.status, 0, run.stderr);
      return readdirSync(out);
    };
    const evaluate = (...flags) => {
      const run = runVitrine(
        'eval',
        '--train',
        tiny.train,
        '--test',
        tiny.test,
        '--baselines',
        'none',
        '--json',
        '--model',
        encoder,
        '--item-codes',
        codes,
        ...flags
      );
      assert.equal(run.status, 0, run.stderr);
      return JSON.parse(run.stdout);
    };
    const files = build(path.join(dir, 'index'), '--clusters', '4');
    assert.ok(files.includes('index.vti'));
    const shards = files.filter((f) => f !== 'index.vti');
    assert.equal(shards.length, 4);
    for (const name of shards) assert.match(name, /^s-[0-9a-f]{16}\.vts$/);

    const exact = evaluate().methods.model;
    // Probing every cluster reads the whole catalog: the same ranks as the exact scan.
    build(path.join(dir, 'all'), '--clusters', '4', '--probe', '4');
    const all = evaluate('--index', path.join(dir, 'all'));
    assert.equal(all.index['recall@20'], 1);
    assert.equal(all.methods.model['hr@20'], exact['hr@20']);
    assert.equal(all.methods.model['mrr@20'], exact['mrr@20']);
    // One cluster of four reads a quarter of the shards' bytes and misses some of the exact top 20.
    build(path.join(dir, 'one'), '--clusters', '4', '--probe', '1');
    const one = evaluate('--index', path.join(dir, 'one'));
    assert.ok(one.index['recall@20'] < 1, `recall ${one.index['recall@20']}`);
    assert.ok(one.index.shard_bytes_per_query < all.index.shard_bytes_per_query / 2);
    // The default probe.
    const chosen = evaluate('--index', path.join(dir, 'index'));
    assert.ok(chosen.index['recall@20'] >= 0.95, `recall ${chosen.index['recall@20']}`);

    // A model that holds its own items has no index to build.
    const whole = runVitrine('build-index', '--model', tiny.model, '--item-codes', codes, '--out', path.join(dir, 'x'));
    assert.equal(whole.status, 1);
    assert.match(whole.stderr, /holds its own items/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker’s top request ranks a coded catalog from the index shards near the shopper, fetched once', async () => {
  const tiny = tinyModel();
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-index-'));
  try {
    const { encoder, codes, file } = exportCodes(tiny.model, dir);
    const build = (name, ...flags) => {
      const run = runVitrine(
        'build-index',
        '--model',
        encoder,
        '--item-codes',
        codes,
        '--out',
        path.join(dir, name),
        ...flags
      );
      assert.equal(run.status, 0, run.stderr);
    };
    build('all', '--clusters', '4', '--probe', '4');
    build('one', '--clusters', '4', '--probe', '1');
    const base = 'https://shop.example/';
    const served = new Map([[`${base}model.vtm`, readFileSync(encoder)]]);
    for (const name of ['all', 'one'])
      for (const f of readdirSync(path.join(dir, name)))
        served.set(`${base}${name}/${f}`, readFileSync(path.join(dir, name, f)));
    const fetched = [];
    const cache = new Map();
    const service = createRankingService({
      createEngine: createNodeEngine,
      fetchBytes: async (url) => {
        fetched.push(url);
        if (!served.has(url)) throw new Error(`HTTP 404 for ${url}`);
        return new Uint8Array(served.get(url));
      },
      // The Cache API's part: a shard once fetched is not fetched again.
      fetchShard: async (url) => {
        if (cache.has(url)) return { bytes: cache.get(url), cached: true };
        fetched.push(url);
        if (!served.has(url)) throw new Error(`HTTP 404 for ${url}`);
        cache.set(url, new Uint8Array(served.get(url)));
        return { bytes: cache.get(url), cached: false };
      },
    });
    const products = catalogRows(tiny.catalog);
    const now = 1_750_000_000_000;
    const events = [10, 11, 12].map((k, i) => ({
      kind: 0,
      item: products[k].id,
      code: file.codes[products[k].id],
      t: now - (3 - i) * 60_000,
    }));
    const top = (indexUrl, extra = {}) =>
      service.handle({
        v: PROTOCOL_VERSION,
        id: 1,
        type: 'top',
        modelUrl: `${base}model.vtm`,
        events,
        nowMs: now,
        k: 10,
        ...(indexUrl ? { indexUrl } : {}),
        ...extra,
      });

    const missing = await top(null);
    assert.equal(missing.type, 'error');
    assert.match(missing.message, /data-index/);

    const all = await top(`${base}all/index.vti`);
    assert.equal(all.type, 'top', all.message);
    assert.equal(all.ids.length, 10);
    // Every shard read: the same ten as the whole model's catalog-wide top-K.
    const engine = await createNodeEngine();
    engine.loadModel(tiny.bytes);
    const whole = engine.topK({ events: events.map(({ code, ...e }) => e), nowMs: now, k: 10 });
    assert.deepEqual([...all.ids].sort(), [...whole.ids].sort());
    const shardsRead = fetched.filter((u) => u.endsWith('.vts')).length;
    assert.equal(shardsRead, 4);
    await top(`${base}all/index.vti`);
    assert.equal(fetched.filter((u) => u.endsWith('.vts')).length, 4, 'cached shards are not fetched again');

    fetched.length = 0;
    const one = await top(`${base}one/index.vti`);
    assert.equal(one.type, 'top', one.message);
    assert.ok(fetched.includes(`${base}one/index.vti`));
    assert.equal(fetched.filter((u) => u.endsWith('.vts')).length, 1, 'a probe of one reads one shard');
    // A shard that is not there fails the request (the widget stays as the shop rendered it); the head is kept.
    served.forEach((_, url) => url.endsWith('.vts') && url.includes('/one/') && served.delete(url));
    cache.clear();
    const lost = await top(`${base}one/index.vti`);
    assert.equal(lost.type, 'error');
    assert.match(lost.message, /shard/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('make-synthetic-model writes the same seeded catalog every time, ready to split and index', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-synthetic-'));
  try {
    const make = (name, ...flags) => {
      const out = path.join(dir, name);
      const run = runVitrine('make-synthetic-model', '--items', '3000', '--groups', '30', '--out', out, ...flags);
      assert.equal(run.status, 0, run.stderr);
      return readFileSync(out);
    };
    const a = make('a.vtm');
    assert.deepEqual(make('b.vtm'), a, 'same seed, same bytes');
    assert.notDeepEqual(make('c.vtm', '--seed', '2'), a);
    const engine = await createNodeEngine();
    const info = engine.loadModel(a);
    assert.equal(info.vocab_size, 3000);
    assert.equal(engine.vocabulary()[2999], 'p3000');
    const { encoder, codes } = exportCodes(path.join(dir, 'a.vtm'), dir);
    const run = runVitrine('build-index', '--model', encoder, '--item-codes', codes, '--out', path.join(dir, 'index'));
    assert.equal(run.status, 0, run.stderr);
    // One cluster per 128 products, and products gathered around 30 directions need few of them.
    const built = /in (\d+) clusters; probe (\d+);/.exec(run.stderr);
    assert.ok(built, run.stderr);
    assert.equal(Number(built[1]), Math.ceil(3000 / 128));
    assert.ok(Number(built[2]) < Number(built[1]), `probe ${built[2]} of ${built[1]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
