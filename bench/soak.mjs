// Load and soak in headless Chromium with the shipped package, the real wasm engine and the tests' trained model:
//   1. 100,000 events recorded through the package's own store (IndexedDB, batches as the page flushes them):
//      every 10,000 events, the stored count and bytes (must stay within maxEvents / maxBytes), the ranking latency
//      (median of 15 rankings of 200 candidates with the 100 most recent events) and the JS heap after a GC and the wasm memory;
//   2. a listing of 5,000 items loaded with and without the package, three times each: the main thread's long
//      tasks (> 50 ms), and the script time inside long animation frames split into Vitrine's and the page's.
// A measurement, not a test: it prints tables and asserts nothing about speed. SOAK_DEBUG=1 also prints every
// script entry over 20 ms of the long frames (source, invoker, duration).
//   node bench/soak.mjs [--events N]        (needs build/wasm and build/native, as tools/test.sh leaves them)
import { chromium } from 'playwright-core';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../tools/serve.mjs';
import { CHROMIUM_PATH } from '../tests/support/browser.mjs';
import { distDir } from '../tests/support/paths.mjs';
import { tinyModel } from '../tests/support/test_model.mjs';

const argEvents = process.argv.indexOf('--events');
const EVENTS = argEvents > 0 ? Number(process.argv[argEvents + 1]) : 100_000;
const STEP = EVENTS / 10;
const BIG = 5000;
const LIMITS = { maxEvents: 2000, maxBytes: 512 * 1024, retentionDays: 30 }; // the package defaults (config.mjs)

