// A model whose catalog is out of its file (core/include/vitrine/item_codes.h): `vitrine export-codes` splits the
// tiny test model into an encoder and one code per product; the wasm engine, given the codes with the request, ranks
// as the whole model does; `vitrine eval --item-codes` measures the pair natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describeItem } from '../../js/src/dom.mjs';
import { NO_SHARD } from '../../js/src/engine.mjs';
import { toRecord, validRecord } from '../../js/src/events.mjs';
import { PROTOCOL_VERSION, createRankingService } from '../../js/src/ranking_service.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { shardIds } from '../support/catalog_shard.mjs';
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
    build('paged', '--clusters', '4', '--probe', '4', '--pages', '2', '--page-probe', '2');
    const base = 'https://shop.example/';
    const served = new Map([[`${base}model.vtm`, readFileSync(encoder)]]);
    for (const name of ['all', 'one', 'paged'])
      for (const f of readdirSync(path.join(dir, name)))
        served.set(`${base}${name}/${f}`, readFileSync(path.join(dir, name, f)));
    const fetched = [];
    const cache = new Map();
    let shardReads = 0; // calls of fetchShard, the Cache API's hits included
    const deps = {
      createEngine: createNodeEngine,
      fetchBytes: async (url, limits) => {
        fetched.push(url);
        // The index head goes without cookies, as the shards do (model_fetch.mjs fetchImmutable).
        if (url.endsWith('.vti')) assert.equal(limits.credentials, 'omit');
        if (!served.has(url)) throw new Error(`HTTP 404 for ${url}`);
        return new Uint8Array(served.get(url));
      },
      // The Cache API's part: a shard once fetched is not fetched again.
      fetchShard: async (url) => {
        shardReads += 1;
        if (cache.has(url)) return { bytes: cache.get(url), cached: true };
        fetched.push(url);
        if (!served.has(url)) throw new Error(`HTTP 404 for ${url}`);
        cache.set(url, new Uint8Array(served.get(url)));
        return { bytes: cache.get(url), cached: false };
      },
    };
    const service = createRankingService(deps);
    const products = catalogRows(tiny.catalog);
    const now = 1_750_000_000_000;
    const events = [10, 11, 12].map((k, i) => ({
      kind: 0,
      item: products[k].id,
      code: file.codes[products[k].id],
      t: now - (3 - i) * 60_000,
    }));
    const top = (indexUrl, extra = {}, on = service) =>
      on.handle({
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
    // Each product's feed is the one beside the shard that holds it.
    const shardOf = new Map();
    for (const f of readdirSync(path.join(dir, 'all')).filter((f) => f.endsWith('.vts')))
      for (const id of shardIds(readFileSync(path.join(dir, 'all', f)))) shardOf.set(id, f);
    assert.equal(all.feeds.length, all.ids.length);
    all.ids.forEach((id, i) =>
      assert.equal(all.feeds[i], `${base}all/${shardOf.get(id).replace(/\.vts$/, '.json')}`, id)
    );
    const shardsRead = fetched.filter((u) => u.endsWith('.vts')).length;
    assert.equal(shardsRead, 4);
    const readsBefore = shardReads;
    const again = await top(`${base}all/index.vti`);
    assert.equal(fetched.filter((u) => u.endsWith('.vts')).length, 4, 'cached shards are not fetched again');
    assert.equal(shardReads, readsBefore, 'the worker keeps the shards it read: not even the Cache API is asked');
    assert.deepEqual(again.ids, all.ids);
    // Without room to keep them, each query reads its shards again (from the Cache API), to the same answer.
    const forgetful = createRankingService({ ...deps, keptShardBytes: 0 });
    const first = await top(`${base}all/index.vti`, {}, forgetful);
    const readsForgetful = shardReads;
    const second = await top(`${base}all/index.vti`, {}, forgetful);
    assert.equal(shardReads - readsForgetful, 4);
    assert.deepEqual(second.ids, first.ids);
    assert.deepEqual(first.ids, all.ids);

    fetched.length = 0;
    const one = await top(`${base}one/index.vti`);
    assert.equal(one.type, 'top', one.message);
    assert.ok(fetched.includes(`${base}one/index.vti`));
    assert.equal(fetched.filter((u) => u.endsWith('.vts')).length, 1, 'a probe of one reads one shard');
    // The shopper's own products that the one shard read does not hold have no feed to point to.
    const own = new Set(events.map((e) => e.item));
    const probed = fetched.find((u) => u.endsWith('.vts'));
    one.ids.forEach((id, i) => {
      if (one.feeds[i] === null) assert.ok(own.has(id), `${id} has no feed`);
      else assert.equal(one.feeds[i], probed.replace(/\.vts$/, '.json'));
    });
    // A paged head: its two pages are read first (cached as the shards are), then the same four shards.
    fetched.length = 0;
    const paged = await top(`${base}paged/index.vti`);
    assert.equal(paged.type, 'top', paged.message);
    assert.deepEqual(paged.ids, all.ids);
    const pagesRead = fetched.filter((u) => /\/paged\/p-[0-9a-f]{16}\.vti$/.test(u));
    assert.equal(pagesRead.length, 2, fetched.join(' '));
    const baseName = (u) => u.slice(u.lastIndexOf('/') + 1);
    assert.deepEqual(
      fetched
        .filter((u) => u.endsWith('.vts'))
        .map(baseName)
        .sort(),
      readdirSync(path.join(dir, 'all'))
        .filter((f) => f.endsWith('.vts'))
        .sort(),
      'the same four shards as the unpaged head'
    );
    fetched.length = 0;
    assert.deepEqual((await top(`${base}paged/index.vti`)).ids, all.ids);
    assert.deepEqual(fetched, [], 'the engine keeps its pages');
    // The engine's side: it names the pages it lacks, refuses bytes that are not a page of its head (a shard, or
    // the other index's head), and names shards once it has them.
    const pagedEngine = await createNodeEngine();
    pagedEngine.loadModel(readFileSync(encoder));
    pagedEngine.loadIndex(served.get(`${base}paged/index.vti`));
    const request = { events, nowMs: now };
    assert.deepEqual(pagedEngine.probe(request).sort(), pagesRead.map(baseName).sort());
    const aShard = [...served.keys()].find((u) => u.includes('/paged/') && u.endsWith('.vts'));
    for (const wrong of [served.get(aShard), served.get(`${base}all/index.vti`)])
      assert.throws(() => pagedEngine.loadIndexPage(new Uint8Array(wrong)), /not a page/);
    pagedEngine.loadIndexPage(new Uint8Array(served.get(pagesRead[0])));
    assert.equal(pagedEngine.probe(request).length, 1, 'one page still missing');
    pagedEngine.loadIndexPage(new Uint8Array(served.get(pagesRead[1])));
    assert.equal(pagedEngine.probe(request).filter((n) => n.endsWith('.vts')).length, 4);

    // A shard that is not there fails the request (the widget stays as the shop rendered it); the head is kept.
    served.forEach((_, url) => url.endsWith('.vts') && url.includes('/one/') && served.delete(url));
    cache.clear();
    const lost = await top(`${base}one/index.vti`, {}, createRankingService(deps)); // a worker that kept none

    assert.equal(lost.type, 'error');
    assert.match(lost.message, /shard/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('VT_NO_SHARD of the C header is the engine’s NO_SHARD', () => {
  const header = readFileSync(new URL('../../wasm/vitrine_api.h', import.meta.url), 'utf8');
  const defined = /#define VT_NO_SHARD (0x[0-9A-Fa-f]+)u/.exec(header);
  assert.ok(defined, 'VT_NO_SHARD is defined');
  assert.equal(Number(defined[1]), NO_SHARD);
});

test('build-index --products writes each shard’s products’ feed beside it', () => {
  const tiny = tinyModel();
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-feeds-'));
  try {
    const { encoder, codes, file } = exportCodes(tiny.model, dir);
    const ids = Object.keys(file.codes);
    // Every product but the first has a record; one record has no id and one id repeats (the first is kept).
    const records = ids.slice(1).map((id) => ({ id, name: `Name of ${id}`, url: `/p/${id}`, price: 9.5 }));
    records.push({ name: 'no id', url: '/x' }, { id: ids[2], name: 'second record', url: '/y' });
    writeFileSync(path.join(dir, 'feed.json'), JSON.stringify({ products: records }));
    const out = path.join(dir, 'index');
    const run = runVitrine(
      'build-index',
      '--model',
      encoder,
      '--item-codes',
      codes,
      '--out',
      out,
      '--clusters',
      '4',
      '--products',
      path.join(dir, 'feed.json')
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /1 products have no feed record.* 1 records without an id and 1 repeated ids/);
    const shards = readdirSync(out).filter((f) => f.endsWith('.vts'));
    assert.equal(shards.length, 4);
    const seen = new Map();
    for (const shard of shards) {
      const feed = JSON.parse(readFileSync(path.join(out, shard.replace(/\.vts$/, '.json')), 'utf8'));
      const held = shardIds(readFileSync(path.join(out, shard)));
      assert.deepEqual(
        feed.products.map((p) => p.id),
        held.filter((id) => id !== ids[0]),
        'the feed lists the shard’s products in its order'
      );
      for (const p of feed.products) {
        assert.ok(!seen.has(p.id), `${p.id} is in one feed`);
        seen.set(p.id, p);
      }
    }
    assert.equal(seen.size, ids.length - 1);
    assert.equal(seen.has(ids[0]), false);
    assert.equal(seen.get(ids[2]).name, `Name of ${ids[2]}`);
    assert.deepEqual(seen.get(ids[5]), { id: ids[5], name: `Name of ${ids[5]}`, url: `/p/${ids[5]}`, price: 9.5 });

    writeFileSync(path.join(dir, 'bad.json'), '{"items": []}');
    const bad = runVitrine(
      'build-index',
      '--model',
      encoder,
      '--item-codes',
      codes,
      '--out',
      out,
      '--products',
      path.join(dir, 'bad.json')
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /"products" array/);
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
    // About 2 sqrt(n) clusters, and products gathered around 30 directions need few of them.
    const built = /in (\d+) clusters; probe (\d+);/.exec(run.stderr);
    assert.ok(built, run.stderr);
    assert.equal(Number(built[1]), Math.ceil(2 * Math.sqrt(3000)));
    assert.ok(Number(built[2]) < Number(built[1]), `probe ${built[2]} of ${built[1]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
