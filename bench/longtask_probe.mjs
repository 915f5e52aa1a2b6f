// Which main-thread long tasks on a 5,000-item listing come from Vitrine? Loads the same page with and without the
// package, three times each, side by side in one run, and prints the long tasks (> 50 ms) of each load.
//   node bench/longtask_probe.mjs          (needs build/wasm and build/native, as tools/test.sh leaves them)
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../tools/serve.mjs';
import { launchBrowser } from '../tests/support/browser.mjs';
import { distDir } from '../tests/support/paths.mjs';
import { tinyModel } from '../tests/support/test_model.mjs';

const N = 5000;
const items = Array.from({ length: N }, (_, i) =>
  `<li data-vitrine-item="sku-${1 + (i % 200)}-${i}" data-vitrine-category="category-${Math.floor((i % 200) / 20)}">item ${i}</li>`).join('');
const page = (script) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe</title>${script}</head>
<body><ul data-vitrine-list id="list">${items}</ul></body></html>`;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-longtask-'));
mkdirSync(path.join(tmp, 'site'));
mkdirSync(path.join(tmp, 'models'));
writeFileSync(path.join(tmp, 'models', 'tiny.vtm'), tinyModel().bytes);
writeFileSync(path.join(tmp, 'site', 'with.html'),
  page('<script src="/vitrine/vitrine.js" data-model="/models/tiny.vtm" data-view-dwell-ms="60000" defer></script>'));
writeFileSync(path.join(tmp, 'site', 'without.html'), page(''));
const { server, url } = await startServer({
  mounts: { '/': path.join(tmp, 'site'), '/vitrine': distDir, '/models': path.join(tmp, 'models') },
});
const browser = await launchBrowser();
try {
  console.log('| page | run | long tasks > 50 ms (ms) |\n|---|---:|---|');
  for (let run = 1; run <= 3; ++run) {
    for (const name of ['without', 'with']) {
      const p = await browser.context.newPage();
      await p.addInitScript(() => {
        globalThis.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) globalThis.__longTasks.push(Math.round(e.duration));
        }).observe({ type: 'longtask', buffered: true });
      });
      await p.goto(url + name + '.html');
      if (name === 'with') {
        await p.waitForFunction(() => window.vitrine?.isVitrine);
        await p.evaluate(() => window.vitrine.ready);
      }
      await p.waitForTimeout(500);
      const tasks = await p.evaluate(() => globalThis.__longTasks);
      console.log(`| ${name} Vitrine | ${run} | ${tasks.join(', ') || 'none'} |`);
      await p.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
}
