// The conversion head end to end: `vitrine train --events` on a generated log where some products are carted and
// bought far more often after a view than others (conversion_models.mjs), loaded in the wasm engine under Node.
// rank() returns each candidate's cart and purchase probability; rankBy 'conversion' orders by the purchase
// probability and 'value' by probability x price; a model trained on views only has no head and refuses both, and
// the ranking service then ranks by relevance. Needs the native build (the CLI) and the wasm build.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { VitrineError, Status } from '../../js/src/status.mjs';
import { createRankingService, orderByScore, PROTOCOL_VERSION } from '../../js/src/ranking_service.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { HOT, MID, COLD, conversionModels } from './conversion_models.mjs';

const now = Date.UTC(2026, 5, 1, 12);
// This visit: the shopper looked at each candidate once, a few minutes ago.
const CANDIDATES = ['cold-1', 'hot-1', 'mid-1', 'cold-2', 'hot-2', 'mid-2', 'hot-3', 'cold-3'];
const events = CANDIDATES.map((item, i) => ({
  kind: 0,
  item,
  t: now - (CANDIDATES.length - i) * 60_000,
  dwellMs: 8000,
}));
const candidates = CANDIDATES.map((id) => ({ id }));

let models;
before(() => {
  models = conversionModels();
});

async function withModel(bytes, fn) {
  const engine = await createNodeEngine();
  try {
    const info = engine.loadModel(bytes);
    return await fn(engine, info);
  } finally {
    engine.release();
  }
}

const group = (id) => (HOT.includes(id) ? 'hot' : MID.includes(id) ? 'mid' : COLD.includes(id) ? 'cold' : null);

test('a model trained on carts and purchases predicts both, and the products bought more often get the higher chance', async () => {
  await withModel(models.both.bytes, (engine, info) => {
    assert.deepEqual(info.conversion, { cart: true, purchase: true });
    assert.deepEqual(engine.modelInfo().conversion, { cart: true, purchase: true });
    const { scores, conversion, reasons } = engine.rank({ events, candidates, nowMs: now, blend: 0 });
    assert.ok(conversion, 'rank returns the probabilities');
    assert.ok(conversion.cart instanceof Float32Array && conversion.purchase instanceof Float32Array);
    assert.equal(conversion.cart.length, CANDIDATES.length);
    assert.equal(conversion.purchase.length, CANDIDATES.length);
    for (const p of [...conversion.cart, ...conversion.purchase]) assert.ok(p > 0 && p < 1, `probability ${p}`);
    const purchase = (g) =>
      CANDIDATES.map((id, i) => [id, conversion.purchase[i]])
        .filter(([id]) => group(id) === g)
        .map(([, p]) => p);
    const cart = (g) =>
      CANDIDATES.map((id, i) => [id, conversion.cart[i]])
        .filter(([id]) => group(id) === g)
        .map(([, p]) => p);
    // Every hot product above every cold one (45% vs 2% carted after a view; 27% vs 1.2% bought).
    assert.ok(
      Math.min(...purchase('hot')) > Math.max(...purchase('cold')),
      `purchase hot ${purchase('hot')} cold ${purchase('cold')}`
    );
    assert.ok(Math.min(...cart('hot')) > Math.max(...cart('cold')), `cart hot ${cart('hot')} cold ${cart('cold')}`);
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(
      mean(purchase('hot')) > mean(purchase('mid')) && mean(purchase('mid')) > mean(purchase('cold')),
      `mean purchase hot ${mean(purchase('hot'))} mid ${mean(purchase('mid'))} cold ${mean(purchase('cold'))}`
    );
    // By relevance the probabilities are told, not used: no conversion factor in the reasons.
    assert.equal(scores.length, CANDIDATES.length);
    assert.ok(reasons.every((r) => !r.factors.some((f) => f.kind === 'conversion')));
  });
});

