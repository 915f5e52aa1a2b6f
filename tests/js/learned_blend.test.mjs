// The weight of the shop's order is learned from a log's impressions with positions (models/train/blend_fit.h),
// stored in the model file (config.blend) and used by the engine for a listing that sets none. End to end: a
// generated shop log -> `vitrine train --events` (native build) -> the wasm engine.
//
// The shop: 3 categories of 30 products, 4 brands. Each visitor likes one brand. A visit views one product of a
// category, then is shown that category's listing three times and each time opens one product, with weight
//   exp(1.5 * [its brand is the liked one] + relevance * [the shop's order knows it] - 0.7 * ln(1 + place shown))
// where relevance is drawn anew for every listing shown: what a shop knows and its logs do not (today's offers, a
// query's relevance), so no model trained on the log can learn it. In an "informed" shop the listing is sorted by
// it, so its order carries what shoppers want; in a "blind" shop the order is fixed and carries nothing, and only the
// attention a high place gets favours its top. The blind shop shows 40% of its listings shuffled (a sort option),
// logging the shop's own place beside the place shown.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { SEARCH_BLEND } from '../../js/src/dom.mjs';
import { mulberry32 } from '../../tools/random.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { repoRoot } from '../support/paths.mjs';
import { runVitrine } from '../support/test_model.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-blend-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CATEGORIES = 3;
const PER_CATEGORY = 30;
const BRANDS = 4;

function normal(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function pick(random, weights) {
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; ++i) if ((r -= weights[i]) <= 0) return i;
  return weights.length - 1;
}

/** The log's CSV text. withPositions false drops the position columns (an export without them). */
function shopLog({ informed, shuffled, withPositions = true, visitors = 500, seed = 5 }) {
  const random = mulberry32(seed);
  const products = [];
  for (let c = 0; c < CATEGORIES; ++c)
    for (let k = 0; k < PER_CATEGORY; ++k)
      products.push({ id: `p-${c}-${k}`, category: `cat-${c}`, brand: `brand-${k % BRANDS}` });
  const categories = Array.from({ length: CATEGORIES }, (_, c) => products.filter((p) => p.category === `cat-${c}`));
  const header = withPositions
    ? 'timestamp,visitor_id,session_id,item_id,event,category,brand,position,shop_position'
    : 'timestamp,visitor_id,session_id,item_id,event,category,brand';
  const rows = [header];
  const row = (t, v, s, p, event, shown = '', shop = '') =>
    rows.push([t, v, s, p.id, event, p.category, p.brand, ...(withPositions ? [shown, shop] : [])].join(','));
  const start = Date.UTC(2026, 0, 5, 8);
  for (let v = 0; v < visitors; ++v) {
    const liked = `brand-${Math.floor(random() * BRANDS)}`;
    for (let visit = 0; visit < 3; ++visit) {
      let t = start + visit * 2 * 86_400_000 + v * 61_000;
      const session = `s-${v}-${visit}`;
      const category = categories[Math.floor(random() * CATEGORIES)];
      const likedHere = category.filter((p) => p.brand === liked);
      row((t += 1000), `v-${v}`, session, likedHere[Math.floor(random() * likedHere.length)], 'view');
      for (let l = 0; l < 3; ++l) {
        // The listing in the shop's order: by this showing's relevance in the informed shop.
        const relevance = new Map(category.map((p) => [p, informed ? normal(random) : 0]));
        const listing = informed ? category.slice().sort((a, b) => relevance.get(b) - relevance.get(a)) : category;
        const shown = listing.slice();
        if (random() < shuffled) {
          for (let i = shown.length - 1; i > 0; --i) {
            const j = Math.floor(random() * (i + 1));
            [shown[i], shown[j]] = [shown[j], shown[i]];
          }
        }
        t += 5000;
        shown.forEach((p, place) => row(t, `v-${v}`, session, p, 'impression', place + 1, listing.indexOf(p) + 1));
        const weights = shown.map(
          (p, place) => Math.exp((p.brand === liked ? 1.5 : 0) + relevance.get(p)) * (1 + place) ** -0.7
        );
        row((t += 4000), `v-${v}`, session, shown[pick(random, weights)], 'view');
      }
    }
  }
  return rows.join('\n') + '\n';
}

function train(name, csv) {
  const log = path.join(dir, `${name}.csv`);
  const model = path.join(dir, `${name}.vtm`);
  writeFileSync(log, csv);
  const run = runVitrine('train', '--events', log, '--out', model, '--epochs', '3', '--dim', '16', '--batch', '64');
  assert.equal(run.status, 0, run.stderr);
  return { bytes: readFileSync(model), stderr: run.stderr };
}

