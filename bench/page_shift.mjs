#!/usr/bin/env node
// What Vitrine costs the shopper's page, in headless Chromium on the demo shop (build/demo, as tools/demo.sh builds
// it, served by tools/demo/serve_demo.mjs with its shop-like caching): for several page types, each loaded with
// Vitrine and, side by side in the same run, without it (the package's requests refused, so the page stays as the
// shop rendered it):
//   shift    cumulative layout shift of the load (PerformanceObserver 'layout-shift', without recent input)
//   listed   navigation start to the listing's insertion into the page (the demo renders it from its catalog)
//   shown    navigation start to the listing being visible (later than listed only while Vitrine holds it);
//            held = shown - listed; frame = the first animation frame after the insertion - listed (the listing
//            cannot be painted before it, held or not); shownFinal counts the loads whose listing was first shown
//            already in its final order
//   order    navigation start to the listing's final order (its last reorder, or its insertion if none)
//   task     the longest main-thread task of the load ('longtask', 50 ms and over; 0 when none)
//   vtask    the longest of those tasks that ran Vitrine's own main-thread work (a 'vitrine:*' User Timing measure,
//            js/src/marks.mjs, inside the task); vwork the longest such measure itself
//   steps    when each step of Vitrine's start-up finished (its 'vitrine:*' marks, the worker's on the page's clock)
// Variants: 'without' Vitrine; 'shipped' (the package's defaults: a listing seen before it is painted is held
// invisible until ranked, at most 50 ms; a ranking that lands later moves only what is below the fold); 'no hold,
// all' (data-hold-ms="0" data-late-reorder="all": every ranking reorders the whole listing, the old default);
// 'shared worker' (the shipped package with data-worker="shared": one worker for all the shop's pages, which
// outlives each page, so a warm page finds the engine and the model loaded); 'vault' (the demo's /vault/ pages:
// the package from a second origin, the history, the worker and the ranking in Vitrine's frame there; the tag says
// data-consent="not-required", as the plain demo's does). --variants picks some, comma-separated.
// Cold: the first load in a browser just started (on the profile that holds the shopper's history) with its HTTP
// cache cleared: a new worker, engine and model download. Warm: the next load of the same page type in that browser
// (the package and engine from the cache; where the worker is shared and outlives pages, the engine and model still
// loaded in it, else the model revalidated).
// The shopper has a history (sneaker and bag views), so the listings are reordered.
//
//   node bench/page_shift.mjs [--demo build/demo] [--dist build/wasm/dist] [--runs 5] [--variants a,b] [--json]
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';

import { startDemoServer } from '../tools/demo/serve_demo.mjs';
import { parseArgs } from '../tools/demo/files.mjs';
import { launchBrowser } from '../tests/support/browser.mjs';
import { vitrineTimings } from './vitrine_timings.mjs';

const USAGE = 'usage: node bench/page_shift.mjs [--demo DIR] [--dist DIR] [--runs N] [--variants LIST] [--json]\n';
const args = process.argv.slice(2);
const json = args.includes('--json');
const ALL_VARIANTS = ['without', 'shipped', 'no hold, all', 'shared worker', 'vault'];
const o = parseArgs(
  args.filter((a) => a !== '--json'),
  { demo: 'build/demo', dist: 'build/wasm/dist', runs: 5, variants: ALL_VARIANTS.join(',') },
  USAGE
);
const runs = Number(o.runs);

const catalog = JSON.parse(readFileSync(path.join(o.demo, 'catalog.json'), 'utf8'));
const sneaker = catalog.products.find((p) => p.category === 'sneakers');
const PAGES = process.env.PAGE_SHIFT_ONLY
  ? { only: process.env.PAGE_SHIFT_ONLY }
  : {
      home: 'index.html',
      'new in': 'category.html?c=all&compare=0',
      category: 'category.html?c=bags&compare=0',
      search: 'search.html?q=sneaker&compare=0',
      product: `product.html?id=${sneaker.id}`,
    };

// In the page, from the first script on: layout shifts, long tasks and the listing's render and reorder times.
const probe = () => {
  const m = { shift: 0, task: 0, tasks: [], listed: null, frame: null, shown: null, order: null };
  window.__probe = m;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) m.shift += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      m.task = Math.max(m.task, e.duration);
      m.tasks.push([e.startTime, e.duration]);
    }
  }).observe({ type: 'longtask', buffered: true });
  const watch = new MutationObserver(() => {
    const list = document.getElementById('list');
    if (!list) return;
    watch.disconnect();
    m.listed = m.order = performance.now();
    const held = () => list.hasAttribute('data-vitrine-hold');
    // Vitrine's own observer runs after this one: whether it held the listing is known by the next frame.
    requestAnimationFrame(() => {
      m.frame = performance.now();
      if (m.shown === null && !held()) m.shown = m.listed;
    });
    new MutationObserver((records) => {
      const t = performance.now();
      for (const r of records) {
        if (r.type === 'childList') m.order = t;
        else if (m.shown === null && !held()) m.shown = t;
      }
    }).observe(list, { childList: true, attributes: true, attributeFilter: ['data-vitrine-hold'] });
  });
  watch.observe(document, { childList: true, subtree: true });
  // The page's final state is said on the console, which the bench waits for without running a script in the page:
  // Playwright's waitForFunction injects and compiles its own, 25 ms of main-thread work on this machine, at the
  // moment the ranking's reply was due.
  const settled = () =>
    document.body?.dataset.personalized === '1' ||
    (document.getElementById('site-header')?.children.length > 0 && !document.getElementById('list'));
  const done = new MutationObserver(() => {
    if (!settled()) return;
    done.disconnect();
    console.debug('page-shift:settled');
  });
  done.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-personalized'] });
};

