#!/usr/bin/env node
// What Vitrine costs the shopper's page, in headless Chromium on the demo shop (build/demo, as tools/demo.sh builds
// it, served by tools/demo/serve_demo.mjs with its shop-like caching): for several page types, each loaded with
// Vitrine and, side by side in the same run, without it (the package's requests refused, so the page stays as the
// shop rendered it):
//   shift    cumulative layout shift of the load (PerformanceObserver 'layout-shift', without recent input)
//   order    navigation start to the listing's final order (its last reorder, or its first render if none)
//   listed   navigation start to the listing's first render
//   task     the longest main-thread task of the load ('longtask', 50 ms and over; 0 when none)
// Variants: 'without' Vitrine, 'all' (the package as the demo ships it: a late ranking reorders the whole listing)
// and 'below-fold' (data-late-reorder="below-fold": a ranking that lands after the listing was painted moves only
// what is below the fold).
// Cold: the first load after the browser's HTTP cache was cleared (a new worker, engine and model download).
// Warm: later loads of the same page type (the package and engine from the cache, the model revalidated).
// The shopper has a history (sneaker and bag views), so the listings are reordered.
//
//   node bench/page_shift.mjs [--demo build/demo] [--dist build/wasm/dist] [--runs 5] [--json]
import path from 'node:path';
import { readFileSync } from 'node:fs';

import { startDemoServer } from '../tools/demo/serve_demo.mjs';
import { parseArgs } from '../tools/demo/files.mjs';
import { launchBrowser } from '../tests/support/browser.mjs';

const USAGE = 'usage: node bench/page_shift.mjs [--demo DIR] [--dist DIR] [--runs N] [--json]\n';
const args = process.argv.slice(2);
const json = args.includes('--json');
const o = parseArgs(args.filter((a) => a !== '--json'), { demo: 'build/demo', dist: 'build/wasm/dist', runs: 5 }, USAGE);
const runs = Number(o.runs);

const catalog = JSON.parse(readFileSync(path.join(o.demo, 'catalog.json'), 'utf8'));
const sneaker = catalog.products.find((p) => p.category === 'sneakers');
const PAGES = process.env.PAGE_SHIFT_ONLY ? { only: process.env.PAGE_SHIFT_ONLY } : {
  'home': 'index.html',
  'new in': 'category.html?c=all&compare=0',
  'category': 'category.html?c=bags&compare=0',
  'search': 'search.html?q=sneaker&compare=0',
  'product': `product.html?id=${sneaker.id}`,
};

// In the page, from the first script on: layout shifts, long tasks and the listing's render and reorder times.
const probe = () => {
  const m = { shift: 0, task: 0, listed: null, order: null };
  window.__probe = m;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) m.shift += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) m.task = Math.max(m.task, e.duration);
  }).observe({ type: 'longtask', buffered: true });
  const watch = new MutationObserver(() => {
    const list = document.getElementById('list');
    if (!list) return;
    watch.disconnect();
    m.listed = m.order = performance.now();
    new MutationObserver(() => (m.order = performance.now())).observe(list, { childList: true });
  });
  watch.observe(document, { childList: true, subtree: true });
};

const VARIANTS = ['without', 'all', 'below-fold'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : null;
};

async function seedHistory(context, url) {
  const page = await context.newPage();
  await page.goto(url + 'about.html');
  await page.evaluate(() => window.vitrine.ready);
  const liked = [...catalog.products.filter((p) => p.category === 'sneakers').slice(20, 24),
    ...catalog.products.filter((p) => p.category === 'bags').slice(30, 33)];
  for (const p of liked) {
    await page.evaluate((e) => window.vitrine.track(e),
      { kind: 'view', item: p.id, category: p.category, brand: p.brand, price: p.price, dwellMs: 3000 });
  }
  await page.evaluate(() => window.vitrine.exportData()); // stored before the measured pages
  await page.close();
}

// 'all': the package as the demo ships it; 'below-fold': the same with data-late-reorder="below-fold" on its tag;
// 'without': the package's requests refused.
async function load(context, url, route, variant) {
  const withVitrine = variant !== 'without';
  const page = await context.newPage();
  await page.addInitScript(probe);
  if (!withVitrine) await page.route('**/vitrine/**', (r) => r.abort());
  if (variant === 'below-fold') {
    await page.route(/\.html(\?|$)/, async (r) => {
      const response = await r.fetch();
      const body = (await response.text()).replace('data-model=', 'data-late-reorder="below-fold" data-model=');
      await r.fulfill({ response, body });
    });
  }
  await page.goto(url + route, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.personalized === '1' || (document.getElementById('site-header')?.children.length > 0 && !document.getElementById('list')));
  if (withVitrine) await page.evaluate(() => window.vitrine.ready);
  await page.waitForTimeout(300); // late shifts and tasks are reported
  const m = await page.evaluate(() => ({ ...window.__probe, result: document.getElementById('list')?.dataset.vitrineResult ?? null }));
  await page.close();
  return m;
}

const { server, url } = await startDemoServer({ demoDir: path.resolve(o.demo), distDir: path.resolve(o.dist) });
const browser = await launchBrowser();
const results = {};
try {
  await seedHistory(browser.context, url);
  const cdpPage = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(cdpPage);
  for (const [name, route] of Object.entries(PAGES)) {
    const rows = Object.fromEntries(VARIANTS.map((v) => [v, { cold: [], warm: [] }]));
    for (let r = 0; r < runs; ++r) {
      for (const variant of VARIANTS) {
        await cdp.send('Network.clearBrowserCache');
        rows[variant].cold.push(await load(browser.context, url, route, variant));
        rows[variant].warm.push(await load(browser.context, url, route, variant));
      }
    }
    const summary = {};
    for (const side of VARIANTS) {
      for (const temp of ['cold', 'warm']) {
        const xs = rows[side][temp];
        summary[`${side} ${temp}`] = {
          shift: median(xs.map((x) => x.shift)), shiftMax: Math.max(...xs.map((x) => x.shift)),
          listedMs: median(xs.map((x) => x.listed ?? NaN).filter(Number.isFinite)),
          orderMs: median(xs.map((x) => x.order ?? NaN).filter(Number.isFinite)),
          longestTaskMs: median(xs.map((x) => x.task)),
          results: [...new Set(xs.map((x) => x.result))],
        };
      }
    }
    results[name] = summary;
  }
  await cdpPage.close();
} finally {
  await browser.close();
  server.close();
}

if (json) {
  console.log(JSON.stringify({ runs, pages: PAGES, results }, null, 2));
} else {
  const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  console.log(`medians of ${runs} runs per cell; shift max in brackets\n`);
  console.log('page       variant/cache    shift (max)     listed ms  order ms  longest task ms  listing result');
  for (const [name, s] of Object.entries(results)) {
    for (const [key, v] of Object.entries(s)) {
      console.log(`${name.padEnd(10)} ${key.padEnd(16)} ${f(v.shift, 3).padStart(6)} (${f(v.shiftMax, 3)})   ` +
        `${f(v.listedMs).padStart(8)}  ${f(v.orderMs).padStart(8)}  ${f(v.longestTaskMs).padStart(8)}  ${v.results.join(',')}`);
    }
  }
}
