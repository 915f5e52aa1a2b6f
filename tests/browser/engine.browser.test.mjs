// End to end in headless Chromium: the engine check page is served from 127.0.0.1, loads a trained model (the
// tests' tiny one, as /models/shop.vtm) and ranks five of its products in wasm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../../tools/serve.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';
import { tinyModel } from '../support/test_model.mjs';

let server, baseUrl, browser, models;

before(async () => {
  models = mkdtempSync(path.join(os.tmpdir(), 'vitrine-engine-page-'));
  copyFileSync(tinyModel().model, path.join(models, 'shop.vtm'));
  ({ server, url: baseUrl } = await startServer({
    mounts: { '/': path.join(repoRoot, 'demo-site'), '/vitrine': distDir, '/models': models },
  }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (models) rmSync(models, { recursive: true, force: true });
});

test('engine page loads the model and ranks five of its products in wasm', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const wasmResponse = page.waitForResponse((r) => r.url().endsWith('.wasm'));
  await page.goto(baseUrl + 'engine.html');
  assert.equal((await wasmResponse).headers()['content-type'], 'application/wasm');
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30000 });
  assert.equal(await page.textContent('#status'), 'engine running: ranked 5 products with the shop model');
  const ranked = JSON.parse(await page.evaluate(() => document.body.dataset.ranked));
  assert.deepEqual(ranked.map((p) => p.id).sort(), ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5']);
  assert.ok(
    ranked.every((p, i) => i === 0 || ranked[i - 1].score >= p.score),
    'best first'
  );
  assert.ok(new Set(ranked.map((p) => p.score)).size > 1, 'the model scores the products alike');
  assert.match(await page.textContent('#model'), /^\d+ products, dimension 16$/);
  assert.match(await page.textContent('#build'), /kernels wasmsimd, SIMD128 true/);
  assert.deepEqual(errors, []);
  await page.close();
});
