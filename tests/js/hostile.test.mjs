// Hostile content through the worker's ranking service with the real wasm engine and a real trained model: ids,
// attributes and stored events carrying markup, odd unicode, huge strings and absurd prices. Every request is
// answered (ranked, or refused with a clear error code, never thrown); replies only ever name the page's own ids and
// carry explanations as plain text.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createRankingService, ErrorCode } from '../../js/src/ranking_service.mjs';
import { toRecord } from '../../js/src/events.mjs';
import { readCandidates } from '../../js/src/dom.mjs';
import { FakeDocument } from './fake_dom.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { tinyModel } from '../support/test_model.mjs';

const XSS = '<img src=x onerror=alert(1)>';
const HUGE = 'x'.repeat(1 << 20);
const STRINGS = [
  XSS,
  '<script>alert(1)</script>',
  '\u202esku-1\u200b',
  '\u200d',
  'e\u0301',
  '𝕍',
  '"\\',
  HUGE,
  '\ud800',
];
const PRICES = [NaN, -1, -Infinity, Infinity, 1e308, 0, 3.4e38, '12<b>'];
const NOW = 1733000000000;

test('hostile candidates and events are ranked or cleanly refused; replies hold only page ids and plain text', async () => {
  const bytes = tinyModel().bytes;
  const service = createRankingService({ createEngine: createNodeEngine, fetchBytes: async () => bytes });
  const events = [43, 44, 45].map((n) => ({ kind: 1, t: NOW - n * 1000, item: `sku-${n}`, category: 'category-2' }));
  // What storage would keep of hostile track() calls (events.mjs is the only way in).
  for (const s of STRINGS) {
    const { record } = toRecord({ kind: 'view', item: s, category: s, brand: s, price: 1e308, t: NOW - 5 }, NOW);
    if (record) events.push(record);
  }
  let ranked = 0;
  let cases = 0;
  let refusable = 0;
  for (const s of STRINGS) {
    for (const price of PRICES) {
      const candidates = [
        { id: 'sku-46', category: 'category-2' },
        { id: s, category: s, brand: s, price },
        { id: 'sku-1', category: s, brand: XSS, price },
      ];
      // Over the engine's string limit, or a price that is not a number (the page's DOM reader never sends one):
      // refused as a whole. Everything else ranks; a lone surrogate reaches the engine as U+FFFD (TextEncoder), as
      // storage keeps it (events.mjs).
      const refuse = s === HUGE || typeof price === 'string';
      refusable += refuse ? 1 : 0;
      const reply = await service.handle({
        v: 1,
        id: ++cases,
        type: 'rank',
        modelUrl: 'm',
        nowMs: NOW,
        events,
        candidates,
      });
      assert.equal(reply.id, cases);
      if (reply.type === 'error') {
        assert.ok(refuse, `${JSON.stringify(s).slice(0, 40)} ${price}: ${reply.message}`);
        assert.ok([ErrorCode.ENGINE, ErrorCode.BAD_REQUEST].includes(reply.code), JSON.stringify(reply).slice(0, 200));
        assert.match(reply.message, /LIMIT_EXCEEDED|BAD_INPUT/);
        continue;
      }
      ++ranked;
      assert.equal(reply.type, 'ranked');
      assert.deepEqual([...reply.order].sort(), candidates.map((c) => c.id).sort());
      for (const [id, reason] of Object.entries(reply.reasons)) {
        assert.ok(candidates.some((c) => c.id === id));
        assert.equal(typeof reason.text, 'string');
        assert.ok(reason.text.length <= 280);
      }
    }
  }
  assert.equal(ranked, cases - refusable, `ranked ${ranked} of ${cases}`);
});

test('lone surrogates in the shop markup: broken ids stay in place, cut attributes are repaired, the listing ranks', async () => {
  const doc = new FakeDocument();
  const pair = '\ud835\udd4d'; // one character, two UTF-16 units
  const list = doc.el(
    'div',
    { 'data-vitrine-list': '' },
    doc.el('article', { 'data-vitrine-item': 'sku-43', 'data-vitrine-category': 'category-2' }),
    doc.el('article', { 'data-vitrine-item': 'bad\ud800id', 'data-vitrine-category': 'category-2' }),
    doc.el('article', { 'data-vitrine-item': '\udc00' }),
    // 127 ASCII + a pair: the 128-unit cut falls inside the pair.
    doc.el('article', {
      'data-vitrine-item': 'sku-44',
      'data-vitrine-category': 'c'.repeat(127) + pair,
      'data-vitrine-brand': `x\udbffy${pair}`,
    })
  );
  const candidates = readCandidates(list);
  assert.deepEqual(
    candidates.map((c) => c.id),
    ['sku-43', 'sku-44']
  );
  assert.equal(candidates[1].category, 'c'.repeat(127) + '\ufffd');
  assert.equal(candidates[1].brand, `x\ufffdy${pair}`);
  for (const c of candidates)
    for (const value of Object.values(c)) assert.ok(typeof value !== 'string' || value.isWellFormed());

  const bytes = tinyModel().bytes;
  const service = createRankingService({ createEngine: createNodeEngine, fetchBytes: async () => bytes });
  const events = [43, 44].map((n) => ({ kind: 1, t: NOW - n * 1000, item: `sku-${n}`, category: 'category-2' }));
  const reply = await service.handle({ v: 1, id: 1, type: 'rank', modelUrl: 'm', nowMs: NOW, events, candidates });
  assert.equal(reply.type, 'ranked', JSON.stringify(reply).slice(0, 200));
  assert.deepEqual([...reply.order].sort(), ['sku-43', 'sku-44']);
});