async function withModel(bytes, fn) {
  const engine = await createNodeEngine();
  try {
    return fn(engine, engine.loadModel(bytes));
  } finally {
    engine.release();
  }
}

const informed = train('informed', shopLog({ informed: true, shuffled: 0 }));
const blind = train('blind', shopLog({ informed: false, shuffled: 0.4 }));

test('an informed shop\u2019s log teaches a weight for its order, and the engine ranks with it by default', async () => {
  assert.match(informed.stderr, /weight of the shop's order [\d.]+, learned from \d+ lists/);
  // Its listings fill the encoder's window (30 impressions a page, a window of 20): trained both ways, the held-out
  // clicks chose the encoder that does not read them.
  assert.match(informed.stderr, /the held-out lists decide whether the encoder reads impressions/);
  const choice = /the encoder (reads|does not read) impressions \(.*: (-?[\d.]+) with them, (-?[\d.]+) without\)/.exec(
    informed.stderr
  );
  assert.ok(choice, informed.stderr);
  assert.equal(choice[1], 'does not read');
  assert.ok(Number(choice[3]) > Number(choice[2]));
  await withModel(informed.bytes, (engine, info) => {
    const fit = info.training.blend;
    assert.equal(info.training.impression_inputs, false, 'the model written is the one chosen');
    assert.equal(fit.fitted, true, JSON.stringify(fit));
    assert.ok(info.blend > 0.3 && info.blend <= SEARCH_BLEND, `learned ${info.blend}`);
    assert.equal(info.blend, Math.fround(fit.blend));
    // The learned order places the opened products higher than the shopper's terms alone did.
    assert.ok(fit.click_mrr.learned > fit.click_mrr.personal_only, JSON.stringify(fit.click_mrr));
    const nowMs = Date.UTC(2026, 2, 1);
    const events = [{ kind: 0, item: 'p-0-1', category: 'cat-0', brand: 'brand-1', t: nowMs - 60_000 }];
    const candidates = Array.from({ length: PER_CATEGORY }, (_, k) => ({
      id: `p-0-${k}`,
      category: 'cat-0',
      brand: `brand-${k % BRANDS}`,
      position: k,
    }));
    const scores = (blend) =>
      Array.from(
        engine.rank({ events, candidates, nowMs, ...(blend === undefined ? {} : { blend }) }, { explain: false }).scores
      );
    assert.deepEqual(scores(undefined), scores(info.blend), 'a request without a blend uses the model\u2019s');
    assert.notDeepEqual(scores(undefined), scores(1), 'and not the fixed default');
  });
});

test('a blind shop shown in other orders learns a smaller weight: the attention a place gets is told apart', async () => {
  const informedBlend = await withModel(informed.bytes, (engine, info) => info.blend);
  await withModel(blind.bytes, (engine, info) => {
    const fit = info.training.blend;
    assert.ok(fit.lists_shown_in_another_order > 0);
    assert.ok(fit.c.value > 0, `attention ${fit.c.value}`);
    // On the lists shown in another order, where the place shown favours no order, the learned weight places the
    // opened product at least as high as the fixed default does.
    assert.equal(fit.click_mrr.lists, 'shown in another order');
    assert.ok(fit.click_mrr.learned >= fit.click_mrr.default, JSON.stringify(fit.click_mrr));
    const learned = fit.fitted ? info.blend : 0;
    assert.ok(learned < 0.5 * informedBlend, `blind ${learned} vs informed ${informedBlend}`);
  });
});

test('a log without positions keeps the default and says why', async () => {
  const plain = train('plain', shopLog({ informed: true, shuffled: 0, withPositions: false, visitors: 200 }));
  assert.match(plain.stderr, /weight of the shop's order left at 1: fewer than 200 lists/);
  await withModel(plain.bytes, (engine, info) => {
    assert.equal(info.blend, 1);
    assert.equal(info.training.blend.fitted, false);
    assert.equal(info.training.blend.choices, 0);
  });
});

test('SEARCH_BLEND is the cap of a learned weight (blend_fit.h kSearchPageBlend)', () => {
  const header = readFileSync(path.join(repoRoot, 'models/train/blend_fit.h'), 'utf8');
  assert.equal(Number(/kSearchPageBlend = ([\d.]+)f;/.exec(header)[1]), SEARCH_BLEND);
});
