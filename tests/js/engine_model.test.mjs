// The trained model in the wasm engine under Node: load, rank with explanations, top-K, profile, and refusal of
// damaged model files (the previous model stays loaded).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { VitrineError, Status } from '../../js/src/status.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { tinyModel } from '../support/test_model.mjs';

const now = Date.UTC(2026, 10, 29, 12);
const view = (item, minutesAgo, extra = {}) => ({
  kind: 0,
  item,
  t: now - minutesAgo * 60_000,
  dwellMs: 6000,
  ...extra,
});

test('a trained model loads and describes itself', async () => {
  const engine = await createNodeEngine();
  try {
    const info = engine.loadModel(tinyModel().bytes);
    assert.equal(info.kind, 'session_attn');
    assert.equal(info.dim, 16);
    assert.deepEqual(info.content, ['category', 'brand', 'price']);
    assert.equal(info.training.epochs, 6);
    assert.equal(engine.vocabulary()[0], 'sku-1');
  } finally {
    engine.release();
  }
});

test('the model ranks the next item of a learned walk first among the candidates', async () => {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(tinyModel().bytes);
    // Category 2 holds items 41..60; sessions mostly walk i -> i+1.
    const events = [
      view('sku-43', 3, { category: 'category-2' }),
      view('sku-44', 2, { category: 'category-2' }),
      view('sku-45', 1, { category: 'category-2' }),
    ];
    const candidates = ['sku-120', 'sku-7', 'sku-46', 'sku-190', 'unknown-product'].map((id) => ({ id }));
    const { scores, reasons } = engine.rank({ events, candidates, nowMs: now });
    assert.equal(scores.length, 5);
    const best = candidates[scores.indexOf(Math.max(...scores))].id;
    assert.equal(best, 'sku-46');
    assert.equal(reasons.length, 5);
    // The text follows the order the scores give: sku-46 goes from third to first; whatever it passed moved down.
    assert.match(reasons[2].text, /^Moved up 2 places because/);
    assert.ok(reasons[2].factors.some((f) => f.kind === 'session'));
    const rankOf = (i) => scores.filter((s, j) => s > scores[i] || (s === scores[i] && j < i)).length;
    candidates.forEach((c, i) => {
      if (rankOf(i) >= i)
        assert.doesNotMatch(reasons[i].text, /moved up/i, `${c.id} at ${i} -> ${rankOf(i)}: ${reasons[i].text}`);
    });
    const top = engine.topK({ events, nowMs: now, k: 5 });
    assert.equal(top.ids.length, 5);
    // Over the whole catalog the tiny model must at least stay inside the session's category (items 41..60).
    for (const id of top.ids) {
      const n = Number(id.slice(4));
      assert.ok(n >= 41 && n <= 60, `top 5 leaves the category: ${top.ids}`);
    }
    for (let i = 1; i < 5; ++i) assert.ok(top.scores[i - 1] >= top.scores[i]);
  } finally {
    engine.release();
  }
});

test('a product just bought is not pushed to the top: it follows the products not bought, and the text says why', async () => {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(tinyModel().bytes);
    const walk = [
      view('sku-43', 4, { category: 'category-2' }),
      view('sku-44', 3, { category: 'category-2' }),
      view('sku-45', 2, { category: 'category-2' }),
      view('sku-46', 1, { category: 'category-2' }),
    ];
    const candidates = ['sku-7', 'sku-46', 'sku-47', 'sku-120'].map((id) => ({
      id,
      category: id === 'sku-7' ? 'category-0' : 'category-2',
    }));
    const before = engine.rank({ events: walk, candidates, nowMs: now });
    const rankOf = (scores, i) => scores.filter((s, j) => s > scores[i] || (s === scores[i] && j < i)).length;
    assert.ok(rankOf(before.scores, 1) < 3, 'viewed last, sku-46 ranks above something before it is bought');
    const purchase = { kind: 3, item: 'sku-46', category: 'category-2', t: now - 30_000, qty: 1 };
    const after = engine.rank({ events: [...walk, purchase], candidates, nowMs: now });
    assert.equal(rankOf(after.scores, 1), 3, 'bought: after every product not bought');
    assert.equal(after.reasons[1].factors[0].kind, 'bought');
    assert.match(after.reasons[1].text, /you bought it already/);
    assert.equal(rankOf(after.scores, 2), 0, 'the next step of the walk, not bought, leads');
    for (const i of [0, 2, 3]) assert.doesNotMatch(after.reasons[i].text, /bought/);
  } finally {
    engine.release();
  }
});

test('the profile reflects category interest; slots get categoryAffinity', async () => {
  const engine = await createNodeEngine();
  try {
    const profile = engine.profile({
      nowMs: now,
      events: [
        view('sku-3', 5, { category: 'shoes', price: 40 }),
        view('sku-4', 4, { category: 'shoes', price: 45 }),
        { kind: 2, item: 'sku-9', t: now - 60_000, category: 'bags', price: 80 },
      ],
    });
    assert.equal(profile.session.events, 3);
    assert.equal(profile.session.stage, 'buying');
    assert.ok(profile.categoryAffinity.bags > profile.categoryAffinity.shoes, 'a cart add outweighs two views');
    assert.ok(profile.price.typical > 40 && profile.price.typical < 80);
  } finally {
    engine.release();
  }
});

test('damaged model files are refused with a named error and the previous model stays', async () => {
  const engine = await createNodeEngine();
  try {
    const good = tinyModel().bytes;
    engine.loadModel(good);
    const truncated = good.subarray(0, good.length - 100);
    assert.throws(
      () => engine.loadModel(truncated),
      (e) => e instanceof VitrineError && e.status === Status.MODEL_TRUNCATED
    );
    const flipped = Uint8Array.from(good);
    flipped[Math.floor(flipped.length / 2)] ^= 0x10;
    assert.throws(
      () => engine.loadModel(flipped),
      (e) => e.status === Status.MODEL_CORRUPT && /checksum/i.test(e.message)
    );
    const version = Uint8Array.from(good);
    version[8] = 99;
    assert.throws(
      () => engine.loadModel(version),
      (e) => e.status === Status.MODEL_VERSION || e.status === Status.MODEL_CORRUPT
    );
    // The page's data-max-model-bytes reaches the engine's own limits.
    assert.throws(
      () => engine.loadModel(good, { maxBytes: good.length - 1 }),
      (e) => e.status === Status.LIMIT_EXCEEDED && e.message.includes(String(good.length - 1))
    );
    // Still the good model.
    assert.equal(engine.modelInfo().kind, 'session_attn');
    const { scores } = engine.rank({ events: [view('sku-1', 1)], candidates: [{ id: 'sku-2' }], nowMs: now });
    assert.equal(scores.length, 1);
    assert.ok(Number.isFinite(scores[0]));
  } finally {
    engine.release();
  }
});

test('rank before a model is loaded and malformed requests fail cleanly', async () => {
  const engine = await createNodeEngine();
  try {
    assert.throws(
      () => engine.rank({ events: [], candidates: [{ id: 'a' }], nowMs: now }),
      (e) => e.status === Status.NO_MODEL
    );
    engine.loadModel(tinyModel().bytes);
    assert.throws(
      () => engine.rank({ events: [{ kind: 42, t: now }], candidates: [{ id: 'a' }], nowMs: now }),
      (e) => e.status === Status.BAD_INPUT && /events\[0\]\.kind/.test(e.message)
    );
  } finally {
    engine.release();
  }
});
