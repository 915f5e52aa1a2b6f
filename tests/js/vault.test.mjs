// The vault's rules without a browser (js/src/vault.mjs): which pages may use it, the budget of rankings, and what
// a request gets back. The frame itself, its origin and a third-party tag are tests/browser/vault.browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { sameShop, spendOracleBudget, serveVault, ORACLE_BUDGET, ORDER_SHOWN } from '../../js/src/vault.mjs';
import { openStore } from '../../js/src/storage.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';
import { WHY_CHANNEL } from '../../js/src/why.mjs';

test('a vault serves pages of the same host or the same parent domain, never another site or scheme', () => {
  assert.equal(sameShop('https://shop.example', 'https://vitrine.shop.example'), true);
  assert.equal(sameShop('https://www.shop.example', 'https://vitrine.shop.example'), true);
  assert.equal(sameShop('http://127.0.0.1:8080', 'http://127.0.0.1:8081'), true);
  assert.equal(sameShop('https://evil.example', 'https://vitrine.shop.example'), false);
  assert.equal(sameShop('https://shop.example.evil.test', 'https://vitrine.shop.example'), false);
  assert.equal(sameShop('https://a.co.uk', 'https://vitrine.b.co.uk'), false);
  assert.equal(sameShop('http://shop.example', 'https://vitrine.shop.example'), false);
  assert.equal(sameShop('http://127.0.0.2:8080', 'http://127.0.0.1:8081'), false);
  assert.equal(sameShop('null', 'https://vitrine.shop.example'), false);
});

function fakeWindow() {
  const items = new Map();
  return {
    location: { href: 'https://vitrine.shop.example/vitrine/vault.html' },
    navigator: {},
    crypto: globalThis.crypto,
    localStorage: {
      getItem: (k) => (items.has(k) ? items.get(k) : null),
      setItem: (k, v) => items.set(k, String(v)),
      removeItem: (k) => items.delete(k),
      key: (i) => [...items.keys()][i] ?? null,
      get length() {
        return items.size;
      },
    },
    listeners: new Map(),
    addEventListener(type, fn) {
      this.listeners.set(type, fn);
    },
    removeEventListener(type) {
      this.listeners.delete(type);
    },
  };
}

test('the ranking budget is shared through storage and refills as its window passes', () => {
  const win = fakeWindow();
  const budget = { count: 3, windowMs: 1000 };
  const spent = [0, 1, 2, 3].map((i) => spendOracleBudget(win, 10_000 + i, {}, budget));
  assert.deepEqual(spent, [true, true, true, false]);
  assert.equal(spendOracleBudget(win, 10_003, {}, budget), false, 'another frame of the origin sees the same budget');
  assert.equal(spendOracleBudget(win, 11_001, {}, budget), true, 'the first one has left the window');
  assert.ok(ORACLE_BUDGET.count >= 10, 'a page with a few listings and a sort is well inside the default');
});

/** A vault on a fake port and a memory store; `rankReply` is what its ranking worker answers. */
async function vaultWith(rankReply, moreDeps = {}, config = { consent: 'not-required' }) {
  const sent = [];
  const port = { postMessage: (m) => sent.push(m), onmessage: null };
  const ranked = [];
  const win = fakeWindow();
  const stop = await serveVault(
    port,
    { model: 'https://vitrine.shop.example/m.vtm', ...config },
    {
      win,
      openStore: (options) => openStore({ ...options, indexedDB: null, BroadcastChannel: null }),
      makeRankingClient: () => ({
        warm: async () => ({ ready: true, model: 'abc' }),
        profile: async () => ({ profile: { categoryAffinity: { bags: 0.9, hats: 0.2 } } }),
        rank: async (request) => {
          ranked.push(request);
          return rankReply;
        },
        terminate() {},
      }),
      ...moreDeps,
    }
  );
  const ask = async (message) => {
    const before = sent.length;
    await port.onmessage({ data: { v: 1, ...message } });
    return sent.slice(before);
  };
  return { sent, ask, ranked, stop, win };
}

test('the vault stores valid records, ranks with its own history, and answers the order only', async () => {
  const { sent, ask, ranked } = await vaultWith({
    order: ['b', 'a'],
    scores: [2, 1],
    reasons: { b: { text: 'secret' } },
  });
  assert.deepEqual(sent, [{ type: 'hello', v: 1, optedOut: false, storage: 'memory', consent: 'granted' }]);
  assert.deepEqual(
    await ask({ id: 1, type: 'rank', candidates: [{ id: 'a' }, { id: 'b' }], nowMs: Date.now() }),
    [{ v: 1, id: 1, type: 'ranked', order: [], history: 0 }],
    'no history: nothing ranked'
  );
  const now = Date.now();
  const [stored] = await ask({
    id: 2,
    type: 'append',
    records: [
      { kind: EventKind.view, t: now - 1000, item: 'b' },
      { kind: EventKind.view, t: now + 3_600_000, item: 'future' }, // refused: dated an hour ahead
      { kind: 99, t: now, item: 'x' }, // refused: no such kind
    ],
  });
  assert.deepEqual(stored, { v: 1, id: 2, type: 'appended', stored: 1 });
  const [reply] = await ask({
    id: 3,
    type: 'rank',
    candidates: [{ id: 'a' }, { id: 'b' }],
    nowMs: now,
    events: [{ kind: 0, t: now, item: 'forged' }],
  });
  assert.deepEqual(reply, { v: 1, id: 3, type: 'ranked', order: ['b', 'a'], history: 1 });
  assert.deepEqual(
    ranked[0].events.map((e) => e.item),
    ['b'],
    'the events a page sends are ignored'
  );
  assert.equal(ranked[0].explainTop, 0);
});

