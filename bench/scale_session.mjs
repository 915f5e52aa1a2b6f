#!/usr/bin/env node
// A shopper's 20-page session on a shop of a million products, in headless Chromium, beside the same session on
// today's design: a whole-table model of 43,097 products (Diginetica's catalog size) with a product feed of the
// whole catalog. Issue 16's scale test.
//
// Catalogs (seeded, made once and kept in --work; `vitrine make-synthetic-model`, random untrained weights: this
// measures bytes and time, never ranking quality):
//   coded   1,000,000 products: `vitrine export-codes` (the encoder, a code per product on its card) and
//           `vitrine build-index --products` (the index, its shards and a feed beside each shard)
//   whole   43,097 products: the model file with its item table, and the shop's feed of every product
// Variants: 'coded' and 'whole' with a ranking worker per page (data-worker="page", the design the issue compares
// against), 'coded-shared' with one shared worker for the shop's pages (data-worker="shared", the default), and
// 'coded-returning' as 'coded-shared' for a shopper who comes back with a history (so page 1 is reordered), the
// browser's caches emptied before page 1.
// Pages alternate: a category listing of 60 products (one index cluster's: products that belong together), then
// one of its products with a "similar" widget of 20; the next listing is the same category or, one time in three,
// another. The shopper's view of each product is recorded (track) before the next page. Each variant runs the same
// seeded session in a fresh browser with an empty cache.
//
// Served as a shop would (this file's server): pages no-store; the package and the shards immutable (js/README.md);
// the model or encoder, the index head and the feeds revalidated (ETag, 304); everything gzip-compressed. Per page:
//   bytes     response body bytes the server sent during the page (gzip where it compressed), all requests of the
//             page and its worker; a 304 sends none
//   ready     Vitrine's loader script start ('vitrine:loader') to the listing's order applied ('vitrine:applied')
//             or to the widget's first card, on the page's clock
//   tasks     main-thread long tasks (50 ms and over); 'vitrine' those holding one of Vitrine's measures
//   wasm      the engine's linear memory after its last request (the worker's 'vitrine:wasm-memory' marks; a
//             shared worker is not visible to Playwright, so '-')
//
//   node bench/scale_session.mjs [--items 1000000] [--whole-items 43097] [--pages 20]
//                                [--variants coded,coded-shared,coded-returning,whole]
//                                [--index-pages N (build-index --pages; 0: its default)]
//                                [--work build/bench-scale] [--dist build/wasm/dist] [--vitrine PATH] [--json]
import http from 'node:http';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import zlib from 'node:zlib';

import { launchBrowser } from '../tests/support/browser.mjs';
import { shardIds } from '../tests/support/catalog_shard.mjs';
import { parseArgs } from '../tools/demo/files.mjs';
import { vitrineTimings } from './vitrine_timings.mjs';

const USAGE =
  'usage: node bench/scale_session.mjs [--items N] [--whole-items N] [--pages N] [--variants LIST] [--work DIR]\n' +
  '                                    [--dist DIR] [--vitrine PATH] [--index-pages N] [--json]\n';
const args = process.argv.slice(2);
const json = args.includes('--json');
const o = parseArgs(
  args.filter((a) => a !== '--json'),
  {
    items: 1_000_000,
    wholeItems: 43_097,
    pages: 20,
    variants: 'coded,coded-shared,coded-returning,whole',
    work: 'build/bench-scale',
    dist: 'build/wasm/dist',
    vitrine: 'build/native/models/vitrine',
    indexPages: 0,
  },
  USAGE
);
const LISTING = 60;
const WIDGET = 20;
const log = (line) => process.stderr.write(`scale_session: ${line}\n`);

function vitrine(...cli) {
  const run = spawnSync(path.resolve(o.vitrine), cli, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`vitrine ${cli.join(' ')}: ${run.stderr || run.error}`);
}

