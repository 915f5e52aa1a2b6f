// The npm package in an app built by a bundler, in Chromium: the tarball installed into a clean project whose code
// does `import { createVitrine } from 'vitrine'`, built once by Vite and once by esbuild, served, and ranking a
// listing with a trained model. Vite follows the package's worker and engine itself (new Worker(new URL(…,
// import.meta.url)), the engine's import and its .wasm URL) and emits them under hashed names; esbuild bundles the
// app's code only, and the package README's recipe copies the package's files beside the bundle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../../tools/serve.mjs';
import { launchBrowser, openWatchedPage } from '../support/browser.mjs';
import { packDist, projectWithPackage } from '../support/package_project.mjs';
import { tinyModel } from '../support/test_model.mjs';

let tmp, project, models, browser;

// Four products of the tiny model's category-0, then four of category-1 (tests/support/synthetic_sessions.mjs).
const LISTING = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-21', 'sku-22', 'sku-23', 'sku-24'];
const categoryOf = (id) => `category-${Math.floor((Number(id.slice(4)) - 1) / 20)}`;

function appHtml(script) {
  const items = LISTING.map(
    (id) => `<li data-vitrine-item="${id}" data-vitrine-category="${categoryOf(id)}">${id}</li>`
  ).join('\n    ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Shop app</title><link rel="icon" href="data:,"></head>
<body>
  <ul data-vitrine-list id="list">
    ${items}
  </ul>
  <script type="module" src="${script}"></script>
</body>
</html>
`;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-bundlers-'));
  const packed = packDist(tmp);
  project = projectWithPackage(path.join(tmp, 'shop-app'), path.join(tmp, packed.filename));
  writeFileSync(
    path.join(project, 'app.mjs'),
    [
      "import { createVitrine } from 'vitrine';",
      "window.vitrine = createVitrine({ model: '/models/shop.vtm', consent: 'not-required', lateReorder: 'all' });",
      '',
    ].join('\n')
  );
  models = path.join(tmp, 'models');
  mkdirSync(models);
  copyFileSync(tinyModel().model, path.join(models, 'shop.vtm'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Serves `root` and the model, opens the app, lets a shopper view three category-1 products, and ranks again. */
async function shopInApp(root) {
  const requests = [];
  const { server, url } = await startServer({
    mounts: { '/': root, '/models': models },
    onRequest: (urlPath, status) => requests.push({ urlPath, status }),
  });
  const { page, seen } = await openWatchedPage(browser.context, { timeoutMs: 60_000 });
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.vitrine?.ready);
    await page.evaluate(() => window.vitrine.ready);
    const ranked = await page.evaluate(async () => {
      for (const item of ['sku-22', 'sku-23', 'sku-22'])
        await window.vitrine.track({ kind: 'view', item, category: 'category-1', dwellMs: 4000 });
      return window.vitrine.refresh();
    });
    return {
      ranked,
      status: await page.evaluate(() => window.vitrine.status()),
      result: await page.$eval('#list', (list) => list.dataset.vitrineResult),
      order: await page.$$eval('#list > li', (items) => items.map((li) => li.dataset.vitrineItem)),
      seen,
      requests,
    };
  } finally {
    await page.close();
    server.close();
  }
}

function assertRankedByTheEngine(app) {
  assert.deepEqual(app.seen.errors, []);
  assert.deepEqual(app.seen.warnings, []);
  assert.equal(app.ranked, true);
  assert.equal(app.status.ranking, 'available');
  assert.deepEqual(app.status.problems, []);
  assert.equal(app.result, 'reordered');
  // The shopper's category-1 views lift category-1 products above the shop's first four.
  assert.equal(categoryOf(app.order[0]), 'category-1', app.order.join(' '));
  assert.deepEqual([...app.order].sort(), [...LISTING].sort());
  assert.deepEqual(
    app.requests.filter((r) => r.status !== 200),
    [],
    'every file the app asked for was there'
  );
}

test('built by Vite: the worker, the engine and its .wasm are bundled under hashed names and rank the listing', async () => {
  const { build } = await import('vite');
  writeFileSync(path.join(project, 'index.html'), appHtml('./app.mjs'));
  const outDir = path.join(project, 'dist-vite');
  // worker.format 'es': the package's worker imports the engine's glue on demand, which needs an ES module worker.
  await build({
    root: project,
    configFile: false,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    worker: { format: 'es' },
  });
  const assets = readdirSync(path.join(outDir, 'assets'));
  assert.ok(
    assets.some((f) => /^vitrine-engine-[\w-]+\.wasm$/.test(f)),
    `no hashed engine wasm in ${assets.join(' ')}`
  );
  assert.ok(
    assets.some((f) => /^worker-[\w-]+\.js$/.test(f)),
    `no worker bundle in ${assets.join(' ')}`
  );
  const app = await shopInApp(outDir);
  assertRankedByTheEngine(app);
  assert.ok(
    app.requests.some((r) => /^\/assets\/vitrine-engine-[\w-]+\.wasm$/.test(r.urlPath)),
    'the engine ran from the bundle'
  );
});

test('built by esbuild: the app bundle beside the package files, as the package README says, ranks the listing', async () => {
  const esbuild = await import('esbuild');
  const outDir = path.join(project, 'dist-esbuild');
  rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [path.join(project, 'app.mjs')],
    absWorkingDir: project,
    bundle: true,
    format: 'esm',
    minify: true,
    outfile: path.join(outDir, 'app.js'),
    logLevel: 'silent',
  });
  assert.deepEqual(result.errors, []);
  const installed = path.join(project, 'node_modules', 'vitrine');
  for (const name of readdirSync(installed)) {
    if (/\.(?:mjs|wasm|html|css)$/.test(name)) copyFileSync(path.join(installed, name), path.join(outDir, name));
  }
  writeFileSync(path.join(outDir, 'index.html'), appHtml('./app.js'));
  const app = await shopInApp(outDir);
  assertRankedByTheEngine(app);
  assert.ok(
    app.requests.some((r) => r.urlPath === '/vitrine-engine.wasm'),
    'the engine ran beside the bundle'
  );
});
