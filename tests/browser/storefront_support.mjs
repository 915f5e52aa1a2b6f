// Shared by the storefront browser tests (not a test file): serves the fixture shop from 127.0.0.1 under a strict
// CSP, with the package from the wasm dist, and records what each page logs, violates and requests.
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, cpSync, renameSync, copyFileSync, rmSync, existsSync } from 'node:fs';

import { before, after } from 'node:test';

import { startServer } from '../../tools/serve.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';

// Pages that record console warnings/errors, page errors and CSP violations.
export { openWatchedPage as openPage } from '../support/browser.mjs';

export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; object-src 'none'; base-uri 'none'";
const fixtures = path.join(repoRoot, 'tests/fixtures');

/**
 * engine 'shipped': the dist as built. engine 'test': a copy of the dist whose engine.mjs is the TEST ONLY engine
 * from tests/fixtures/test-engine (which wraps the real wasm engine).
 */
export async function startShop({ engine = 'shipped', csp = STRICT_CSP, modelsDir = path.join(fixtures, 'models') } = {}) {
  if (!existsSync(path.join(distDir, 'vitrine.js'))) {
    throw new Error(`package missing in ${distDir}: run cmake --build build/wasm --target vitrine_js_package`);
  }
  let packageDir = distDir;
  let tmp = null;
  if (engine === 'test') {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-test-engine-'));
    cpSync(distDir, tmp, { recursive: true });
    renameSync(path.join(tmp, 'engine.mjs'), path.join(tmp, 'engine.real.mjs'));
    copyFileSync(path.join(fixtures, 'test-engine/engine.mjs'), path.join(tmp, 'engine.mjs'));
    packageDir = tmp;
  }
  const { server, url } = await startServer({
    mounts: { '/': path.join(fixtures, 'shop'), '/vitrine': packageDir, '/models': modelsDir },
    headers: () => (csp ? { 'Content-Security-Policy': csp } : {}),
  });
  return {
    url,
    close() {
      server.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Waits for Vitrine's first ranking attempt on the current page. */
export async function vitrineReady(page) {
  await page.waitForFunction(() => window.vitrine && window.vitrine.isVitrine, null, { timeout: 10000 });
  await page.evaluate(() => window.vitrine.ready);
}

export async function listOrder(page) {
  return page.$$eval('#list > li', (items) => items.map((li) => li.dataset.vitrineItem));
}

export async function storedEvents(page) {
  return page.evaluate(async () => JSON.parse(await window.vitrine.exportData()).storage.events);
}

/** Names of the IndexedDB databases of this origin. */
export async function databases(page) {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
}

export const MERCHANT_ORDER = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

/**
 * For a test file: starts a test shop (startShop options) and a browser before its tests and closes both after.
 * Returns an object whose `shop` and `browser` are set once they are up.
 */
export function shopAndBrowser(options) {
  const up = { shop: null, browser: null };
  before(async () => {
    up.shop = await startShop(options);
    up.browser = await launchBrowser();
  });
  after(async () => {
    await up.browser?.close();
    up.shop?.close();
  });
  return up;
}
