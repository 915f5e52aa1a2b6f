// End to end in headless Chromium: the engine page is served from 127.0.0.1 and scores a batch in wasm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { startServer } from '../../tools/serve.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';

let server, baseUrl, browser;

before(async () => {
  ({ server, url: baseUrl } = await startServer({
    mounts: { '/': path.join(repoRoot, 'demo-site'), '/vitrine': distDir },
  }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('engine page shows scores computed in wasm that match JS', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const wasmResponse = page.waitForResponse((r) => r.url().endsWith('.wasm'));
  await page.goto(baseUrl + 'engine.html');
  assert.equal((await wasmResponse).headers()['content-type'], 'application/wasm');
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30000 });
  assert.equal(await page.textContent('#status'), 'engine running: wasm and JS agree');
  const scores = JSON.parse(await page.evaluate(() => document.body.dataset.wasmScores));
  assert.equal(scores.length, 5);
  assert.ok(
    scores.some((s) => s !== 0),
    'scores are all zero'
  );
  assert.match(await page.textContent('#build'), /kernels wasmsimd, SIMD128 true/);
  assert.deepEqual(errors, []);
  await page.close();
});
