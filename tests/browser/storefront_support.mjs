// Shared by the storefront browser tests (not a test file): serves the fixture shop from 127.0.0.1 under a strict
// CSP, with the package from the wasm dist, and records what each page logs, violates and requests.
import path from 'node:path';
import os from 'node:os';
import {
  appendFileSync,
  mkdtempSync,
  cpSync,
  renameSync,
  copyFileSync,
  rmSync,
  existsSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';

import { before, after } from 'node:test';

import { startServer } from '../../tools/serve.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';
import { writeBundle } from '../../tools/package_bundle.mjs';

// Pages that record console warnings/errors, page errors and CSP violations.
export { openWatchedPage as openPage } from '../support/browser.mjs';

export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; object-src 'none'; base-uri 'none'";
const fixtures = path.join(repoRoot, 'tests/fixtures');

// Pages that differ from a fixture page only in the tag's data-* attributes, extra scripts before it or <html lang>:
// made from that page when a shop starts, so each is one line here rather than another copy of the page.
const TEST_SHOP_TAG = 'data-model="/models/test.vtm" data-view-dwell-ms="60000"';
const NO_CONSENT = 'data-consent="not-required"'; // the test shop is outside the consent regimes, except where a test says
const EXPOSURE_SCRIPT = '<script src="exposure.js"></script>'; // the shop's analytics hook (holdout tests)
export const PAGE_VARIANTS = Object.freeze({
  'holdout.html': {
    from: 'shop.html',
    head: EXPOSURE_SCRIPT,
    tag: `${NO_CONSENT} ${TEST_SHOP_TAG} data-late-reorder="all" data-holdout="1" data-on-exposure="shopAnalytics.vitrineExposure"`,
  },
  'holdout-half.html': {
    from: 'shop.html',
    head: EXPOSURE_SCRIPT,
    tag: `${NO_CONSENT} ${TEST_SHOP_TAG} data-late-reorder="all" data-holdout="0.5" data-on-exposure="shopAnalytics.vitrineExposure"`,
  },
  'report.html': { from: 'shop.html', tag: `${NO_CONSENT} ${TEST_SHOP_TAG} data-report="/vitrine-report"` },
  'report-consent.html': {
    from: 'shop.html',
    tag: `${TEST_SHOP_TAG} data-report="/vitrine-report" data-consent="required"`,
  },
  'recent-holdout.html': { from: 'recent.html', tag: `${NO_CONSENT} ${TEST_SHOP_TAG} data-holdout="1"` },
  'real-de.html': { from: 'real.html', lang: 'de-DE' },
  // Consent (consent.browser.test.mjs): no data-consent, one not understood, and the page's standard signals.
  'consent-default.html': { from: 'shop.html', tag: TEST_SHOP_TAG },
  'consent-typo.html': { from: 'shop.html', tag: `data-consent="none" ${TEST_SHOP_TAG}` },
  'consent-tcf.html': { from: 'shop.html', head: '<script src="tcf-cmp.js"></script>', tag: TEST_SHOP_TAG },
  'consent-mode.html': { from: 'shop.html', head: '<script src="consent-mode.js"></script>', tag: TEST_SHOP_TAG },
  // No consent manager: with the vault, Vitrine asks in its own frame in this element (vault_client.mjs).
  'prompt.html': { from: 'consent.html', body: '<div id="consent" data-vitrine-consent hidden></div>' },
  // Each card with a hidden "why?" button (why.mjs): reasons show on the shopper's click only.
  'why.html': { from: 'shop.html', whyButtons: true },
  // One ranking worker shared by the shop's pages (worker_client.mjs), as the egress tests watch it.
  'shared-shop.html': { from: 'shop.html', tag: `${NO_CONSENT} ${TEST_SHOP_TAG} data-worker="shared"` },
  'shared-recent.html': { from: 'recent.html', tag: `${NO_CONSENT} ${TEST_SHOP_TAG} data-worker="shared"` },
});

// Pages also made with the tag from the vault origin (startShop({ vault: true })), as `vault-<name>`.
const VAULT_PAGES = ['shop.html', 'other.html', 'recent.html', 'consent-tcf.html', 'why.html', 'prompt.html'];

/** A fixture page with another tag, extra head scripts, language, an element first in the body or "why?" buttons (PAGE_VARIANTS). */
export function pageVariant(html, { tag, head = '', lang, body, whyButtons = false } = {}) {
  let out = html;
  if (body !== undefined) out = out.replace('<body>\n', `<body>\n  ${body}\n`);
  if (whyButtons)
    out = out.replaceAll(
      ' <small data-vitrine-explain></small></li>',
      ' <button data-vitrine-why hidden>Why?</button> <small data-vitrine-explain></small></li>'
    );
  if (tag !== undefined) {
    const replaced = out.replace(
      /<script src="\/vitrine\/vitrine\.js"[^>]*><\/script>/,
      `${head}<script src="/vitrine/vitrine.js" ${tag} defer></script>`
    );
    if (replaced === out) throw new Error('pageVariant: the page has no vitrine.js tag');
    out = replaced;
  }
  if (lang !== undefined) out = out.replace(/<html lang="[^"]*">/, `<html lang="${lang}">`);
  return out;
}

/**
 * engine 'shipped': the dist as built (or `packageDir`). engine 'test': a copy of it whose engine.mjs is the TEST ONLY engine
 * from tests/fixtures/test-engine (which wraps the real wasm engine), and whose worker.mjs is rebuilt with it, then
 * followed by `workerPlant` (TEST ONLY code, the egress canary's planted leaks). The shop's pages are tests/fixtures/shop and
 * the PAGE_VARIANTS made from them, and `pages` ({ name: html }) a test writes itself. `onRequest(urlPath, status)`
 * sees every answer of the shop's server.
 */
export async function startShop({
  engine = 'shipped',
  csp = STRICT_CSP,
  modelsDir = path.join(fixtures, 'models'),
  vault = false,
  packageDir: fromDir = distDir,
  pages = {},
  onRequest = () => {},
  workerPlant = '',
} = {}) {
  if (workerPlant && engine !== 'test') throw new Error("workerPlant needs engine 'test'");
  if (!existsSync(path.join(distDir, 'vitrine.js'))) {
    throw new Error(`package missing in ${distDir}: run cmake --build build/wasm --target vitrine_js_package`);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-test-shop-'));
  const pagesDir = path.join(tmp, 'shop');
  cpSync(path.join(fixtures, 'shop'), pagesDir, { recursive: true });
  for (const [name, variant] of Object.entries(PAGE_VARIANTS)) {
    writeFileSync(
      path.join(pagesDir, name),
      pageVariant(readFileSync(path.join(pagesDir, variant.from), 'utf8'), variant)
    );
  }
  for (const [name, html] of Object.entries(pages)) writeFileSync(path.join(pagesDir, name), html);
  let packageDir = fromDir;
  if (engine === 'test') {
    packageDir = path.join(tmp, 'package');
    cpSync(fromDir, packageDir, { recursive: true });
    renameSync(path.join(packageDir, 'engine.mjs'), path.join(packageDir, 'engine.real.mjs'));
    copyFileSync(path.join(fixtures, 'test-engine/engine.mjs'), path.join(packageDir, 'engine.mjs'));
    // The shipped worker.mjs is a bundle with the real engine in it: rebuilt from the same sources, with this one.
    await writeBundle(await import('esbuild'), {
      src: path.join(repoRoot, 'js/src'),
      out: packageDir,
      entry: 'worker.mjs',
      replace: {
        './engine.mjs': path.join(fixtures, 'test-engine/engine.mjs'),
        './engine.real.mjs': path.join(repoRoot, 'js/src/engine.mjs'),
      },
    });
    if (workerPlant) appendFileSync(path.join(packageDir, 'worker.mjs'), workerPlant);
  }
  // vault: the package and the models also from a second origin (another port), as a shop serves Vitrine from its
  // own subdomain; pages `vault-<page>` load the tag from there, so the history lives in the vault (vault.mjs).
  let shopOrigin = null;
  const second = vault
    ? await startServer({
        mounts: { '/vitrine': packageDir, '/models': modelsDir },
        headers: () => ({
          'Access-Control-Allow-Origin': shopOrigin,
          ...(csp ? { 'Content-Security-Policy': `${STRICT_CSP}; frame-ancestors ${shopOrigin}` } : {}),
        }),
      })
    : null;
  const vaultOrigin = second ? new URL(second.url).origin : null;
  // A vault page needs neither 'wasm-unsafe-eval' nor worker-src: the engine and the worker run in the vault's frame.
  const vaultPageCsp = `default-src 'self'; script-src 'self' ${vaultOrigin}; frame-src ${vaultOrigin}; object-src 'none'; base-uri 'none'`;
  const { server, url } = await startServer({
    mounts: { '/': pagesDir, '/vitrine': packageDir, '/models': modelsDir },
    onRequest,
    headers: (urlPath) =>
      !csp ? {} : { 'Content-Security-Policy': vaultOrigin && urlPath.startsWith('/vault-') ? vaultPageCsp : csp },
  });
  shopOrigin = new URL(url).origin;
  if (second) {
    for (const name of VAULT_PAGES) {
      const html = readFileSync(path.join(pagesDir, name), 'utf8').replace(
        /<script src="\/vitrine\/vitrine\.js"( [^>]*?)? data-model="\/models\//,
        `<script src="${second.url}vitrine/vitrine.js"$1 data-model="${second.url}models/`
      );
      writeFileSync(path.join(pagesDir, `vault-${name}`), html);
    }
  }
  return {
    url,
    vaultUrl: second?.url ?? null,
    close() {
      second?.server.close();
      server.close();
      rmSync(tmp, { recursive: true, force: true });
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

/**
 * Calls window.vitrine[name]() from the click handler of a button the test presses, as a consent banner or a
 * settings page does: the call runs during the shopper's own click (user activation). Resolves with what it returns.
 */
export async function callOnShopperClick(page, name) {
  await page.evaluate((fn) => {
    const button = document.createElement('button');
    button.id = 'shopper-click';
    button.textContent = fn;
    button.addEventListener(
      'click',
      () => {
        window.__shopperClickResult = window.vitrine[fn]();
      },
      { once: true }
    );
    document.body.append(button);
  }, name);
  await page.click('#shopper-click');
  return page.evaluate(async () => {
    document.getElementById('shopper-click').remove();
    return window.__shopperClickResult;
  });
}

const ON_ITS_OWN = 'vitrine-test: on its own: ';

/**
 * An init script (openPage's `init`) for a script that calls window.vitrine[name]() on its own, as soon as the API
 * exists, with no shopper action; it reports the result on the console, for onItsOwnResult().
 */
export function callsOnItsOwn(name) {
  return `(() => {
    const timer = setInterval(() => {
      if (!window.vitrine || typeof window.vitrine[${JSON.stringify(name)}] !== 'function') return;
      clearInterval(timer);
      Promise.resolve(window.vitrine[${JSON.stringify(name)}]()).then((r) => console.log('${ON_ITS_OWN}' + r));
    }, 1);
  })();`;
}

/**
 * The result of callsOnItsOwn()'s call on the page's next load: start it before the navigation, and await it before
 * anything runs page.evaluate(), which Playwright runs as a user gesture (a call made after one counts as the
 * shopper's, and under load the init script's timer can fire that late).
 */
export async function onItsOwnResult(page) {
  const message = await page.waitForEvent('console', (m) => m.text().startsWith(ON_ITS_OWN));
  return JSON.parse(message.text().slice(ON_ITS_OWN.length));
}