test('rankBy conversion orders the listing by the purchase probability (blend 0), and says the chance', async () => {
  await withModel(models.both.bytes, (engine) => {
    const relevance = engine.rank({ events, candidates, nowMs: now, blend: 0 });
    const { scores, conversion, reasons } = engine.rank({
      events,
      candidates,
      nowMs: now,
      blend: 0,
      rankBy: 'conversion',
    });
    assert.deepEqual(
      Array.from(conversion.purchase),
      Array.from(relevance.conversion.purchase),
      'the same probabilities'
    );
    const byPurchase = [...CANDIDATES.keys()]
      .sort((a, b) => conversion.purchase[b] - conversion.purchase[a])
      .map((i) => CANDIDATES[i]);
    assert.deepEqual(orderByScore(candidates, scores), byPurchase);
    assert.notDeepEqual(orderByScore(candidates, relevance.scores), byPurchase, 'relevance orders otherwise here');
    // The personal score is ln p, stated relative to the listing (one constant for all its candidates): nothing else
    // is added with blend 0, no boost and nothing bought.
    const shift = scores[0] - Math.log(conversion.purchase[0]);
    scores.forEach((s, i) =>
      assert.ok(
        Math.abs(s - Math.log(conversion.purchase[i]) - shift) < 1e-3,
        `${CANDIDATES[i]}: score ${s}, ln p ${Math.log(conversion.purchase[i])}, listing shift ${shift}`
      )
    );
    const factors = reasons.map((r) => r.factors.find((x) => x.kind === 'conversion'));
    reasons.forEach((r, i) => {
      const f = factors[i];
      assert.ok(f, `${r.id}: ${JSON.stringify(r.factors)}`);
      assert.ok(Math.abs(f.probability - conversion.purchase[i]) < 1e-4, `${r.id}: ${f.probability}`);
      // The term is ln p (the engine may state it relative to the listing: compared with the first candidate's).
      assert.ok(
        Math.abs(f.contribution - factors[0].contribution - Math.log(conversion.purchase[i] / conversion.purchase[0])) <
          1e-3,
        `${r.id}: ${f.contribution}`
      );
      assert.equal(f.events, 0);
      assert.ok(
        r.text.includes(`your chance of buying it this visit is ${Math.round(100 * conversion.purchase[i]) || '<1'}%`),
        r.text
      );
    });
    // The shop's order still weighs in: with a large blend the shop's first product stays first.
    const shop = candidates.map((c, position) => ({ ...c, position }));
    const blended = engine.rank(
      { events, candidates: shop, nowMs: now, blend: 100, rankBy: 'conversion' },
      { explain: false }
    );
    assert.equal(orderByScore(shop, blended.scores)[0], CANDIDATES[0]);
  });
});

test('rankBy value puts a pricier product before a cheaper one of equal probability, and unpriced ones take the median', async () => {
  await withModel(models.both.bytes, (engine) => {
    // hot-1 twice: the same product in the same visit has the same probability; only the price differs.
    const priced = [
      { id: 'hot-1', price: 10 },
      { id: 'cold-1', price: 40 },
      { id: 'hot-1', price: 100 },
      { id: 'mid-1' },
    ];
    const request = { events, candidates: priced, nowMs: now, blend: 0 };
    const conversion = engine.rank({ ...request, rankBy: 'conversion' }, { explain: false });
    const value = engine.rank({ ...request, rankBy: 'value' });
    assert.equal(value.conversion.purchase[0], value.conversion.purchase[2]);
    assert.equal(conversion.scores[0], conversion.scores[2], 'by conversion the two are level');
    const order = orderByScore(
      priced.map((c, i) => ({ id: i })),
      value.scores
    );
    assert.ok(order.indexOf(2) < order.indexOf(0), `the 100 one before the 10 one: ${order}`);
    // value = conversion + ln price (up to one constant for the listing); mid-1 has none and takes the median of 10,
    // 40 and 100.
    const shift = value.scores[0] - conversion.scores[0] - Math.log(10);
    [10, 40, 100, 40].forEach((price, i) =>
      assert.ok(
        Math.abs(value.scores[i] - conversion.scores[i] - Math.log(price) - shift) < 1e-3,
        `${priced[i].id} at ${price}: value ${value.scores[i]}, conversion ${conversion.scores[i]}, listing shift ${shift}`
      )
    );
    assert.ok(value.reasons.every((r) => r.factors.some((f) => f.kind === 'conversion')));
    // No candidate priced: no price term at all.
    const unpriced = CANDIDATES.map((id) => ({ id }));
    const plain = engine.rank(
      { events, candidates: unpriced, nowMs: now, blend: 0, rankBy: 'value' },
      { explain: false }
    );
    const byConversion = engine.rank(
      { events, candidates: unpriced, nowMs: now, blend: 0, rankBy: 'conversion' },
      { explain: false }
    );
    plain.scores.forEach((s, i) =>
      assert.ok(Math.abs(s - byConversion.scores[i]) < 1e-5, `${CANDIDATES[i]}: ${s} vs ${byConversion.scores[i]}`)
    );
  });
});