// Deterministic, seeded: the session is the same for every variant and every run.
function rng(seed) {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

function feedOf(count) {
  const products = Array.from({ length: count }, (_, i) => ({
    id: `p${i + 1}`,
    name: `Product ${i + 1}`,
    url: `/p/p${i + 1}.html`,
    price: 5 + ((i * 37) % 200),
  }));
  return JSON.stringify({ products });
}

// The catalog's files, made once per size: the model (whole) or encoder and codes (coded), and an index whose
// clusters are the listings' categories (served only for the coded catalog).
function prepare(kind, items) {
  const pages = kind === 'coded' && Number(o.indexPages) > 0 ? Number(o.indexPages) : 0;
  const dir = path.resolve(o.work, `${kind}-${items}${pages ? `-pages${pages}` : ''}`);
  const done = path.join(dir, 'ready');
  if (existsSync(done)) return dir;
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  vitrine('make-synthetic-model', '--items', String(items), '--out', path.join(dir, 'model.vtm'));
  writeFileSync(path.join(dir, 'feed.json'), feedOf(items));
  vitrine(
    'export-codes',
    '--model',
    path.join(dir, 'model.vtm'),
    '--out-model',
    path.join(dir, 'encoder.vtm'),
    '--out-codes',
    path.join(dir, 'codes.json')
  );
  vitrine(
    'build-index',
    '--model',
    path.join(dir, 'encoder.vtm'),
    '--item-codes',
    path.join(dir, 'codes.json'),
    '--out',
    path.join(dir, 'index'),
    ...(kind === 'coded' ? ['--products', path.join(dir, 'feed.json')] : []),
    ...(pages ? ['--pages', String(pages)] : [])
  );
  writeFileSync(done, '');
  log(`${kind} catalog of ${items} products made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

// The categories: each index cluster's products, those of 60 or more.
function categories(dir) {
  const index = path.join(dir, 'index');
  return readdirSync(index)
    .filter((f) => f.endsWith('.vts'))
    .sort()
    .map((f) => shardIds(readFileSync(path.join(index, f))))
    .filter((ids) => ids.length >= LISTING)
    .map((ids) => ids.slice(0, LISTING));
}

function session(cats, pages) {
  const pick = rng(20261207);
  const out = [];
  let cat = pick(cats.length);
  for (let i = 0; i < pages; ++i) {
    if (i % 2 === 0) out.push({ type: 'listing', cat });
    else {
      out.push({ type: 'product', item: cats[cat][pick(LISTING)] });
      if (pick(3) === 0) cat = pick(cats.length);
    }
  }
  return out;
}

const TEMPLATE =
  '<template data-vitrine-template><a data-vitrine-field="url"><span data-vitrine-field="name"></span></a></template>';

function pageHtml(variant, page, cats, codes) {
  const coded = variant !== 'whole';
  const tag = coded
    ? `data-model="/m/encoder.vtm" data-index="/m/index/index.vti" data-worker="${variant === 'coded' ? 'page' : 'shared'}"`
    : 'data-model="/m/model.vtm" data-worker="page"';
  const code = (id) => (coded ? ` data-vitrine-code="${codes.get(id)}"` : '');
  const body =
    page.type === 'listing'
      ? `<h1>Category ${page.cat}</h1><ul id="list" data-vitrine-list>${cats[page.cat]
          .map(
            (id) => `<li data-vitrine-item="${id}"${code(id)}><a href="/p/${id}.html">Product ${id.slice(1)}</a></li>`
          )
          .join('')}</ul>`
      : `<main data-vitrine-item="${page.item}"${code(page.item)}><h1>Product ${page.item.slice(1)}</h1></main>
<section id="similar" data-vitrine-widget="similar"${coded ? '' : ' data-vitrine-products="/m/feed.json"'} data-vitrine-limit="${WIDGET}" hidden>${TEMPLATE}</section>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Scale shop</title>
<style>ul{display:grid;grid-template-columns:repeat(4,1fr);gap:8px;list-style:none;padding:0}li{height:96px;border:1px solid #ccc}</style>
<script src="/vitrine/vitrine.js" ${tag} data-consent="not-required" defer></script>
</head><body>${body}</body></html>`;
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.vtm': 'application/octet-stream',
  '.vti': 'application/octet-stream',
  '.vts': 'application/octet-stream',
};

// The shop's server: `files(urlPath)` gives { body, cache } or null. Counts the body bytes it sends.
function startShop(files) {
  const sent = { bytes: 0, requests: 0, byKind: {} };
  const gz = new Map();
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const found = files(urlPath);
    if (!found) {
      res.writeHead(404).end();
      return;
    }
    const ext = path.extname(urlPath);
    const head = { 'Content-Type': MIME[ext] ?? 'application/octet-stream', 'Cache-Control': found.cache };
    if (found.cache !== 'no-store') {
      head.ETag = `"${createHash('sha1').update(found.body).digest('hex').slice(0, 20)}"`;
      if (req.headers['if-none-match'] === head.ETag) {
        res.writeHead(304, head).end();
        sent.requests += 1;
        return;
      }
    }
    let body = found.body;
    // Shards are codes and ids (random bytes gzip little), the wasm is served as shops often do, compressed too.
    if (/gzip/.test(req.headers['accept-encoding'] ?? '')) {
      if (!gz.has(urlPath) || gz.get(urlPath).source !== body)
        gz.set(urlPath, { source: body, bytes: zlib.gzipSync(body, { level: 6 }) });
      body = gz.get(urlPath).bytes;
      head['Content-Encoding'] = 'gzip';
    }
    res.writeHead(200, head).end(body);
    sent.bytes += body.length;
    sent.requests += 1;
    const kind = urlPath.startsWith('/vitrine/')
      ? 'package'
      : urlPath.endsWith('.vts')
        ? 'shards'
        : /\/p-[0-9a-f]{16}\.vti$/.test(urlPath)
          ? 'index pages'
          : urlPath.startsWith('/m/index/') && urlPath.endsWith('.json')
            ? 'shard feeds'
            : urlPath.startsWith('/m/')
              ? path.basename(urlPath)
              : 'pages';
    sent.byKind[kind] = (sent.byKind[kind] ?? 0) + body.length;
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, sent, url: `http://127.0.0.1:${server.address().port}` }))
  );
}

// In the page, from the first script on: long tasks and when the widget's first card appeared.
const probe = () => {
  const m = { tasks: [], widget: null };
  window.__probe = m;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) m.tasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  new MutationObserver(() => {
    if (m.widget === null && document.querySelector('#similar [data-vitrine-rendered]')) m.widget = performance.now();
  }).observe(document, { childList: true, subtree: true });
};

async function runVariant(variant, dir, cats, plan, codes) {
  const fileCache = new Map();
  const read = (file) => {
    if (!fileCache.has(file)) fileCache.set(file, readFileSync(file));
    return fileCache.get(file);
  };
  const REVALIDATE = 'no-cache';
  const IMMUTABLE = 'public, max-age=31536000, immutable';
  let current = null;
  const { server, sent, url } = await startShop((urlPath) => {
    if (urlPath === '/page.html' && current) return { body: Buffer.from(current), cache: 'no-store' };
    if (urlPath.startsWith('/vitrine/')) {
      // As js/README.md says to serve the package: under a versioned path, immutable.
      const file = path.join(path.resolve(o.dist), urlPath.slice('/vitrine/'.length));
      return existsSync(file) && statSync(file).isFile() ? { body: read(file), cache: IMMUTABLE } : null;
    }
    if (!urlPath.startsWith('/m/')) return null;
    const name = urlPath.slice(3);
    const allowed =
      variant === 'whole'
        ? ['model.vtm', 'feed.json']
        : ['encoder.vtm', 'index/index.vti'].concat(
            /^index\/(s-[0-9a-f]{16}\.(vts|json)|p-[0-9a-f]{16}\.vti)$/.test(name) ? [name] : []
          );
    if (!allowed.includes(name)) return null;
    const file = path.join(dir, name);
    if (!existsSync(file)) return null;
    // Shards and pages are named by their content; the head is not.
    const immutable = name.endsWith('.vts') || /\/p-[0-9a-f]{16}\.vti$/.test(name);
    return { body: read(file), cache: immutable ? IMMUTABLE : REVALIDATE };
  });
  // A returning shopper's history is stored in a first browser on a profile of its own; the session then runs in a
  // second browser on that profile, its HTTP cache and Cache API emptied and no worker of the first alive.
  const profileDir = variant === 'coded-returning' ? mkdtempSync(path.join(os.tmpdir(), 'vitrine-scale-')) : null;
  if (profileDir) {
    const seeding = await launchBrowser({ profileDir });
    try {
      const page = await seeding.context.newPage();
      current = pageHtml(variant, plan[0], cats, codes);
      await page.goto(`${url}/page.html?seed`, { waitUntil: 'load' });
      await page.evaluate(() => window.vitrine.ready);
      for (const item of cats[plan[0].cat].slice(10, 15))
        await page.evaluate((e) => window.vitrine.track(e), { kind: 'view', item, code: codes.get(item) });
      await page.evaluate(async () => Promise.all((await caches.keys()).map((k) => caches.delete(k))));
    } finally {
      await seeding.close();
    }
  }
  const browser = await launchBrowser(profileDir ? { profileDir } : {});
  const rows = [];
  try {
    const page = await browser.context.newPage();
    await page.addInitScript(probe);
    if (profileDir) {
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
    }
    for (const [i, step] of plan.entries()) {
      current = pageHtml(variant, step, cats, codes);
      const before = { ...sent, byKind: { ...sent.byKind } };
      await page.goto(`${url}/page.html?n=${i}`, { waitUntil: 'load' });
      await page.evaluate(() => window.vitrine.ready);
      if (step.type === 'listing')
        await page.waitForFunction(() => document.getElementById('list')?.dataset.vitrineResult, null, {
          timeout: 30_000,
        });
      else
        await page
          .waitForFunction(() => window.__probe.widget !== null, null, { timeout: 30_000 })
          .catch(() => log(`${variant} page ${i + 1}: the widget stayed empty`));
      await page.waitForTimeout(300); // late long tasks are reported
      const m = await page.evaluate(() => ({
        ...window.__probe,
        result: document.getElementById('list')?.dataset.vitrineResult ?? null,
        cards: document.querySelectorAll('#similar [data-vitrine-rendered]').length,
      }));
      const { steps, work, details } = await vitrineTimings(page);
      const done = step.type === 'listing' ? steps.applied : m.widget;
      const vitrineTasks = m.tasks.filter(([t, d]) => work.some(([s, w]) => s >= t && s + w <= t + d + 1));
      const memory = details['wasm-memory']?.map((d) => d.bytes) ?? [];
      const byKind = {};
      for (const [k, v] of Object.entries(sent.byKind))
        if (v !== (before.byKind[k] ?? 0)) byKind[k] = v - (before.byKind[k] ?? 0);
      rows.push({
        page: i + 1,
        type: step.type,
        bytes: sent.bytes - before.bytes,
        requests: sent.requests - before.requests,
        byKind,
        readyMs: Number.isFinite(done) && Number.isFinite(steps.loader) ? done - steps.loader : null,
        result: step.type === 'listing' ? m.result : `${m.cards} cards`,
        longTasks: m.tasks.length,
        longestTaskMs: Math.max(0, ...m.tasks.map(([, d]) => d)),
        vitrineLongTasks: vitrineTasks.length,
        wasmBytes: memory.length ? Math.max(...memory) : null,
        // Vitrine's steps (js/src/marks.mjs) from its loader's start, for telling where the time went.
        steps: Object.fromEntries(
          Object.entries(steps)
            .filter(([, t]) => Number.isFinite(t) && Number.isFinite(steps.loader))
            .map(([k, t]) => [k, Math.round((t - steps.loader) * 10) / 10])
        ),
      });
      // The shopper looked at the product: its view, with its code as a card would record it.
      if (step.type === 'product')
        await page.evaluate(
          (e) => window.vitrine.track(e),
          variant === 'whole'
            ? { kind: 'view', item: step.item }
            : { kind: 'view', item: step.item, code: codes.get(step.item) }
        );
    }
  } finally {
    await browser.close();
    server.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
  return rows;
}

function summarize(rows) {
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const firstReordered = rows.findIndex((r) => r.result === 'reordered');
  const later = rows
    .slice(1)
    .map((r) => r.readyMs)
    .filter(Number.isFinite);
  const sorted = [...later].sort((a, b) => a - b);
  return {
    sessionBytes: sum(rows.map((r) => r.bytes)),
    firstPageBytes: rows[0]?.bytes ?? null,
    // Everything fetched until the first listing Vitrine reordered (the first has no history to reorder by).
    firstReorderedPage: firstReordered + 1 || null,
    bytesUntilFirstReorder: firstReordered < 0 ? null : sum(rows.slice(0, firstReordered + 1).map((r) => r.bytes)),
    laterReadyMedianMs: sorted.length ? sorted[(sorted.length - 1) >> 1] : null,
    laterReadyMaxMs: sorted.length ? sorted[sorted.length - 1] : null,
    firstReadyMs: rows[0]?.readyMs ?? null,
    vitrineLongTasks: sum(rows.map((r) => r.vitrineLongTasks)),
    longTasks: sum(rows.map((r) => r.longTasks)),
    maxWasmBytes: Math.max(0, ...rows.map((r) => r.wasmBytes ?? 0)) || null,
  };
}

const variants = String(o.variants)
  .split(',')
  .map((v) => v.trim());
for (const v of variants) {
  if (!['coded', 'coded-shared', 'coded-returning', 'whole'].includes(v)) {
    process.stderr.write(`unknown variant "${v}"\n${USAGE}`);
    process.exit(2);
  }
}
const results = {};
for (const variant of variants) {
  const kind = variant === 'whole' ? 'whole' : 'coded';
  const items = kind === 'whole' ? Number(o.wholeItems) : Number(o.items);
  const dir = prepare(kind, items);
  const cats = categories(dir);
  const codes = new Map(Object.entries(JSON.parse(readFileSync(path.join(dir, 'codes.json'), 'utf8')).codes));
  const plan = session(cats, Number(o.pages));
  log(`${variant}: ${items} products, ${cats.length} categories of ${LISTING}`);
  const rows = await runVariant(variant, dir, cats, plan, codes);
  results[variant] = { items, summary: summarize(rows), pages: rows };
}

if (json) {
  console.log(JSON.stringify({ pages: Number(o.pages), listing: LISTING, widget: WIDGET, results }, null, 2));
} else {
  const f = (x, d = 0) => (x === null || x === undefined ? '-' : x.toFixed(d));
  for (const [variant, { items, summary, pages }] of Object.entries(results)) {
    console.log(`\n${variant} (${items} products)`);
    console.log('page type      bytes  reqs  ready ms  result        long tasks (vitrine)  wasm MB');
    for (const r of pages)
      console.log(
        `${String(r.page).padStart(4)} ${r.type.padEnd(8)} ${String(r.bytes).padStart(8)} ${String(r.requests).padStart(5)} ` +
          `${f(r.readyMs, 1).padStart(9)}  ${String(r.result).padEnd(12)}  ${String(r.longTasks).padStart(4)} (${r.vitrineLongTasks})` +
          `           ${r.wasmBytes === null ? '-' : (r.wasmBytes / 1048576).toFixed(1)}`
      );
    console.log(JSON.stringify(summary));
  }
}
