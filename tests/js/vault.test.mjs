// The vault's rules without a browser (js/src/vault.mjs): which pages may use it, the budget of rankings, and what
// a request gets back. The frame itself, its origin and a third-party tag are tests/browser/vault.browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { sameShop, spendOracleBudget, serveVault, ORACLE_BUDGET } from '../../js/src/vault.mjs';
import { openStore } from '../../js/src/storage.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';

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
    addEventListener() {},
    removeEventListener() {},
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
async function vaultWith(rankReply) {
  const sent = [];
  const port = { postMessage: (m) => sent.push(m), onmessage: null };
  const ranked = [];
  const win = fakeWindow();
  await serveVault(port, { model: 'https://vitrine.shop.example/m.vtm' }, {
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
  });
  const ask = async (message) => {
    const before = sent.length;
    await port.onmessage({ data: { v: 1, ...message } });
    return sent.slice(before);
  };
  return { sent, ask, ranked };
}

test('the vault stores valid records, ranks with its own history, and answers the order only', async () => {
  const { sent, ask, ranked } = await vaultWith({ order: ['b', 'a'], scores: [2, 1], reasons: { b: { text: 'secret' } } });
  assert.deepEqual(sent, [{ type: 'hello', v: 1, optedOut: false, storage: 'memory' }]);
  assert.deepEqual(await ask({ id: 1, type: 'rank', candidates: [{ id: 'a' }, { id: 'b' }], nowMs: Date.now() }),
    [{ v: 1, id: 1, type: 'ranked', order: [], history: 0 }], 'no history: nothing ranked');
  const now = Date.now();
  const [stored] = await ask({ id: 2, type: 'append', records: [
    { kind: EventKind.view, t: now - 1000, item: 'b' },
    { kind: EventKind.view, t: now + 3_600_000, item: 'future' }, // refused: dated an hour ahead
    { kind: 99, t: now, item: 'x' }, // refused: no such kind
  ] });
  assert.deepEqual(stored, { v: 1, id: 2, type: 'appended', stored: 1 });
  const [reply] = await ask({ id: 3, type: 'rank', candidates: [{ id: 'a' }, { id: 'b' }], nowMs: now, events: [{ kind: 0, t: now, item: 'forged' }] });
  assert.deepEqual(reply, { v: 1, id: 3, type: 'ranked', order: ['b', 'a'], history: 1 });
  assert.deepEqual(ranked[0].events.map((e) => e.item), ['b'], 'the events a page sends are ignored');
  assert.equal(ranked[0].explainTop, 0);
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

test('the vault picks each slot\'s variant from its profile and answers the index only', async () => {
  const { ask } = await vaultWith({ order: [], scores: [], reasons: {} });
  const slots = [{ variants: [['general'], ['bags', 'wallets'], ['hats']], fallback: 0 }, { variants: [['toys']], fallback: 0 }];
  const [empty] = await ask({ id: 1, type: 'slots', slots });
  assert.deepEqual(empty, { v: 1, id: 1, type: 'chosen', choices: [null, null], history: 0 });
  await ask({ id: 2, type: 'append', records: [{ kind: EventKind.view, t: Date.now(), item: 'a', category: 'bags' }] });
  const [reply] = await ask({ id: 3, type: 'slots', slots });
  assert.deepEqual(reply, { v: 1, id: 3, type: 'chosen', choices: [1, 0], history: 1 });
  const [bad] = await ask({ id: 4, type: 'slots', slots: [] });
  assert.equal(bad.code, 'BAD_REQUEST');
});
