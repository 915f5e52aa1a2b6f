// The vault (js/src/vault.mjs): with the package served from its own origin (a second port here), the shopper's
// history lives in Vitrine's frame on that origin, and a script on the shop's page can recover none of it.
//
// The third-party tag below runs before Vitrine on every page of the shop's origin, as an analytics, ad or
// session-replay tag would: it patches Worker, MessagePort, fetch and sendBeacon, listens to every message, and once
// Vitrine is ready reads the globals, the page's API, every storage the page's origin can open and the DOM. The same
// tag run against the same shop with the package served from the shop's own origin recovers every product the
// shopper viewed: that is the leak this test exists to catch, and the test fails if the tag stops catching it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import {
  shopAndBrowser,
  startShop,
  openPage,
  vitrineReady,
  listOrder,
  MERCHANT_ORDER,
  callOnShopperClick,
} from './storefront_support.mjs';

const up = shopAndBrowser({ engine: 'test', vault: true });

const SECRETS = ['secret-scarf-1', 'secret-scarf-2', 'secret-scarf-3', 'secret-scarf-4'];

/** Both origins start empty: the shop's (the same-origin install) and the vault's. */
async function eraseBothOrigins() {
  const { page } = await openPage(up.browser.context);
  for (const url of [up.shop.url + 'manual.html', up.shop.vaultUrl + 'vitrine/vault.html']) {
    await page.goto(url);
    await page.evaluate(async () => {
      localStorage.clear();
      for (const { name } of await indexedDB.databases()) {
        await new Promise((resolve, reject) => {
          const r = indexedDB.deleteDatabase(name);
          r.onsuccess = resolve;
          r.onerror = () => reject(r.error);
          r.onblocked = () => reject(new Error(`deleting ${name} is blocked`));
        });
      }
    });
  }
  await page.close();
}

/** Records on an earlier page: four viewed scarves (the secrets), two bags in the cart and a hat. */
async function shopAround(page, otherPage) {
  await page.goto(up.shop.url + otherPage);
  await vitrineReady(page);
  for (const item of SECRETS) {
    assert.equal(
      await page.evaluate(
        (id) => window.vitrine.track({ kind: 'view', item: id, category: 'scarves', name: `Scarf ${id}` }),
        item
      ),
      true
    );
  }
  for (const item of ['p3', 'p5']) {
    assert.equal(
      await page.evaluate((id) => window.vitrine.track({ kind: 'add_to_cart', item: id, category: 'bags' }), item),
      true
    );
  }
  assert.equal(await page.evaluate(() => window.vitrine.track({ kind: 'view', item: 'p6', category: 'hats' })), true);
  await page.evaluate(() => window.vitrine.ready);
}

/** What the vault's origin keeps: its IndexedDB databases and the events in Vitrine's (read from a page of that origin). */
async function vaultKeeps() {
  const vaultPage = await up.browser.context.newPage();
  await vaultPage.goto(up.shop.vaultUrl + 'vitrine/vault.html');
  const kept = await vaultPage.evaluate(async () => {
    const databases = (await indexedDB.databases()).map((d) => d.name);
    if (!databases.includes('vitrine')) return { databases, events: 0 };
    const db = await new Promise((resolve) => {
      const r = indexedDB.open('vitrine');
      r.onsuccess = () => resolve(r.result);
    });
    const events = await new Promise((resolve) => {
      const r = db.transaction('events').objectStore('events').count();
      r.onsuccess = () => resolve(r.result);
    });
    db.close();
    return { databases, events };
  });
  await vaultPage.close();
  return kept;
}

const vaultEvents = async () => (await vaultKeeps()).events;