test('a model trained on carts only ranks by the cart probability and says so', async () => {
  await withModel(models.cartOnly.bytes, (engine, info) => {
    assert.deepEqual(info.conversion, { cart: true, purchase: false });
    const { scores, conversion, reasons } = engine.rank({
      events,
      candidates,
      nowMs: now,
      blend: 0,
      rankBy: 'conversion',
    });
    assert.ok(
      conversion.purchase.every((p) => Number.isNaN(p)),
      'no purchase output'
    );
    for (const p of conversion.cart) assert.ok(p > 0 && p < 1, `cart probability ${p}`);
    const byCart = [...CANDIDATES.keys()]
      .sort((a, b) => conversion.cart[b] - conversion.cart[a])
      .map((i) => CANDIDATES[i]);
    assert.deepEqual(orderByScore(candidates, scores), byCart);
    for (const r of reasons) assert.match(r.text, /your chance of adding it to your cart this visit is/, r.text);
  });
});

test('a model trained on views only has no conversion head: rank says null, and conversion or value is refused', async () => {
  await withModel(models.viewsOnly.bytes, (engine, info) => {
    assert.deepEqual(info.conversion, { cart: false, purchase: false });
    const { scores, conversion } = engine.rank({ events, candidates, nowMs: now, blend: 0 });
    assert.equal(conversion, null);
    assert.equal(scores.length, CANDIDATES.length);
    for (const rankBy of ['conversion', 'value']) {
      for (const explain of [true, false]) {
        assert.throws(
          () => engine.rank({ events, candidates, nowMs: now, rankBy }, { explain }),
          (e) => e instanceof VitrineError && e.status === Status.BAD_INPUT,
          `${rankBy}, explain ${explain}`
        );
      }
    }
    // The engine is still usable after the refusal, and rank_by relevance is accepted as such.
    const again = engine.rank({ events, candidates, nowMs: now, blend: 0, rankBy: 'relevance' }, { explain: false });
    assert.deepEqual(
      Array.from(again.scores),
      Array.from(engine.rank({ events, candidates, nowMs: now, blend: 0 }, { explain: false }).scores)
    );
  });
});

test('the ranking service ranks by conversion where the model can, and by relevance (saying so) where it cannot', async () => {
  const request = {
    v: PROTOCOL_VERSION,
    id: 1,
    type: 'rank',
    modelUrl: 'http://127.0.0.1/m.vtm',
    nowMs: now,
    events,
    candidates,
    blend: 0,
    rankBy: 'conversion',
  };
  for (const [name, expected] of [
    ['both', 'conversion'],
    ['viewsOnly', 'relevance'],
  ]) {
    const engine = await createNodeEngine();
    const bytes = models[name].bytes;
    try {
      const reply = await createRankingService({
        createEngine: async () => engine,
        fetchBytes: async () => bytes,
      }).handle(request);
      assert.equal(reply.type, 'ranked', `${name}: ${reply.message}`);
      assert.equal(reply.rankBy, expected, name);
      const direct = engine.rank({
        events,
        candidates,
        nowMs: now,
        blend: 0,
        ...(expected === 'relevance' ? {} : { rankBy: expected }),
      });
      assert.deepEqual(reply.order, orderByScore(candidates, direct.scores), name);
    } finally {
      engine.release();
    }
  }
});
