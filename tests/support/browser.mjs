// Headless Debian Chromium driven by playwright-core, with the flags this machine needs (no downloads, no
// background networking) and a fresh profile per launch.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * @param {object} [options]
 * @param {string} [options.profileDir] a profile to use and keep (its storage outlives this browser); by default a
 *   fresh one, removed on close
 * @param {string} [options.proxy] an HTTP proxy every request goes through, loopback included (egress_proxy.mjs)
 */
export async function launchBrowser({ profileDir, proxy } = {}) {
  const userDataDir = profileDir ?? mkdtempSync(path.join(os.tmpdir(), 'vitrine-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
    ...(proxy ? { proxy: { server: proxy, bypass: '<-loopback>' } } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      if (!profileDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new page that records what a clean page must not show: console errors and warnings (seen.errors,
 * seen.warnings), uncaught page errors (in seen.errors) and Content-Security-Policy violations (in the page, as
 * globalThis.__violations, reset on every load). `init` is an extra init script; `timeoutMs` the page's default
 * timeout (pages on the shared test machine can take seconds to load); `workerPerPage` pins the ranking worker to
 * one per page (PIN_WORKER_PER_PAGE).
 */
export async function openWatchedPage(context, { init, timeoutMs, workerPerPage = false } = {}) {
  const page = await context.newPage();
  if (timeoutMs) page.setDefaultTimeout(timeoutMs);
  const seen = { warnings: [], errors: [] };
  page.on('console', (m) => {
    if (m.location()?.url?.endsWith('/favicon.ico')) return; // the browser's own probe, 404 on test servers
    if (m.type() === 'warning') seen.warnings.push(m.text());
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    globalThis.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      globalThis.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  if (workerPerPage) await page.addInitScript(PIN_WORKER_PER_PAGE);
  if (init) await page.addInitScript(init);
  return { page, seen };
}

/**
 * An init script that gives every Vitrine tag data-worker="page" as it is parsed, before it runs: a ranking worker of
 * the page's own, whose requests Playwright reports and routes and whose messages a test can hold (a shared worker's
 * it neither reports nor routes). For the tests that watch the worker itself; the rest run the default.
 */
export const PIN_WORKER_PER_PAGE = `(() => {
  const pin = () => {
    for (const tag of document.querySelectorAll('script[data-model], script[src$="vitrine.js"]'))
      if (!tag.dataset.worker) tag.dataset.worker = 'page';
  };
  new MutationObserver(pin).observe(document, { childList: true, subtree: true });
})();`;