test("the vault passes a listing's rankBy to its worker, refuses one it does not know, and says what the order was made by", async () => {
  const { ask, ranked } = await vaultWith({ order: ['b', 'a'], scores: [2, 1], reasons: {}, rankBy: 'relevance' });
  await ask({ id: 1, type: 'append', records: [{ kind: EventKind.view, t: Date.now(), item: 'b' }] });
  const [reply] = await ask({
    id: 2,
    type: 'rank',
    candidates: [{ id: 'a' }, { id: 'b' }],
    nowMs: Date.now(),
    rankBy: 'value',
  });
  assert.equal(ranked[0].rankBy, 'value');
  // The worker ranked by relevance (its model has no conversion head): a fact about the model, told to the page.
  assert.deepEqual(reply, { v: 1, id: 2, type: 'ranked', order: ['b', 'a'], history: 1, rankBy: 'relevance' });
  await ask({ id: 3, type: 'rank', candidates: [{ id: 'a' }, { id: 'b' }], nowMs: Date.now() });
  assert.equal(ranked[1].rankBy, undefined);
  for (const rankBy of ['revenue', 7, { toString: () => 'value' }]) {
    const [bad] = await ask({ id: 4, type: 'rank', candidates: [{ id: 'a' }, { id: 'b' }], nowMs: Date.now(), rankBy });
    assert.equal(bad.code, 'BAD_REQUEST', String(rankBy));
  }
  assert.equal(ranked.length, 2);
});

test('the vault refuses what would reveal the history, and rankings past the budget', async () => {
  const { ask } = await vaultWith({ order: ['a'], scores: [1], reasons: {} });
  for (const type of ['profile', 'export', 'forget', 'optIn']) {
    const [reply] = await ask({ id: 1, type });
    assert.equal(reply.type, 'error');
    assert.equal(reply.code, 'PRIVATE', type);
  }
  await ask({ id: 2, type: 'append', records: [{ kind: EventKind.view, t: Date.now(), item: 'a' }] });
  const codes = [];
  for (let i = 0; i <= ORACLE_BUDGET.count; ++i) {
    const [reply] = await ask({ id: 10 + i, type: 'rank', candidates: [{ id: 'a' }, { id: 'b' }], nowMs: Date.now() });
    codes.push(reply.type === 'error' ? reply.code : reply.type);
  }
  assert.deepEqual(codes, [...Array(ORACLE_BUDGET.count).fill('ranked'), 'BUDGET']);
});

test("the vault picks each slot's variant from its profile and answers the index only", async () => {
  const { ask } = await vaultWith({ order: [], scores: [], reasons: {} });
  const slots = [
    { variants: [['general'], ['bags', 'wallets'], ['hats']], fallback: 0 },
    { variants: [['toys']], fallback: 0 },
  ];
  const [empty] = await ask({ id: 1, type: 'slots', slots });
  assert.deepEqual(empty, { v: 1, id: 1, type: 'chosen', choices: [null, null], history: 0 });
  await ask({ id: 2, type: 'append', records: [{ kind: EventKind.view, t: Date.now(), item: 'a', category: 'bags' }] });
  const [reply] = await ask({ id: 3, type: 'slots', slots });
  assert.deepEqual(reply, { v: 1, id: 3, type: 'chosen', choices: [1, 0], history: 1 });
  const [bad] = await ask({ id: 4, type: 'slots', slots: [] });
  assert.equal(bad.code, 'BAD_REQUEST');
});