const VARIANTS = String(o.variants)
  .split(',')
  .map((v) => v.trim());
for (const v of VARIANTS) {
  if (!ALL_VARIANTS.includes(v)) {
    process.stderr.write(`unknown variant "${v}": one of ${ALL_VARIANTS.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
}
const STEPS = [
  'loader',
  'start',
  'worker',
  'store',
  'engine',
  'model-fetched',
  'model-loaded',
  'pass',
  'events',
  'rank-sent',
  'ranked',
  'rank-reply',
  'applied',
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : null;
};

async function seedHistory(context, url) {
  const page = await context.newPage();
  await page.goto(url + 'about.html');
  await page.evaluate(() => window.vitrine.ready);
  const liked = [
    ...catalog.products.filter((p) => p.category === 'sneakers').slice(20, 24),
    ...catalog.products.filter((p) => p.category === 'bags').slice(30, 33),
  ];
  for (const p of liked) {
    await page.evaluate((e) => window.vitrine.track(e), {
      kind: 'view',
      item: p.id,
      category: p.category,
      brand: p.brand,
      price: p.price,
      dwellMs: 3000,
    });
  }
  await page.evaluate(() => window.vitrine.exportData()); // stored before the measured pages
  if (VARIANTS.includes('vault')) {
    // The vault keeps its own history, on its own origin: the same events there, consent remembered by the shop.
    await page.evaluate(() => localStorage.setItem('loomlane.consent', 'granted'));
    await page.goto(url + 'vault/about.html');
    await page.waitForFunction(() => window.vitrine?.status().storage === 'vault');
    for (const p of liked) {
      await page.evaluate((e) => window.vitrine.track(e), {
        kind: 'view',
        item: p.id,
        category: p.category,
        brand: p.brand,
        price: p.price,
        dwellMs: 3000,
      });
    }
    await page.waitForTimeout(500); // posted at once; stored by the vault within this
  }
  await page.close();
}

// 'shipped': the package as the demo ships it; 'no hold, all': the same with data-hold-ms="0"
// data-late-reorder="all" on its tag; 'shared worker': with data-worker="shared"; 'without': the package's requests
// refused.
async function load(context, url, route, variant) {
  const withVitrine = variant !== 'without';
  const page = await context.newPage();
  await page.addInitScript(probe);
  // Neither variant intercepts requests (page.route would send every request of the page through this process and
  // slow all of them): the package's URLs are blocked by the browser, and the tag's attributes are set as it is
  // parsed, before it runs.
  if (!withVitrine) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setBlockedURLs', { urls: ['*/vitrine/*'] });
  }
  // 'vault': as a shop that needs no consent, so that the one-tag loader starts the vault's frame at once (with
  // consent required, nothing starts before the consent manager answers, whatever the install).
  const attributes = {
    'no hold, all': { holdMs: '0', lateReorder: 'all' },
    'shared worker': { worker: 'shared' },
    vault: { consent: 'not-required' },
  }[variant];
  if (attributes) {
    await page.addInitScript((set) => {
      new MutationObserver((records, observer) => {
        const tag = document.querySelector('script[data-model]');
        if (!tag) return;
        Object.assign(tag.dataset, set);
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    }, attributes);
  }
  const settled = page.waitForEvent('console', { predicate: (m) => m.text() === 'page-shift:settled' });
  await page.goto(url + (variant === 'vault' ? `vault/${route}` : route), { waitUntil: 'load' });
  await settled;
  if (withVitrine) await page.evaluate(() => window.vitrine.ready);
  await page.waitForTimeout(300); // late shifts and tasks are reported
  const m = await page.evaluate(() => ({
    ...window.__probe,
    result: document.getElementById('list')?.dataset.vitrineResult ?? null,
  }));
  const { steps, work } = withVitrine ? await vitrineTimings(page) : { steps: {}, work: [] };
  m.steps = steps;
  m.vwork = Math.max(0, ...work.map(([, d]) => d));
  m.vworkName = work.find(([, d]) => d === m.vwork)?.[2] ?? null;
  // A long task is Vitrine's when one of its measures lies inside it (the task's other work may be the page's).
  m.vtask = Math.max(
    0,
    ...m.tasks.filter(([t, d]) => work.some(([s, w]) => s >= t && s + w <= t + d + 1)).map(([, d]) => d)
  );
  await page.close();
  return m;
}

const { server, url } = await startDemoServer({ demoDir: path.resolve(o.demo), distDir: path.resolve(o.dist) });
// One profile holds the shopper's history; each cold load starts a browser on it, so that no worker of an earlier
// load is still alive.
const profileDir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-page-shift-'));
const results = {};
try {
  const seeding = await launchBrowser({ profileDir });
  try {
    await seedHistory(seeding.context, url);
  } finally {
    await seeding.close();
  }
  for (const [name, route] of Object.entries(PAGES)) {
    const rows = Object.fromEntries(VARIANTS.map((v) => [v, { cold: [], warm: [] }]));
    for (let r = 0; r < runs; ++r) {
      for (const variant of VARIANTS) {
        const browser = await launchBrowser({ profileDir });
        try {
          const cdpPage = await browser.context.newPage();
          const cdp = await browser.context.newCDPSession(cdpPage);
          await cdp.send('Network.clearBrowserCache');
          rows[variant].cold.push(await load(browser.context, url, route, variant));
          rows[variant].warm.push(await load(browser.context, url, route, variant));
          await cdpPage.close();
        } finally {
          await browser.close();
        }
      }
    }
    const summary = {};
    for (const side of VARIANTS) {
      for (const temp of ['cold', 'warm']) {
        const xs = rows[side][temp];
        const med = (f) => median(xs.map(f).filter(Number.isFinite));
        summary[`${side} ${temp}`] = {
          shift: median(xs.map((x) => x.shift)),
          shiftMax: Math.max(...xs.map((x) => x.shift)),
          listedMs: med((x) => x.listed ?? NaN),
          shownMs: med((x) => x.shown ?? NaN),
          orderMs: med((x) => x.order ?? NaN),
          listedToOrderMs: med((x) => (x.order ?? NaN) - (x.listed ?? NaN)),
          heldMs: med((x) => (x.shown ?? NaN) - (x.listed ?? NaN)),
          // Loads whose listing was first shown already in its final order (its last reorder no later than that).
          shownFinal: xs.filter((x) => x.shown !== null && x.order !== null && x.order <= x.shown).length,
          loads: xs.length,
          // The first frame after the insertion: before it the listing could not be painted, held or not.
          firstFrameMs: med((x) => (x.frame ?? NaN) - (x.listed ?? NaN)),
          heldMaxMs: Math.max(...xs.map((x) => (x.shown ?? 0) - (x.listed ?? 0))),
          longestTaskMs: median(xs.map((x) => x.task)),
          vitrineTaskMs: median(xs.map((x) => x.vtask ?? 0)),
          vitrineWorkMs: median(xs.map((x) => x.vwork ?? 0)),
          vitrineWorkMaxMs: Math.max(...xs.map((x) => x.vwork ?? 0)),
          vitrineWorkNames: [...new Set(xs.map((x) => x.vworkName).filter(Boolean))],
          vitrineTaskMaxMs: Math.max(...xs.map((x) => x.vtask ?? 0)),
          steps: Object.fromEntries(STEPS.map((k) => [k, med((x) => x.steps?.[k] ?? NaN)])),
          results: [...new Set(xs.map((x) => x.result))],
        };
      }
    }
    results[name] = summary;
  }
} finally {
  server.close();
  rmSync(profileDir, { recursive: true, force: true });
}

if (json) {
  console.log(JSON.stringify({ runs, pages: PAGES, results }, null, 2));
} else {
  const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  console.log(`medians of ${runs} runs per cell; shift max in brackets\n`);
  console.log(
    'page       variant/cache       shift (max)    listed  shown  order  listed->order  held (max)  task  ' +
      'vitrine task  vitrine work  result'
  );
  for (const [name, s] of Object.entries(results)) {
    for (const [key, v] of Object.entries(s)) {
      console.log(
        `${name.padEnd(10)} ${key.padEnd(19)} ${f(v.shift, 3).padStart(5)} (${f(v.shiftMax, 3)})  ` +
          `${f(v.listedMs).padStart(6)} ${f(v.shownMs).padStart(6)} ${f(v.orderMs).padStart(6)} ${f(v.listedToOrderMs).padStart(14)} ` +
          `${f(v.heldMs).padStart(6)} (${f(v.heldMaxMs)}) frame ${f(v.firstFrameMs)} ${f(v.longestTaskMs).padStart(5)} ${f(v.vitrineTaskMs).padStart(13)} ` +
          `${f(v.vitrineWorkMs, 1).padStart(13)}  ${v.results.join(',')}  shown in final order ${v.shownFinal}/${v.loads}`
      );
      if (!key.startsWith('without')) {
        console.log(`${''.padEnd(31)}steps: ${STEPS.map((k) => `${k} ${f(v.steps[k])}`).join(', ')}`);
      }
    }
  }
}
