// The holdout arm and the exposure announcement (js/src/arm.mjs). The browser side (listings kept, no model
// loaded, events recorded across arms) is tests/browser/holdout.browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';

import { ARM_KEY, armFor, shopperArm, announceExposure } from '../../js/src/arm.mjs';
import { normalizeConfig, fromDataset } from '../../js/src/config.mjs';

function memoryStorage() {
  const data = new Map();
  return {
    data,
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
  };
}

function fakeWindow(storage = memoryStorage()) {
  return { localStorage: storage, crypto: webcrypto };
}

test('armFor: a draw below holdout * 2^32 is off; raising the fraction only moves on to off', () => {
  assert.equal(armFor(0, 0.1), 'off');
  assert.equal(armFor(Math.ceil(0.1 * 2 ** 32) - 1, 0.1), 'off');
  assert.equal(armFor(Math.ceil(0.1 * 2 ** 32), 0.1), 'on');
  assert.equal(armFor(2 ** 32 - 1, 1), 'off');
  assert.equal(armFor(0, 0), 'on');
  for (let draw = 0; draw < 2 ** 32; draw += 104729 * 997) {
    let previous = 'on';
    for (const fraction of [0, 0.05, 0.1, 0.3, 0.5, 0.9, 1]) {
      const arm = armFor(draw, fraction);
      assert.ok(!(previous === 'off' && arm === 'on'), `draw ${draw} went back on at ${fraction}`);
      previous = arm;
    }
  }
});

test('shopperArm: nothing is drawn or stored without a holdout', () => {
  const win = fakeWindow();
  assert.deepEqual(shopperArm(win, 0), { arm: 'on', kept: true });
  assert.equal(win.localStorage.data.size, 0);
});

test('shopperArm: the draw is made once, kept, and gives the same arm on every later page', () => {
  const win = fakeWindow();
  const first = shopperArm(win, 0.5);
  assert.equal(first.kept, true);
  const stored = win.localStorage.getItem(ARM_KEY);
  assert.match(stored, /^\d{1,10}$/);
  assert.equal(first.arm, armFor(Number(stored), 0.5));
  for (let page = 0; page < 5; ++page) assert.deepEqual(shopperArm(win, 0.5), first);
  assert.equal(win.localStorage.getItem(ARM_KEY), stored, 'not redrawn');
});

test('shopperArm: an unreadable stored draw (corrupted storage) is drawn again and rewritten', () => {
  for (const bad of ['abc', '-1', '4294967296', '99999999999', '1.5', '', ' 12']) {
    const win = fakeWindow();
    win.localStorage.setItem(ARM_KEY, bad);
    const { arm, kept } = shopperArm(win, 0.3);
    const stored = win.localStorage.getItem(ARM_KEY);
    assert.notEqual(stored, bad, `kept the bad value ${JSON.stringify(bad)}`);
    assert.ok(Number(stored) < 2 ** 32);
    assert.equal(arm, armFor(Number(stored), 0.3));
    assert.equal(kept, true);
  }
});

test('shopperArm: blocked storage gives an arm for this page only (kept: false), never an exception', () => {
  const throwing = {
    getItem() {
      throw new Error('blocked');
    },
    setItem() {
      throw new Error('blocked');
    },
  };
  const blocked = {
    crypto: webcrypto,
    get localStorage() {
      throw new Error('SecurityError');
    },
  };
  for (const win of [fakeWindow(throwing), blocked]) {
    const { arm, kept } = shopperArm(win, 0.5);
    assert.ok(arm === 'on' || arm === 'off');
    assert.equal(kept, false);
  }
});

test('shopperArm: the holdout fraction is what the draws give (20,000 fresh shoppers, within 5 standard errors)', () => {
  for (const fraction of [0.1, 0.5]) {
    let off = 0;
    const n = 20000;
    for (let i = 0; i < n; ++i) if (shopperArm(fakeWindow(), fraction).arm === 'off') ++off;
    const se = Math.sqrt((fraction * (1 - fraction)) / n);
    assert.ok(Math.abs(off / n - fraction) < 5 * se, `${off / n} off for a holdout of ${fraction}`);
  }
});

test('announceExposure: one dataLayer push of exactly the arm and the model, created when the page has none', () => {
  const win = {};
  assert.equal(announceExposure(win, { arm: 'off', model: null }, null), null);
  assert.deepEqual(win.dataLayer, [{ event: 'vitrine_exposure', vitrine_arm: 'off', vitrine_model: null }]);
  const gtm = [{ event: 'gtm.js' }];
  const win2 = { dataLayer: gtm };
  announceExposure(win2, { arm: 'on', model: '0123456789abcdef' }, null);
  assert.equal(win2.dataLayer, gtm, 'the shop\u2019s own dataLayer is used');
  assert.deepEqual(gtm[1], { event: 'vitrine_exposure', vitrine_arm: 'on', vitrine_model: '0123456789abcdef' });
});

test('announceExposure: the callback by function or by dotted name gets its own copy; failures are reported, not thrown', () => {
  const calls = [];
  const win = { shop: { analytics: { exposure: (e) => calls.push(e) } } };
  assert.equal(announceExposure(win, { arm: 'on', model: 'm' }, 'shop.analytics.exposure'), null);
  assert.deepEqual(calls, [{ arm: 'on', model: 'm' }]);
  calls[0].arm = 'changed';
  assert.equal(win.dataLayer[0].vitrine_arm, 'on', 'the callback\u2019s copy is not the dataLayer\u2019s');
  assert.match(announceExposure({}, { arm: 'on', model: null }, 'missing.fn'), /not a function/);
  assert.match(
    announceExposure({}, { arm: 'on', model: null }, 'constructor'),
    /not a function/,
    'no walk up the prototype'
  );
  const throwing = { dataLayer: [] };
  assert.match(
    announceExposure(throwing, { arm: 'off', model: null }, () => {
      throw new Error('boom');
    }),
    /threw: boom/
  );
  assert.equal(throwing.dataLayer.length, 1, 'the push happened before the callback failed');
  const frozen = { dataLayer: Object.freeze([]) };
  assert.match(announceExposure(frozen, { arm: 'on', model: null }, null), /dataLayer.push failed/);
});

test('config: data-holdout and data-on-exposure are read, and out-of-range values fall back to no holdout', () => {
  const read = (dataset) => normalizeConfig(fromDataset(dataset), 'https://shop.example/');
  assert.equal(read({ holdout: '0.1' }).holdout, 0.1);
  assert.equal(read({}).holdout, 0);
  for (const bad of ['-0.1', '1.5', 'ten', 'NaN']) assert.equal(read({ holdout: bad }).holdout, 0, bad);
  assert.equal(read({ onExposure: 'shop.track' }).onExposure, 'shop.track');
  assert.equal(read({ onExposure: 'alert(1)' }).onExposure, null, 'only names, never code');
});