test('with explainTop, the vault keeps the reasons under a ticket and tells them only on its own channel', async () => {
  const { ask, ranked, stop } = await vaultWith(
    { order: ['b', 'a'], scores: [2, 1], reasons: { b: { text: 'secret', factors: [] } } },
    { BroadcastChannel }
  );
  await ask({ id: 1, type: 'append', records: [{ kind: EventKind.view, t: Date.now(), item: 'b' }] });
  const [reply] = await ask({
    id: 2,
    type: 'rank',
    candidates: [{ id: 'a' }, { id: 'b' }],
    nowMs: Date.now(),
    explainTop: 1e6,
  });
  assert.equal(ranked[0].explainTop, ORDER_SHOWN, 'bounded: reasons for what is shown moved, at most');
  assert.deepEqual(Object.keys(reply).sort(), ['history', 'id', 'order', 'ticket', 'type', 'v']);
  assert.match(reply.ticket, /^[0-9a-f]{16}$/);
  const frame = new BroadcastChannel(WHY_CHANNEL); // what why.html does, on the vault's origin
  const answer = (message) =>
    new Promise((resolve) => {
      frame.onmessage = (event) => resolve(event.data);
      setTimeout(() => resolve('no answer'), 300);
      frame.postMessage(message);
    });
  try {
    assert.deepEqual(await answer({ type: 'why-ask', ticket: reply.ticket, item: 'b' }), {
      type: 'why-answer',
      ticket: reply.ticket,
      item: 'b',
      reason: { text: 'secret', factors: [] },
    });
    assert.deepEqual(await answer({ type: 'why-ask', ticket: reply.ticket, item: 'a' }), {
      type: 'why-answer',
      ticket: reply.ticket,
      item: 'a',
      reason: null,
    });
    assert.equal(
      await answer({ type: 'why-ask', ticket: 'f'.repeat(16), item: 'b' }),
      'no answer',
      'a ticket it does not hold'
    );
    await ask({ id: 3, type: 'erase' });
    assert.equal(
      await answer({ type: 'why-ask', ticket: reply.ticket, item: 'b' }),
      'no answer',
      'erasing drops the reasons'
    );
  } finally {
    frame.close();
    stop();
  }
});

test("before consent the vault opens nothing and keeps nothing; Vitrine's prompt or the page's consent manager starts it", async () => {
  const opened = [];
  const { sent, ask, win } = await vaultWith(
    { order: ['a'], scores: [1], reasons: {} },
    {
      openStore: (options) => {
        opened.push(options.name);
        return openStore({ ...options, indexedDB: null, BroadcastChannel: null });
      },
    },
    { consent: 'required' }
  );
  assert.deepEqual(sent, [{ type: 'hello', v: 1, optedOut: false, storage: 'none', consent: 'ask' }]);
  const record = { kind: EventKind.view, t: Date.now(), item: 'a' };
  for (const message of [
    { type: 'append', records: [record] },
    { type: 'rank', candidates: [{ id: 'a' }] },
    { type: 'slots', slots: [] },
  ]) {
    const [reply] = await ask({ id: 1, ...message });
    assert.equal(reply.code, 'CONSENT', message.type);
  }
  const [claimed] = await ask({ id: 2, type: 'consent', basis: 'prompt' });
  assert.equal(claimed.code, 'BAD_REQUEST', 'the page cannot say the shopper answered the prompt');
  assert.equal((await ask({ id: 3, type: 'erase' }))[0].type, 'erased', 'erasing needs no consent');
  assert.deepEqual(opened, [], 'no store was opened');
  // The shopper says yes in Vitrine's prompt (another frame of the vault's origin writes the answer).
  win.localStorage.setItem('vitrine.consent', 'granted');
  win.listeners.get('storage')({ key: 'vitrine.consent', newValue: 'granted' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(sent.at(-1), { type: 'notice', what: 'consent-granted' });
  assert.deepEqual((await ask({ id: 4, type: 'append', records: [record] }))[0], {
    v: 1,
    id: 4,
    type: 'appended',
    stored: 1,
  });
  assert.equal(opened.length, 1);

  // A page whose consent manager granted consent says so; the vault then opens its store for it.
  const second = await vaultWith({ order: ['a'], scores: [1], reasons: {} }, {}, { consent: 'required' });
  assert.equal(second.sent[0].consent, 'ask');
  assert.deepEqual((await second.ask({ id: 1, type: 'consent', basis: 'signal' }))[0], {
    v: 1,
    id: 1,
    type: 'consent',
    storage: 'memory',
  });
  assert.equal((await second.ask({ id: 2, type: 'append', records: [record] }))[0].type, 'appended');
  // An answer kept from an earlier visit: the hello says granted at once; a refusal is said, and nothing opens.
  const win3 = fakeWindow();
  win3.localStorage.setItem('vitrine.consent', 'refused');
  const port = { postMessage: (m) => port.sent.push(m), sent: [] };
  await serveVault(
    port,
    { model: 'x', consent: 'required' },
    { win: win3, openStore: () => assert.fail('opened'), makeRankingClient: () => null }
  );
  assert.deepEqual(port.sent, [{ type: 'hello', v: 1, optedOut: false, storage: 'none', consent: 'refused' }]);
});

test("the vault answers the leading items of an order only: the rest of a long crafted listing stays the shop's", async () => {
  const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
  const { ask, stop } = await vaultWith({ order: [...ids].reverse(), scores: ids.map((_, i) => i), reasons: {} });
  await ask({ id: 1, type: 'append', records: [{ kind: EventKind.view, t: Date.now(), item: 'c1' }] });
  const [reply] = await ask({ id: 2, type: 'rank', candidates: ids.map((id) => ({ id })), nowMs: Date.now() });
  assert.deepEqual(reply.order, [...ids].reverse().slice(0, ORDER_SHOWN));
  assert.ok(
    ORDER_SHOWN >= 12 && ORDER_SHOWN <= 48,
    'enough for the first screens of a listing, far short of a whole one'
  );
  stop();
});