// The third-party tag. Runs in the top page only: no page script can run inside another origin's frame.
function thirdPartyTag() {
  if (window !== window.top) return;
  const heard = [];
  window.__heard = heard;
  const note = (what, value) => {
    try {
      heard.push(`${what}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    } catch {
      heard.push(`${what}: (unserializable)`);
    }
  };
  for (const Ctor of [Worker, MessagePort]) {
    const post = Ctor.prototype.postMessage;
    Ctor.prototype.postMessage = function (message, ...rest) {
      note(`${Ctor.name}.postMessage`, message);
      return post.call(this, message, ...rest);
    };
    const onmessage = Object.getOwnPropertyDescriptor(Ctor.prototype, 'onmessage');
    Object.defineProperty(Ctor.prototype, 'onmessage', {
      configurable: true,
      get() {
        return onmessage.get.call(this);
      },
      set(fn) {
        onmessage.set.call(
          this,
          typeof fn === 'function'
            ? function (event) {
                note(`${Ctor.name} message`, event.data);
                return fn.call(this, event);
              }
            : fn
        );
      },
    });
  }
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (type === 'message' && typeof listener === 'function') {
      const wrapped = function (event) {
        note('message event', event.data);
        return listener.call(this, event);
      };
      return add.call(this, type, wrapped, options);
    }
    return add.call(this, type, listener, options);
  };
  add.call(window, 'message', (event) => note('window message', event.data));
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    note('fetch', { url: String(input?.url ?? input), body: typeof init?.body === 'string' ? init.body : null });
    return fetch.call(this, input, init);
  };
  const beacon = navigator.sendBeacon?.bind(navigator);
  if (beacon)
    navigator.sendBeacon = (url, data) => {
      note('sendBeacon', { url, data: typeof data === 'string' ? data : null });
      return beacon(url, data);
    };
  // Once Vitrine is ready: everything a script of this origin can read.
  window.__readEverything = async () => {
    const v = window.vitrine;
    for (const name of ['exportData', 'profile']) note(name, await v[name]());
    for (const li of document.querySelectorAll('[data-vitrine-item]'))
      note('explain', await v.explain(li.dataset.vitrineItem));
    note('status', v.status());
    for (const store of [localStorage, sessionStorage]) {
      for (let i = 0; i < store.length; ++i) note('web storage', `${store.key(i)}=${store.getItem(store.key(i))}`);
    }
    note('cookie', document.cookie);
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const storeName of db.objectStoreNames) {
        const all = await new Promise((resolve) => {
          const r = db.transaction(storeName).objectStore(storeName).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => resolve([]);
        });
        note(`indexedDB ${name}/${storeName}`, all);
      }
      db.close();
    }
    if (globalThis.caches) for (const key of await caches.keys()) note('cache', key);
    for (const key of Object.keys(window)) if (/vitrine/i.test(key)) note(`global ${key}`, window[key]);
    note('DOM', document.documentElement.outerHTML);
    // The frame itself: a cross-origin window gives nothing but postMessage.
    for (const frame of document.querySelectorAll('iframe')) {
      try {
        note('frame document', frame.contentDocument?.documentElement?.outerHTML ?? null);
        note('frame storage', frame.contentWindow.localStorage.length);
      } catch (e) {
        note('frame refused', e.name);
      }
    }
    return heard.join('\n');
  };
}

async function whatTheTagRecovers(otherPage, shopPage) {
  await eraseBothOrigins();
  const { page } = await openPage(up.browser.context, { init: thirdPartyTag });
  await shopAround(page, otherPage);
  await page.goto(up.shop.url + shopPage);
  await vitrineReady(page);
  const heard = await page.evaluate(() => window.__readEverything());
  const order = await listOrder(page);
  const result = await page.$eval('#list', (l) => l.dataset.vitrineResult);
  const violations = await page.evaluate(() => globalThis.__violations);
  const hero = await page.$$eval('#hero > [data-vitrine-variant]', (vs) => vs.map((v) => [v.id, v.hidden]));
  const vaultFrames = await page.$$eval('iframe[data-vitrine-vault]', (fs) => fs.length);
  const written = await page.$$eval('[data-vitrine-explain]', (els) => els.map((e) => e.textContent).join(''));
  await page.close();
  return {
    recovered: SECRETS.filter((s) => heard.includes(s)),
    order,
    result,
    heard,
    violations,
    hero,
    written,
    vaultFrames,
  };
}

test("served from the shop's own origin, the third-party tag recovers every viewed product (the leak this test must catch)", async () => {
  const { recovered, result } = await whatTheTagRecovers('other.html', 'shop.html');
  assert.equal(result, 'reordered');
  assert.deepEqual(recovered, SECRETS);
});

test('with the vault, the listing and the slot follow the history the vault keeps and the tag recovers none of it', async () => {
  const { recovered, order, result, heard, violations, hero, written, vaultFrames } = await whatTheTagRecovers(
    'vault-other.html',
    'vault-shop.html'
  );
  assert.equal(vaultFrames, 1, 'the frame the one-tag loader started is the one the modules use');
  // The slot's variant is chosen in the vault from the profile there, and no explanation is written into the page.
  assert.deepEqual(hero, [
    ['v-general', true],
    ['v-bags', false],
    ['v-hats', true],
  ]);
  assert.equal(written, '');
  // The page's policy has neither 'wasm-unsafe-eval' nor worker-src: the engine runs in the vault's frame.
  assert.deepEqual(violations, []);
  // The same order as the storefront test's same-origin install: bags (two carts) before hats (one view), p4 pinned.
  assert.deepEqual(order, ['p3', 'p5', 'p6', 'p4', 'p1', 'p2']);
  assert.equal(result, 'reordered');
  assert.deepEqual(
    recovered,
    [],
    `the tag recovered ${recovered.join(', ')} from\n${heard
      .split('\n')
      .filter((l) => /secret/.test(l))
      .map((l) => l.slice(0, 300))
      .join('\n')}`
  );
  assert.doesNotMatch(heard, /scarves/, 'not even the category');
  assert.match(heard, /frame refused: SecurityError/, 'the tag did try the vault frame');
});

test("with the vault, the page's API offers neither the history nor its erasure; an opt-out is kept by the vault and erases it", async () => {
  await eraseBothOrigins();
  const { page, seen } = await openPage(up.browser.context);
  await shopAround(page, 'vault-other.html');
  assert.equal(await page.evaluate(() => window.vitrine.status().storage), 'vault');
  assert.equal(await page.evaluate(() => window.vitrine.exportData()), null);
  assert.equal(await page.evaluate(() => window.vitrine.profile()), null);
  assert.equal(await page.evaluate(() => window.vitrine.forget()), false);
  assert.equal(await page.evaluate(() => window.vitrine.optIn()), false);
  assert.equal(seen.warnings.length, 1, 'one warning for the page');
  assert.match(seen.warnings[0], /exportData\(\) is not offered to the page/);
  // An opt-out only protects the shopper: any script may ask for it, and the vault erases what it kept.
  assert.equal(await page.evaluate(() => window.vitrine.optOut()), true);
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'opted-out');
  await page.goto(up.shop.url + 'vault-shop.html');
  await page.waitForFunction(() => window.vitrine?.status().state === 'opted-out');
  assert.deepEqual(await listOrder(page), MERCHANT_ORDER);
  assert.equal(await page.$('iframe[data-vitrine-vault]'), null, 'the page let its vault frame go');
  // What the vault's origin keeps (the same storage as its frame in the shop's pages: one site, two ports).
  await page.goto(up.shop.vaultUrl + 'vitrine/vault.html');
  const kept = await page.evaluate(async () => ({
    optOut: localStorage.getItem('vitrine.optOut'),
    databases: (await indexedDB.databases()).map((d) => d.name),
  }));
  assert.deepEqual(kept, { optOut: '1', databases: [] });
  await page.close();
});

test("the shopper's panel, in Vitrine's frame, shows, downloads and erases the history and turns personalization off and on", async () => {
  await eraseBothOrigins();
  const { page, seen } = await openPage(up.browser.context);
  await shopAround(page, 'vault-other.html');
  const panel = page.frameLocator('#panel iframe[data-vitrine-panel-frame]');
  await panel.locator('#kept', { hasText: '7 things you did here are kept in this browser only.' }).waitFor();
  assert.deepEqual(await panel.locator('#recent li').allTextContents(), [
    'p6',
    ...SECRETS.map((s) => `Scarf ${s}`).reverse(),
  ]);
  // The page cannot look inside.
  assert.equal(await page.$eval('#panel iframe', (f) => f.contentDocument), null);

  const [download] = await Promise.all([page.waitForEvent('download'), panel.locator('#download').click()]);
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.deepEqual(
    exported.storage.events.map((e) => e.item),
    [...SECRETS, 'p3', 'p5', 'p6']
  );

  await panel.locator('#erase').click();
  await panel.locator('#result', { hasText: 'Erased.' }).waitFor();
  await panel.locator('#kept', { hasText: 'Nothing is kept.' }).waitFor();
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'running', 'erasing is not opting out');

  await panel.locator('#toggle', { hasText: 'Turn off' }).click();
  await page.waitForFunction(() => window.vitrine.status().state === 'opted-out');
  await panel.locator('#state', { hasText: 'Recommendations are off.' }).waitFor();
  await panel.locator('#toggle', { hasText: 'Turn on' }).click();
  await panel.locator('#state', { hasText: 'Recommendations are on.' }).waitFor();
  await page.reload();
  await vitrineReady(page);
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'running');
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("with the vault, consent withdrawn through the page's TCF signal erases what the vault kept", async () => {
  await eraseBothOrigins();
  const { page } = await openPage(up.browser.context);
  await page.goto(up.shop.url + 'vault-consent-tcf.html');
  await vitrineReady(page);
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'waiting-consent');
  await page.evaluate(() => window.testCmp.decide({ 1: true, 3: true, 4: true }));
  await page.waitForFunction(() => window.vitrine.status().storage === 'vault');
  assert.equal(await page.evaluate(() => window.vitrine.track({ kind: 'view', item: 'p1' })), true);
  await page.waitForTimeout(300);
  assert.ok((await vaultEvents()) >= 1, 'the view is kept in the vault');
  await page.evaluate(() => window.testCmp.decide({ 1: true, 3: false, 4: true }));
  await page.waitForFunction(() => window.vitrine.status().state === 'waiting-consent');
  await page.waitForTimeout(300);
  assert.equal(await vaultEvents(), 0);
  await page.close();
});

/** The "why?" buttons and explanation elements of why.html: [id, button shown, explanation text, frames]. */
function whyState(page) {
  return page.$$eval('#list > li', (items) =>
    items.map((li) => [
      li.dataset.vitrineItem,
      !li.querySelector('[data-vitrine-why]').hidden,
      li.querySelector('[data-vitrine-explain]').textContent,
      li.querySelectorAll('iframe').length,
    ])
  );
}

test("on the shop's own origin, a promoted card's \"why?\" button shows its reason on the shopper's click only", async () => {
  await eraseBothOrigins();
  const { page, seen } = await openPage(up.browser.context);
  await shopAround(page, 'other.html');
  await page.goto(up.shop.url + 'why.html');
  await vitrineReady(page);
  assert.equal(await page.$eval('#list', (l) => l.dataset.vitrineResult), 'reordered');
  // Shown on the promoted items the engine gave a reason for (not the pinned p4: it stays where the shop put it);
  // nothing is written before the shopper asks.
  const armed = (await whyState(page))
    .filter(([, shown]) => shown)
    .map(([id]) => id)
    .sort();
  assert.deepEqual(armed, ['p1', 'p2', 'p3', 'p5', 'p6']);
  assert.ok((await whyState(page)).every(([, , text]) => text === ''));
  // A script's click is not the shopper's.
  await page.evaluate(() => document.querySelector('[data-vitrine-item="p3"] [data-vitrine-why]').click());
  assert.equal(await page.$eval('[data-vitrine-item="p3"] [data-vitrine-explain]', (e) => e.textContent), '');
  await page.click('[data-vitrine-item="p3"] [data-vitrine-why]');
  assert.match(await page.$eval('[data-vitrine-item="p3"] [data-vitrine-explain]', (e) => e.textContent), /bags/);
  assert.equal(
    await page.$eval('[data-vitrine-item="p3"] [data-vitrine-why]', (b) => b.getAttribute('aria-expanded')),
    'true'
  );
  await page.click('[data-vitrine-item="p3"] [data-vitrine-why]');
  assert.equal(await page.$eval('[data-vitrine-item="p3"] [data-vitrine-explain]', (e) => e.textContent), '');
  // forget() puts the cards back as the shop rendered them: buttons hidden, nothing written.
  await page.click('[data-vitrine-item="p5"] [data-vitrine-why]');
  assert.equal(await page.evaluate(() => window.vitrine.forget()), true);
  assert.ok((await whyState(page)).every(([, shown, text]) => !shown && text === ''));
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('with the vault, the "why?" button opens a frame of the vault that shows the reason; the page never holds it', async () => {
  await eraseBothOrigins();
  const { page, seen } = await openPage(up.browser.context, { init: thirdPartyTag });
  await shopAround(page, 'vault-other.html');
  await page.goto(up.shop.url + 'vault-why.html');
  await vitrineReady(page);
  await page.waitForFunction(() => document.querySelector('#list').dataset.vitrineResult === 'reordered');
  const armed = (await whyState(page))
    .filter(([, shown]) => shown)
    .map(([id]) => id)
    .sort();
  assert.deepEqual(
    armed,
    ['p1', 'p2', 'p3', 'p5', 'p6'],
    'every promoted item: the page cannot tell which ones the vault has a reason for'
  );
  await page.evaluate(() => document.querySelector('[data-vitrine-item="p3"] [data-vitrine-why]').click());
  assert.equal(
    await page.$$eval('iframe[data-vitrine-why-frame]', (fs) => fs.length),
    0,
    "a script's click opens nothing"
  );
  await page.click('[data-vitrine-item="p3"] [data-vitrine-why]');
  const frame = page.frameLocator('[data-vitrine-item="p3"] iframe[data-vitrine-why-frame]');
  await frame.locator('#reason', { hasText: 'bags' }).waitFor();
  // The page sees a frame it cannot open, and its own text and messages hold no reason.
  assert.equal(await page.$eval('[data-vitrine-item="p3"] iframe', (f) => f.contentDocument), null);
  assert.ok((await whyState(page)).every(([, , text]) => text === ''));
  const heard = await page.evaluate(() => window.__readEverything());
  assert.doesNotMatch(heard, /bags<|<b>bags/, 'the reason text reached the page');
  // A ticket the vault does not hold gets the plain answer, not another item's reason.
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.id = 'forged';
    f.src = src;
    document.body.append(f);
  }, `${up.shop.vaultUrl}vitrine/why.html#t=0000000000000000&i=p3&lang=en`);
  await page.frameLocator('#forged').locator('#reason', { hasText: 'no longer kept' }).waitFor();
  const asked = await page.$eval('[data-vitrine-item="p3"] iframe', (f) => f.src);
  await page.click('[data-vitrine-item="p3"] [data-vitrine-why]');
  assert.equal(await page.$$eval('#list iframe', (fs) => fs.length), 0, 'a second click closes it');
  // Erased in the shopper's panel: the page takes its buttons back, and the vault no longer tells that reason.
  const panel = await up.browser.context.newPage();
  await panel.goto(up.shop.vaultUrl + 'vitrine/panel.html');
  await panel.click('#erase');
  await panel.locator('#result', { hasText: 'Erased.' }).waitFor();
  await panel.close();
  await page.waitForFunction(() => document.querySelectorAll('[data-vitrine-why]:not([hidden])').length === 0);
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.id = 'asked-again';
    f.src = src;
    document.body.append(f);
  }, asked);
  await page.frameLocator('#asked-again').locator('#reason', { hasText: 'no longer kept' }).waitFor();
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("with the vault and no consent manager, Vitrine asks in its own frame: the page cannot grant consent, the shopper's click there does", async () => {
  await eraseBothOrigins();
  const { page, seen } = await openPage(up.browser.context);
  await page.goto(up.shop.url + 'vault-prompt.html');
  await vitrineReady(page);
  const prompt = page.frameLocator('#consent iframe[data-vitrine-consent-frame]');
  await prompt.locator('#allow').waitFor();
  assert.equal(await page.isVisible('#consent'), true, "the shop's hidden element is shown while Vitrine asks");
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'waiting-consent');
  // Everything a page script can do: call the API during a click, claim the answer in its own storage, click the
  // prompt's buttons through a synthetic event (it cannot reach into the frame), post to the frames.
  assert.equal(await callOnShopperClick(page, 'grantConsent'), false);
  assert.match(seen.warnings.join('\n'), /grantConsent\(\) is not offered with the vault/);
  await page.evaluate(() => {
    localStorage.setItem('vitrine.consent', 'granted');
    for (const frame of document.querySelectorAll('iframe'))
      frame.contentWindow.postMessage({ type: 'why-answer', consent: 'granted' }, '*');
    document.querySelector('#consent iframe').dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });
  assert.equal(await page.evaluate(() => window.vitrine.track({ kind: 'view', item: 'p1' })), false);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'waiting-consent');
  assert.deepEqual(await vaultKeeps(), { databases: [], events: 0 }, 'nothing opened in the vault before consent');
  // The shopper's own click in Vitrine's frame.
  await prompt.locator('#allow').click();
  await page.waitForFunction(() => window.vitrine.status().state === 'running');
  assert.equal(await page.isVisible('#consent'), false, 'the prompt is gone once answered');
  assert.equal(await page.evaluate(() => window.vitrine.track({ kind: 'view', item: 'p1' })), true);
  await page.evaluate(() => window.vitrine.ready);
  await page.waitForTimeout(300);
  assert.ok((await vaultEvents()) >= 1, 'the view (and the category visit) kept in the vault');
  // Kept by the vault: the next page runs without asking.
  await page.reload();
  await vitrineReady(page);
  await page.waitForFunction(() => window.vitrine.status().state === 'running');
  assert.equal(await page.$('#consent iframe'), null);
  // Consent withdrawn by the page erases, and the prompt asks again on the next page.
  assert.equal(await page.evaluate(() => window.vitrine.revokeConsent()), true);
  await page.waitForTimeout(300);
  assert.equal(await vaultEvents(), 0);
  await page.reload();
  await vitrineReady(page);
  await prompt.locator('#allow').waitFor();
  // "No thanks" is kept too: the prompt goes, and does not come back on the next page.
  await prompt.locator('#refuse').click();
  await page.waitForFunction(() => document.getElementById('consent').hidden);
  await page.reload();
  await vitrineReady(page);
  await page.waitForTimeout(300);
  assert.equal(await page.$('#consent iframe'), null);
  assert.equal(await page.evaluate(() => window.vitrine.status().state), 'waiting-consent');
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("a page of another site that frames the vault itself is refused; a page of the shop's own site is served", async () => {
  // No frame-ancestors here (csp: null), so what refuses is the vault's own check (vault.mjs sameShop), not the policy.
  const open = await startShop({ engine: 'test', vault: true, csp: null });
  try {
    const { page } = await openPage(up.browser.context);
    const connect = (vaultHtml) =>
      page.evaluate(async (src) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
        await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
        const { port1, port2 } = new MessageChannel();
        const answer = new Promise((resolve) => {
          port1.onmessage = (event) => resolve(event.data);
          setTimeout(() => resolve('no answer'), 5000);
        });
        frame.contentWindow.postMessage({ type: 'vitrine-connect', v: 1, config: { consent: 'not-required' } }, '*', [
          port2,
        ]);
        return answer;
      }, vaultHtml);
    // localhost and 127.0.0.1 are two sites to the browser.
    await page.goto(open.url.replace('127.0.0.1', 'localhost') + 'manual.html');
    const foreign = await connect(`${open.vaultUrl}vitrine/vault.html`);
    assert.equal(foreign.type, 'refused');
    assert.match(foreign.reason, /may not use the vault/);
    await page.goto(open.url + 'manual.html');
    const own = await connect(`${open.vaultUrl}vitrine/vault.html`);
    assert.equal(own.type, 'hello', "the same test from the shop's own site is answered");
    await page.close();
  } finally {
    open.close();
  }
});
