// Consent fails closed (js/src/consent.mjs): without data-consent, or with a value Vitrine does not understand,
// nothing is recorded before consent; the page's IAB TCF v2.2 and Google Consent Mode v2 signals give and take it
// back, and a signal that says no (or has not decided) wins over grantConsent().
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  shopAndBrowser,
  openPage,
  vitrineReady,
  databases,
  storedEvents,
  callOnShopperClick,
} from './storefront_support.mjs';

const up = shopAndBrowser({ engine: 'test' });

async function freshPage(name) {
  const { page, seen } = await openPage(up.browser.context);
  await page.goto(up.shop.url + 'manual.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  await page.evaluate(() => localStorage.clear());
  await page.goto(up.shop.url + name);
  await vitrineReady(page);
  return { page, seen };
}

const state = (page) => page.evaluate(() => window.vitrine.status().state);
const track = (page, item) => page.evaluate((id) => window.vitrine.track({ kind: 'view', item: id }), item);

test('without data-consent, and with a value not understood, nothing is recorded before consent', async () => {
  for (const name of ['consent-default.html', 'consent-typo.html']) {
    const { page, seen } = await freshPage(name);
    assert.equal(await state(page), 'waiting-consent', name);
    assert.equal(await track(page, 'p1'), false, name);
    await page.click('[data-vitrine-item="p2"] [data-vitrine-action="add_to_cart"]');
    await page.waitForTimeout(300);
    assert.deepEqual(await databases(page), [], name);
    assert.equal(
      await page.$eval('#list', (l) => l.dataset.vitrineResult ?? null),
      null,
      `${name}: the listing is left alone`
    );
    const misread = seen.warnings.filter((w) => /data-consent="none" is not understood/.test(w));
    assert.equal(misread.length, name === 'consent-typo.html' ? 1 : 0, name);
    await page.close();
  }
});

test('TCF: undecided and refused keep Vitrine off whatever grantConsent() says; purposes 1, 3 and 4 start it; withdrawing erases', async () => {
  const { page } = await freshPage('consent-tcf.html');
  assert.equal(await state(page), 'waiting-consent');
  assert.equal(await callOnShopperClick(page, 'grantConsent'), false, 'the banner is still up');
  await page.evaluate(() => window.testCmp.decide({ 1: true, 3: true, 4: false }));
  assert.equal(await callOnShopperClick(page, 'grantConsent'), false, 'purpose 4 refused');
  assert.equal(await state(page), 'waiting-consent');
  await page.evaluate(() => window.testCmp.decide({ 1: true, 3: true, 4: true }));
  await page.waitForFunction(() => window.vitrine.status().state === 'running');
  assert.equal(await track(page, 'p1'), true);
  assert.deepEqual((await storedEvents(page)).filter((e) => e.item === 'p1').length, 1);
  await page.evaluate(() => window.testCmp.decide({ 1: true, 3: false, 4: true }));
  await page.waitForFunction(() => window.vitrine.status().state === 'waiting-consent');
  await page.waitForFunction(async () => (await indexedDB.databases()).length === 0);
  assert.equal(await track(page, 'p2'), false);
  await page.close();
});

test('Consent Mode: denied by default keeps Vitrine off, even against grantConsent(); an update granting both fields starts it', async () => {
  const { page } = await freshPage('consent-mode.html');
  assert.equal(await state(page), 'waiting-consent');
  assert.equal(await callOnShopperClick(page, 'grantConsent'), false);
  await page.evaluate(() => window.gtag('consent', 'update', { ad_personalization: 'granted' }));
  await page.waitForTimeout(50);
  assert.equal(await state(page), 'waiting-consent', 'personalization_storage is still denied');
  await page.evaluate(() => window.gtag('consent', 'update', { personalization_storage: 'granted' }));
  await page.waitForFunction(() => window.vitrine.status().state === 'running');
  assert.equal(await track(page, 'p1'), true);
  await page.close();
});
