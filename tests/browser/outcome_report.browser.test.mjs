// Private outcome reports from the page (data-report, js/src/report.mjs) in headless Chromium under the strict CSP:
// exactly one POST a day to the configured endpoint, of exactly the documented fields, without the shop's cookies
// or the page's address; nothing before consent. Without data-report, storefront.browser.test.mjs's egress test
// allows no POST at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { shopAndBrowser, openPage, vitrineReady, callOnShopperClick } from './storefront_support.mjs';

const DAY_MS = 86400000;
const up = shopAndBrowser({ engine: 'test' });

function watchRequests() {
  const seen = [];
  const onRequest = (r) => seen.push(r);
  up.browser.context.on('request', onRequest);
  return { seen, stop: () => up.browser.context.off('request', onRequest) };
}

/** A fresh origin state, the shop's own cookie, and yesterday's purchase and view in the shopper's store. */
async function shopperWithYesterday(page) {
  await page.goto(up.shop.url + 'other.html');
  await vitrineReady(page);
  await page.evaluate(() => window.vitrine.forget());
  await page.evaluate(() => localStorage.clear());
  await page.goto(up.shop.url + 'other.html');
  await vitrineReady(page);
  await page.evaluate(() => {
    document.cookie = 'shop_session=s3cr3t; path=/';
  });
  const t = Date.now() - 86400000;
  for (const event of [
    { kind: 'view', item: 'secret-sku', category: 'secret-category', t },
    { kind: 'purchase', item: 'secret-sku', price: 60, qty: 1, t: t + 1000 },
  ]) {
    assert.equal(await page.evaluate((e) => window.vitrine.track(e), event), true);
  }
  await page.evaluate(() => window.vitrine.exportData()); // flushed
  return new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

const reportsIn = (requests) => requests.filter((r) => r.method() !== 'GET');

test('one report a day: a POST of exactly the documented fields, without cookies, referrer, query or any event detail', async () => {
  const { page, seen } = await openPage(up.browser.context);
  const day = await shopperWithYesterday(page);
  const requests = watchRequests();
  try {
    await page.goto(up.shop.url + 'report.html?from=secret-page');
    await vitrineReady(page);
    const posts = reportsIn(requests.seen);
    assert.equal(posts.length, 1, posts.map((r) => r.url()).join());
    const post = posts[0];
    const url = new URL(post.url());
    assert.equal(url.origin + url.pathname, up.shop.url + 'vitrine-report');
    assert.equal(url.search, '');
    const headers = await post.allHeaders();
    assert.equal(headers.cookie, undefined, 'the shop\u2019s cookie is not sent');
    assert.equal(headers.referer, undefined, 'the page\u2019s address is not sent');
    const body = JSON.parse(post.postData());
    assert.deepEqual(Object.keys(body).sort(), ['arm', 'converted', 'day', 'epsilon', 'revenue', 'v']);
    assert.deepEqual(Object.keys(body.epsilon).sort(), ['converted', 'revenue']);
    assert.equal(body.v, 1);
    assert.equal(body.day, day, 'the day the events were on');
    assert.equal(body.arm, 'on');
    assert.ok(body.converted === 0 || body.converted === 1);
    assert.ok(Number.isInteger(body.revenue) && body.revenue >= 0 && body.revenue <= 6);
    assert.doesNotMatch(post.postData(), /secret|s3cr3t/);
    assert.equal(await page.evaluate(() => localStorage.getItem('vitrine.reportedDay')), day);

    // The next pages of the same day send nothing.
    for (const again of ['report.html', 'report.html']) {
      await page.goto(up.shop.url + again);
      await vitrineReady(page);
    }
    assert.equal(reportsIn(requests.seen).length, 1, 'at most one report a day');
  } finally {
    requests.stop();
  }
  assert.deepEqual(seen.warnings, []);
  await page.close();
});

test('no report before consent, and none once the shopper opted out', async () => {
  const { page } = await openPage(up.browser.context);
  await shopperWithYesterday(page);
  const requests = watchRequests();
  try {
    await page.goto(up.shop.url + 'report-consent.html');
    await vitrineReady(page);
    await page.waitForTimeout(300);
    assert.deepEqual(
      reportsIn(requests.seen).map((r) => r.url()),
      [],
      'consent not given yet'
    );
    await page.evaluate(() => window.vitrine.optOut());
    await page.goto(up.shop.url + 'report.html');
    await vitrineReady(page);
    assert.deepEqual(
      reportsIn(requests.seen).map((r) => r.url()),
      [],
      'opted out'
    );
    assert.equal(await page.evaluate(() => localStorage.getItem('vitrine.reportedDay')), null);
    await callOnShopperClick(page, 'optIn');
  } finally {
    requests.stop();
  }
  await page.close();
});

test('after consent is granted, the day is reported', async () => {
  const { page } = await openPage(up.browser.context);
  const day = await shopperWithYesterday(page);
  const requests = watchRequests();
  try {
    await page.goto(up.shop.url + 'report-consent.html');
    await vitrineReady(page);
    assert.equal(await callOnShopperClick(page, 'grantConsent'), true);
    await page.evaluate(() => window.vitrine.ready);
    await page.waitForFunction(() => localStorage.getItem('vitrine.reportedDay') !== null);
    await page.waitForTimeout(200); // the request itself, after the day was remembered
    const posts = reportsIn(requests.seen);
    assert.equal(posts.length, 1);
    assert.equal(JSON.parse(posts[0].postData()).day, day);
  } finally {
    requests.stop();
  }
  await page.close();
});