function listPage(n, script) {
  const items = Array.from(
    { length: n },
    (_, i) =>
      `<li data-vitrine-item="sku-${1 + (i % 200)}${i < 200 ? '' : `-${i}`}" data-vitrine-category="category-${Math.floor((i % 200) / 20)}">item ${i}</li>`
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>soak</title>${script}</head>
<body><ul data-vitrine-list id="list">${items.join('')}</ul></body></html>`;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-soak-'));
mkdirSync(path.join(tmp, 'site'));
mkdirSync(path.join(tmp, 'models'));
writeFileSync(path.join(tmp, 'models', 'tiny.vtm'), tinyModel().bytes);
writeFileSync(path.join(tmp, 'site', 'lab.html'), listPage(0, ''));
writeFileSync(
  path.join(tmp, 'site', 'seed.html'),
  listPage(0, '<script src="/vitrine/vitrine.js" data-consent="not-required" data-rank="off" defer></script>')
);
writeFileSync(path.join(tmp, 'site', 'plain.html'), listPage(BIG, ''));
writeFileSync(
  path.join(tmp, 'site', 'big.html'),
  listPage(
    BIG,
    '<script src="/vitrine/vitrine.js" data-consent="not-required" data-model="/models/tiny.vtm" data-view-dwell-ms="60000" defer></script>'
  )
);
const { server, url } = await startServer({
  mounts: { '/': path.join(tmp, 'site'), '/vitrine': distDir, '/models': path.join(tmp, 'models') },
});
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--js-flags=--expose-gc',
    '--enable-precise-memory-info',
  ],
});

try {
  // ---------------------------------------------------------------------------------------------- 1. soak
  const page = await browser.newPage();
  await page.goto(url + 'lab.html');
  await page.evaluate(async (limits) => {
    const { openStore } = await import('/vitrine/storage.mjs');
    const { createEngine } = await import('/vitrine/engine.mjs');
    const { toRecord, recordBytes } = await import('/vitrine/events.mjs');
    const store = await openStore({ name: 'soak', limits });
    const engine = await createEngine();
    engine.loadModel(new Uint8Array(await (await fetch('/models/tiny.vtm')).arrayBuffer()));
    const candidates = Array.from({ length: 200 }, (_, i) => ({
      id: `sku-${i + 1}`,
      category: `category-${Math.floor(i / 20)}`,
    }));
    let t = Date.now() - 10 * 24 * 3600 * 1000;
    let seq = 0;
    globalThis.soak = {
      async record(n) {
        for (let done = 0; done < n; done += 50) {
          const batch = [];
          for (let i = 0; i < 50; ++i, ++seq) {
            const item = `sku-${1 + ((seq * 7) % 200)}`;
            batch.push(
              toRecord(
                {
                  kind: seq % 9 === 0 ? 'add_to_cart' : 'view',
                  item,
                  category: `category-${Math.floor(((seq * 7) % 200) / 20)}`,
                  t: (t += 5000),
                },
                t
              ).record
            );
          }
          await store.append(batch);
        }
      },
      async measure() {
        const stored = await store.recent(Infinity);
        const events = stored.slice(-100);
        const times = [];
        for (let i = 0; i < 15; ++i) {
          const start = performance.now();
          engine.rank({ events, candidates, nowMs: t });
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        globalThis.gc?.();
        return {
          stored: stored.length,
          bytes: stored.reduce((sum, r) => sum + recordBytes(r), 0),
          rankMs: times[7],
          heapMB: performance.memory.usedJSHeapSize / 1048576,
          wasmMB: engine.memoryBytes() / 1048576,
        };
      },
    };
  }, LIMITS);
  const rows = [];
  for (let recorded = STEP; recorded <= EVENTS; recorded += STEP) {
    await page.evaluate((n) => globalThis.soak.record(n), STEP);
    rows.push({ recorded, ...(await page.evaluate(() => globalThis.soak.measure())) });
    process.stderr.write(`  ${recorded} events recorded\n`);
  }
  await page.close();
  console.log(
    `\nSoak: ${EVENTS} events through the package's IndexedDB store (limits ${LIMITS.maxEvents} events, ${LIMITS.maxBytes} bytes)\n`
  );
  console.log(
    '| events recorded | events stored | bytes stored | rank 200 candidates, median ms | JS heap after GC, MB | wasm memory, MB |'
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.recorded} | ${r.stored} | ${r.bytes} | ${r.rankMs.toFixed(2)} | ${r.heapMB.toFixed(1)} | ${r.wasmMB.toFixed(1)} |`
    );
  }

  // ---------------------------------------------------------------------------------------------- 2. 5,000 items
  // The same page with and without the package, three times each. Long tasks alone cannot say whose work they
  // were, so long animation frames (LoAF) are recorded too: their script entries name the script that ran.
  const context = await browser.newContext(); // one profile: the seeded events are there for every load
  const seed = await context.newPage();
  await seed.goto(url + 'seed.html');
  await seed.waitForFunction(() => window.vitrine?.isVitrine);
  for (const n of [43, 44, 45])
    await seed.evaluate((item) => window.vitrine.track({ kind: 'click', item, category: 'category-2' }), `sku-${n}`);
  await seed.evaluate(() => window.vitrine.exportData());
  await seed.close();
  console.log(`\nA listing of ${BIG} items on page load, with and without Vitrine (main thread tasks > 50 ms)\n`);
  console.log(
    '| page | run | reordered | long tasks (ms) | script time in long frames: Vitrine / page, ms | longest Vitrine callback, ms | warnings |'
  );
  console.log('|---|---:|:---:|---|---:|---:|---:|');
  for (let run = 1; run <= 3; ++run) {
    for (const name of ['plain', 'big']) {
      const p = await context.newPage();
      await p.addInitScript(() => {
        globalThis.__longTasks = [];
        globalThis.__frames = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) globalThis.__longTasks.push(Math.round(e.duration));
        }).observe({ type: 'longtask', buffered: true });
        new PerformanceObserver((list) => {
          for (const e of list.getEntries())
            globalThis.__frames.push(
              e.scripts.map((s) => ({
                url: s.sourceURL,
                ms: s.duration,
                fn: s.sourceFunctionName,
                invoker: s.invoker,
                pos: s.sourceCharPosition,
              }))
            );
        }).observe({ type: 'long-animation-frame', buffered: true });
      });
      const warnings = [];
      p.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
      await p.goto(url + name + '.html');
      const first = await p.evaluate(() => document.querySelector('#list > li').getAttribute('data-vitrine-item'));
      if (name === 'big') {
        await p.waitForFunction(() => window.vitrine?.isVitrine);
        await p.evaluate(() => window.vitrine.ready);
      }
      await p.waitForTimeout(500); // let the observers deliver the last entries
      const r = await p.evaluate(() => ({
        tasks: globalThis.__longTasks,
        frames: globalThis.__frames,
        first: document.querySelector('#list > li').getAttribute('data-vitrine-item'),
      }));
      let ours = 0;
      let theirs = 0;
      let oursLongest = 0; // one callback of ours (a task, or a frame callback) — what a long task would be
      for (const scripts of r.frames) {
        for (const s of scripts) {
          if (s.url.includes('/vitrine/')) {
            ours += s.ms;
            oursLongest = Math.max(oursLongest, s.ms);
          } else {
            theirs += s.ms;
          }
        }
      }
      if (process.env.SOAK_DEBUG) console.log(JSON.stringify(r.frames.flat().filter((s) => s.ms > 20)));
      const label = name === 'big' ? 'with Vitrine' : 'without';
      console.log(
        `| ${label} | ${run} | ${r.first !== first ? 'yes' : 'no'} | ${r.tasks.join(', ') || 'none'} | ` +
          `${ours.toFixed(0)} / ${theirs.toFixed(0)} | ${oursLongest.toFixed(0)} | ${warnings.length} |`
      );
      await p.close();
    }
  }
  await context.close();
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
}
