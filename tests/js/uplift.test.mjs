// The offline uplift test (tools/uplift.mjs): its confidence intervals against cases whose answer is known by
// construction, its common random numbers, and a run end to end on a tiny simulated shop with a tiny trained model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildCatalog } from '../../tools/build_demo_catalog.mjs';
import { simulate } from '../../tools/simulate_shoppers.mjs';
import { shopIndex } from '../../tools/demo/shopper_model.mjs';
import { rng } from '../../tools/demo/random.mjs';
import {
  pairedBootstrap,
  shopSessions,
  merchantOrder,
  tasteOrder,
  readHeldout,
  runUplift,
  formatTable,
  METRICS,
} from '../../tools/uplift.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { vitrineCli } from '../support/test_model.mjs';
import { repoRoot, distDir } from '../support/paths.mjs';

const DATASET = '/usr/share/datasets/fashion-mnist';
let tmp, catalog, shop, heldout;

before(() => {
  if (!existsSync(path.join(DATASET, 't10k-images-idx3-ubyte.gz'))) {
    throw new Error(`${DATASET} is missing: tools/setup.sh installs dataset-fashion-mnist`);
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-uplift-test-'));
  catalog = buildCatalog({ out: tmp, products: 400, seed: 2024, dataset: DATASET });
  simulate({ catalog: path.join(tmp, 'catalog.json'), out: tmp, shoppers: 300, heldout: 200, seed: 7 });
  shop = shopIndex(catalog);
  heldout = readHeldout(path.join(tmp, 'heldout.jsonl'), catalog);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const counts = (values) => ({
  sessions: 1,
  impressions: 1,
  clicks: 0,
  views: 0,
  carts: 0,
  purchases: 0,
  revenue: 0,
  ...values,
});

// ------------------------------------------------------------------------------------------ the intervals

test('identical arms: every difference is exactly 0 and its interval has zero width', () => {
  const random = rng(3);
  const units = Array.from({ length: 200 }, () => {
    const arm = counts({
      sessions: 1 + random.int(4),
      impressions: 5 + random.int(10),
      clicks: random.int(5),
      purchases: 1 + random.int(3),
      revenue: 100 * random.next(),
    });
    return { off: arm, on: { ...arm } };
  });
  const result = pairedBootstrap(units, { resamples: 500, seed: 5 });
  for (const m of METRICS) {
    assert.deepEqual(result[m.key].difference, { estimate: 0, lower: 0, upper: 0 }, m.key);
    assert.deepEqual(result[m.key].relative, { estimate: 0, lower: 0, upper: 0 }, m.key);
    assert.deepEqual(result[m.key].on, result[m.key].off, m.key);
    assert.ok(
      result[m.key].off.lower < result[m.key].off.estimate && result[m.key].off.estimate < result[m.key].off.upper,
      `${m.key}: the arm itself varies across resamples`
    );
  }
});

test('a known shift of revenue per session is recovered exactly, a known ratio as relative uplift', () => {
  const random = rng(4);
  const units = Array.from({ length: 150 }, () => {
    const sessions = 1 + random.int(3);
    const revenue = 50 * random.next() * sessions;
    const purchases = 1 + random.int(4);
    return {
      off: counts({ sessions, revenue, purchases }),
      on: counts({ sessions, revenue: revenue + 2.5 * sessions, purchases: 3 * purchases }),
    };
  });
  const result = pairedBootstrap(units, { resamples: 500, seed: 6 });
  const revenue = result.revenuePerSession.difference;
  for (const v of [revenue.estimate, revenue.lower, revenue.upper])
    assert.ok(Math.abs(v - 2.5) < 1e-9, `difference ${v}`);
  const conversion = result.conversion.relative;
  for (const v of [conversion.estimate, conversion.lower, conversion.upper])
    assert.ok(Math.abs(v - 2) < 1e-9, `relative ${v}`);
});

test('with noise, the paired interval covers the true shift and matches the normal approximation', () => {
  const random = rng(8);
  const shift = 0.5;
  const units = Array.from({ length: 400 }, () => {
    const base = 10 + 3 * random.normal();
    return { off: counts({ revenue: base }), on: counts({ revenue: base + shift + random.normal() }) };
  });
  const d = units.map((u) => u.on.revenue - u.off.revenue);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
  const halfWidth = (1.96 * sd) / Math.sqrt(d.length);
  const { difference } = pairedBootstrap(units, { resamples: 2000, seed: 9 }).revenuePerSession;
  assert.ok(Math.abs(difference.estimate - mean) < 1e-9, 'the point estimate is the paired mean difference');
  assert.ok(
    difference.lower < shift && shift < difference.upper,
    `[${difference.lower}, ${difference.upper}] misses ${shift}`
  );
  const width = (difference.upper - difference.lower) / 2;
  assert.ok(
    Math.abs(width / halfWidth - 1) < 0.15,
    `bootstrap half-width ${width} vs normal approximation ${halfWidth}`
  );
  // Pairing matters: the arms alone vary far more than their difference.
  const off = pairedBootstrap(units, { resamples: 2000, seed: 9 }).revenuePerSession.off;
  assert.ok(off.upper - off.lower > 2 * (difference.upper - difference.lower));
});

test('the bootstrap is deterministic for a seed; a ratio with a zero denominator gets no interval', () => {
  const random = rng(10);
  const units = Array.from({ length: 50 }, () => ({
    off: counts({ clicks: random.int(3), revenue: 10 * random.next() }),
    on: counts({ clicks: random.int(3), revenue: 10 * random.next() }),
  }));
  assert.deepEqual(
    pairedBootstrap(units, { resamples: 300, seed: 1 }),
    pairedBootstrap(units, { resamples: 300, seed: 1 })
  );
  assert.notDeepEqual(
    pairedBootstrap(units, { resamples: 300, seed: 1 }).clickThrough.difference,
    pairedBootstrap(units, { resamples: 300, seed: 2 }).clickThrough.difference
  );
  // No purchases in the "off" arm: the relative uplift of conversion is undefined, not Infinity.
  assert.deepEqual(pairedBootstrap(units, { resamples: 300, seed: 1 }).conversion.relative, {
    estimate: null,
    lower: null,
    upper: null,
  });
});

// ------------------------------------------------------------------------------------------ common random numbers

async function arm(orderListing, shoppers = heldout.slice(0, 15), pageSize = 0) {
  const out = [];
  for (const shopper of shoppers) out.push(await shopSessions(shopper, shop, { seed: 11, pageSize, orderListing }));
  return out;
}

test('common random numbers: the same arm replayed twice, or the merchant order from another orderer, is identical', async () => {
  const first = await arm(merchantOrder);
  assert.deepEqual(await arm(merchantOrder), first);
  assert.deepEqual(await arm(async ({ listing }) => listing.slice()), first);
  const all = first.flat();
  assert.ok(
    all.reduce((n, s) => n + s.clicks, 0) > 20 && all.reduce((n, s) => n + s.carts, 0) > 0,
    'the sessions do something'
  );
  // ... while the order of the listing does change what happens, so the equality above is not vacuous.
  assert.notDeepEqual(await arm(async ({ listing }) => listing.slice().reverse()), first);
  // The seed is part of the streams.
  const other = await shopSessions(heldout[0], shop, { seed: 12, pageSize: 0, orderListing: merchantOrder });
  assert.notDeepEqual([other, ...first.slice(1)], first);
});

test('the listing orderer sees the events stored so far, as the package keeps them', async () => {
  let seen = [];
  // The first shopper who sees at least three listings (most leave earlier in this tiny shop).
  for (const shopper of heldout) {
    seen = [];
    await shopSessions(shopper, shop, {
      seed: 11,
      pageSize: 0,
      orderListing: async ({ events, listing, nowMs }) => {
        seen.push({ events, nowMs });
        return listing;
      },
    });
    if (seen.length >= 3) break;
  }
  assert.ok(seen.length >= 3, 'some shopper sees three listings');
  assert.deepEqual(seen[0].events, [], 'nothing is stored before the first listing');
  assert.equal(seen[1].events[0].kind, EventKind.category_visit, 'then the first listing\u2019s visit comes first');
  assert.ok(
    seen.every(({ events, nowMs }) => events.every((e) => e.t <= nowMs)),
    'no event from the future'
  );
  // Every listing sees more stored events than the one before it: the earlier pages' visits, clicks and views.
  seen.slice(1).forEach(({ events }, k) => assert.ok(events.length > seen[k].events.length, `listing ${k + 1}`));
  assert.ok(
    seen.flatMap((s) => s.events).every((e) => Number.isInteger(e.kind) && Number.isSafeInteger(e.t)),
    'stored records'
  );
});

test('the hidden-taste order (tasteOrder: best products for this shopper first) lifts click-through', async () => {
  // By construction: at every listing, putting the higher-utility products where exposure is higher raises the summed
  // weight of opening something against the fixed weight of leaving (rearrangement inequality).
  const units = [];
  for (const shopper of heldout) {
    const sum = (sessions) =>
      Object.fromEntries(Object.keys(sessions[0]).map((k) => [k, sessions.reduce((n, s) => n + s[k], 0)]));
    units.push({
      off: sum(await shopSessions(shopper, shop, { seed: 11, pageSize: 0, orderListing: merchantOrder })),
      on: sum(await shopSessions(shopper, shop, { seed: 11, pageSize: 0, orderListing: tasteOrder(shopper, shop) })),
    });
  }
  const { clickThrough } = pairedBootstrap(units, { resamples: 1000, seed: 3 });
  assert.ok(
    clickThrough.difference.lower > 0,
    `oracle click-through difference ${JSON.stringify(clickThrough.difference)}`
  );
});

// ------------------------------------------------------------------------------------------ input errors

test('a bad held-out line is reported as file:line with the problem', () => {
  const file = path.join(tmp, 'bad-heldout.jsonl');
  const good = readFileSync(path.join(tmp, 'heldout.jsonl'), 'utf8').split('\n')[0];
  writeFileSync(file, `${good}\n{"shopper":"x"\n`);
  assert.throws(
    () => readHeldout(file, catalog),
    (e) => e.message.startsWith(`${file}:2: not a JSON line`)
  );
  const broken = JSON.parse(good);
  broken.taste.brands = {};
  writeFileSync(file, `${good}\n\n${JSON.stringify(broken)}\n`);
  assert.throws(
    () => readHeldout(file, catalog),
    (e) => e.message.startsWith(`${file}:3: taste.brands[`)
  );
  assert.throws(
    () => readHeldout(path.join(tmp, 'missing.jsonl'), catalog),
    /missing\.jsonl: cannot read the held-out shoppers \(ENOENT\)/
  );
});

test('the CLI names a missing or broken model and exits 1 without writing a result', () => {
  const out = path.join(tmp, 'never.json');
  const broken = path.join(tmp, 'broken.vtm');
  writeFileSync(broken, 'not a model');
  const run = (model) => {
    try {
      execFileSync(
        process.execPath,
        [
          path.join(repoRoot, 'tools/uplift.mjs'),
          '--catalog',
          path.join(tmp, 'catalog.json'),
          '--heldout',
          path.join(tmp, 'heldout.jsonl'),
          '--model',
          model,
          '--dist',
          distDir,
          '--out',
          out,
        ],
        { stdio: 'pipe', encoding: 'utf8' }
      );
    } catch (e) {
      return e;
    }
    return null;
  };
  const missing = run(path.join(tmp, 'no-model.vtm'));
  assert.equal(missing?.status, 1);
  assert.match(missing.stderr, /no-model\.vtm: cannot read the model \(ENOENT\)/);
  const bad = run(broken);
  assert.equal(bad?.status, 1);
  assert.match(bad.stderr, /broken\.vtm: not a usable model \(MODEL_/);
  assert.equal(existsSync(out), false);
});

// ------------------------------------------------------------------------------------------ end to end

test('end to end: a tiny shop, a tiny trained model, both arms through the package and the wasm engine', async () => {
  if (!existsSync(vitrineCli)) throw new Error(`${vitrineCli} is missing: build the native tree first`);
  mkdirSync(path.join(tmp, 'models'), { recursive: true });
  const model = path.join(tmp, 'models/shop.vtm');
  execFileSync(
    vitrineCli,
    [
      'train',
      '--train',
      path.join(tmp, 'sessions.txt'),
      '--catalog',
      path.join(tmp, 'train-catalog.tsv'),
      '--out',
      model,
      '--dim',
      '16',
      '--epochs',
      '2',
      '--threads',
      '1',
      '--quiet',
    ],
    { stdio: 'inherit' }
  );
  const engine = await createNodeEngine();
  try {
    const run = () =>
      runUplift({
        catalog,
        heldout,
        engine,
        modelBytes: new Uint8Array(readFileSync(model)),
        seed: 11,
        resamples: 300,
        pageSize: 20,
        limit: 40,
      });
    const result = await run();
    assert.equal(result.shoppers, 40);
    assert.equal(
      result.sessions,
      heldout.slice(0, 40).reduce((n, s) => n + s.starts.length, 0)
    );
    assert.equal(result.totals.on.sessions, result.totals.off.sessions);
    assert.ok(result.totals.on.impressions > 0 && result.totals.off.impressions > 0);
    assert.match(result.notice, /Simulated shoppers/);
    for (const [m, metrics] of METRICS.flatMap((m) => [
      [m, result.metrics],
      [m, result.reference.metrics],
    ])) {
      for (const part of ['off', 'on', 'difference', 'relative']) {
        const x = metrics[m.key][part];
        assert.ok([x.estimate, x.lower, x.upper].every(Number.isFinite), `${m.key}.${part}: ${JSON.stringify(x)}`);
        assert.ok(x.lower <= x.estimate && x.estimate <= x.upper, `${m.key}.${part}: ${JSON.stringify(x)}`);
      }
    }
    // Vitrine's arm really ranked: some listing came out in another order than the merchant's, so the arms differ.
    assert.notDeepEqual(result.totals.on, result.totals.off);
    // The ceiling's "off" arm is the same merchant-order run.
    assert.deepEqual(result.reference.metrics.conversion.off, result.metrics.conversion.off);
    assert.deepEqual(await run(), result, 'deterministic for a seed');
    assert.match(
      formatTable(result),
      /^SIMULATED shoppers: 40 held-out shoppers[^]*\nCeiling: listings ordered by each shopper/
    );
    // The uplift ranks without reasons (engine.rank explain: false): the same scores as with them.
    const p = catalog.products;
    const request = {
      events: [
        { kind: EventKind.view, t: 1000, item: p[0].id, category: p[0].category, brand: p[0].brand, price: p[0].price },
      ],
      candidates: p.slice(0, 30).map(({ id, category, brand, price }) => ({ id, category, brand, price })),
      nowMs: 2000,
    };
    const explained = engine.rank(request);
    const plain = engine.rank(request, { explain: false });
    assert.deepEqual(plain.scores, explained.scores);
    assert.equal(explained.reasons.length, 30);
    assert.deepEqual(plain.reasons, []);
  } finally {
    engine.release();
  }
});
