#!/usr/bin/env node
// Offline A/B test on held-out simulated shoppers: personalization off (the merchant's own order) against on (the
// order Vitrine gives the category listing). Nobody real is in this test: the shoppers are simulated.
//
//   node tools/uplift.mjs [--catalog build/demo/catalog.json] [--heldout build/demo/heldout.jsonl]
//                         [--model build/demo/models/shop.vtm] [--dist build/wasm/dist] [--out build/demo/uplift.json]
//                         [--seed 11] [--resamples 2000] [--shoppers 0]
//                         [--blend -1] [--merchant-order featured|popular] [--trained build/demo/shoppers.jsonl]
//
// --blend sets the weight of the shop's order in arm "on" (js/src/dom.mjs; -1: the package's default). The
// merchant's order is the catalog's "featured" order, which knows nothing of the shoppers, or with
// --merchant-order popular a bestseller order: each category sorted by the mean of exp(utility) over the simulated
// shoppers the model was trained on (--trained), an order that carries real information about the population.
//
// Every held-out shopper (heldout.jsonl: hidden tastes and session start times, never trained on) shops the same
// sessions twice, once per arm, with common random numbers: each decision of each step has its own seeded stream
// (session, step, decision), so both arms draw the same numbers and differ only by the order of the listings.
// Behaviour is the simulator's choice model (tools/demo/shopper_model.mjs): on a category listing the shopper opens a
// product with weight exp(utility) x exposure(position), or leaves with weight LEAVE_WEIGHT (ending the session);
// otherwise the walk goes on as in the simulator (stay, switch category, go back to a product seen).
//
// The events stored are those the package's capture records on the demo's pages: a category_visit per category
// page, a click and a view (with its dwell) per product opened, a view per product gone back to, add_to_cart and
// purchase.
// Arm "on" runs the package's own path: events go through events.toRecord into an in-memory EventStore (the
// package's storage, with its default limits and 30-day expiry on the simulated clock), the newest rankEvents are
// read back and the ranking service (js/src/ranking_service.mjs) ranks the listing with the wasm engine and the
// shop's model, exactly as the worker does. With no stored events the package keeps the merchant's order, and so does
// this arm.
//
// Confidence intervals: paired bootstrap over shoppers (a shopper's sessions stay together, both arms resampled
// together), percentile 95% intervals, fixed seed.
// As a reference the same shoppers also shop with every listing ordered by their hidden tastes (tasteOrder): no real
// ranker knows them, so that is the room the shop's pages leave (the ceiling), not a result.
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { rng, subSeed } from './demo/random.mjs';
import { mulberry32 } from './random.mjs';
import { parseArgs } from './demo/files.mjs';
import {
  PARAMS,
  LEAVE_WEIGHT,
  shopIndex,
  utilities,
  categoryWeights,
  listingWeights,
  cartProbability,
  sessionLength,
  popularOrder,
} from './demo/shopper_model.mjs';
import { createEngine } from '../js/src/engine.mjs';
import { createRankingService, PROTOCOL_VERSION } from '../js/src/ranking_service.mjs';
import { openStore } from '../js/src/storage.mjs';
import { toRecord } from '../js/src/events.mjs';
import { normalizeConfig } from '../js/src/config.mjs';

const USAGE = `usage: node tools/uplift.mjs [--catalog FILE] [--heldout FILE] [--model FILE] [--dist DIR] [--out FILE]
                          [--seed N] [--resamples N] [--shoppers N] [--page-size N]
                          [--blend W] [--merchant-order featured|popular] [--trained FILE]
  --catalog    catalog.json of the demo shop (default build/demo/catalog.json)
  --heldout    held-out simulated shoppers from tools/simulate_shoppers.mjs (default build/demo/heldout.jsonl)
  --model      the shop's trained model (default build/demo/models/shop.vtm)
  --dist       the wasm package build (default build/wasm/dist)
  --out        result JSON (default build/demo/uplift.json)
  --seed       seed of the shoppers' random streams and of the bootstrap (default 11)
  --resamples  bootstrap resamples (default 2000)
  --blend      weight of the shop's order in arm "on", 0 to 100 (default -1: the package's default)
  --merchant-order  featured (the catalog's order, default) or popular (bestsellers of the --trained shoppers)
  --trained    the shoppers the model was trained on (default build/demo/shoppers.jsonl), for --merchant-order popular
  --shoppers   use only the first N held-out shoppers (default 0: all)
  --page-size  products on a category page, as the demo shows them (default 60; 0: the whole category)
`;

export const NOTICE =
  'Simulated shoppers: an offline A/B test on held-out shoppers generated by ' +
  'tools/simulate_shoppers.mjs, not real people or real sales.';

export const DEFINITIONS = Object.freeze({
  session:
    'one visit of a held-out simulated shopper, at the start time the simulator gave it; both arms replay the same sessions',
  listingImpression: 'one display of a category page (its products in the arm\u2019s order) to the shopper',
  click:
    'the shopper opens a product from the listing just shown (a product view from the listing); at most one per ' +
    'impression, otherwise they leave and the session ends; going back to a product already seen is not a click',
  conversion: 'purchased products per session',
  clickThrough: 'clicks per listing impression',
  revenuePerSession: 'sum of the prices of purchased products per session (EUR, generated catalog prices)',
});

/** The metrics: each is a ratio of per-arm sums, so it can be recomputed for any resample of shoppers. */
export const METRICS = Object.freeze([
  { key: 'conversion', label: 'Conversion (purchases per session)', num: 'purchases', den: 'sessions' },
  { key: 'clickThrough', label: 'Click-through (clicks per listing impression)', num: 'clicks', den: 'impressions' },
  { key: 'revenuePerSession', label: 'Revenue per session (EUR)', num: 'revenue', den: 'sessions' },
]);

// Products on a category page, as demo-site/shop/pages/category.mjs renders it (the package reorders what is shown).
export const PAGE_SIZE = 60;

const COUNTS = ['sessions', 'impressions', 'clicks', 'views', 'carts', 'purchases', 'revenue'];
const emptyCounts = () => Object.fromEntries(COUNTS.map((k) => [k, 0]));

// ---------------------------------------------------------------------------------------------- input

function fail(message) {
  throw Object.assign(new Error(message), { userFacing: true });
}

function readInput(file, what, encoding) {
  try {
    return readFileSync(file, encoding);
  } catch (e) {
    return fail(`${file}: cannot read the ${what} (${e.code ?? e.message})`);
  }
}
const readText = (file, what) => readInput(file, what, 'utf8');

/** Held-out shoppers from heldout.jsonl; a bad line is an error naming file:line. */
export function readHeldout(file, catalog) {
  const lines = readText(file, 'held-out shoppers').split('\n');
  const shoppers = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    let record;
    try {
      record = JSON.parse(line);
    } catch (e) {
      fail(`${where}: not a JSON line (${e.message})`);
    }
    const problem = heldoutProblem(record, catalog);
    if (problem) fail(`${where}: ${problem}`);
    shoppers.push({ shopper: record.shopper, taste: record.taste, starts: record.sessions.map((s) => s.start) });
  });
  if (shoppers.length === 0) fail(`${file}: no held-out shoppers`);
  return shoppers;
}

function heldoutProblem(record, catalog) {
  if (!record || typeof record !== 'object') return 'expected an object';
  if (typeof record.shopper !== 'string' || record.shopper === '') return 'missing "shopper" id';
  const taste = record.taste;
  if (!taste || typeof taste !== 'object') return 'missing "taste"';
  for (const key of ['priceLevel', 'priceWeight', 'lightness', 'lookWeight']) {
    if (!Number.isFinite(taste[key])) return `taste.${key} must be a number`;
  }
  for (const c of catalog.categories) {
    if (!Number.isFinite(taste.categories?.[c.slug])) return `taste.categories["${c.slug}"] must be a number`;
  }
  for (const b of catalog.brands) {
    if (!Number.isFinite(taste.brands?.[b.name])) return `taste.brands["${b.name}"] must be a number`;
  }
  if (!Array.isArray(record.sessions) || record.sessions.length === 0) return '"sessions" must be a non-empty array';
  let previous = -Infinity;
  for (const [k, s] of record.sessions.entries()) {
    if (!Number.isSafeInteger(s?.start) || s.start <= 0) return `sessions[${k}].start must be a time in ms`;
    if (s.start < previous) return `sessions[${k}] starts before the session before it`;
    previous = s.start;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------- listing orders

/** Arm "off": the merchant's own order. */
export const merchantOrder = async ({ listing }) => listing;

/**
 * Arm "on": the package's ranking service with this engine and model. Returns an orderer taking the events read
 * from storage, the listing (product indices in merchant order) and the simulated time.
 */
export function vitrineOrder({ engine, modelBytes, shop, blend }) {
  // The worker's service over this engine, without the reasons: they do not change the order and are most of the
  // cost of ranking a listing.
  const scoringOnly = {
    loadModel: (bytes) => engine.loadModel(bytes),
    rank: (request) => engine.rank(request, { explain: false }),
  };
  const service = createRankingService({ createEngine: async () => scoringOnly, fetchBytes: async () => modelBytes });
  const indexOfId = new Map(shop.products.map((p, i) => [p.id, i]));
  let id = 0;
  return async ({ events, listing, nowMs }) => {
    if (events.length === 0) return listing; // the package does not rank without events (vitrine.mjs personalize)
    const candidates = listing.map((i) => candidateOf(shop.products[i]));
    const reply = await service.handle({
      v: PROTOCOL_VERSION,
      id: ++id,
      type: 'rank',
      modelUrl: 'shop-model',
      nowMs,
      events,
      candidates,
      ...(blend === undefined ? {} : { blend }),
    });
    if (reply.type !== 'ranked') throw new Error(`ranking failed: ${reply.code}: ${reply.message}`);
    return reply.order.map((productId) => indexOfId.get(productId));
  };
}

/**
 * The reference: every listing ordered by the shopper's hidden utilities, best first. No real ranker knows these, so
 * it shows how much room the shop's pages leave, not something Vitrine could reach.
 */
export function tasteOrder(shopper, shop) {
  const utility = utilities(shopper.taste, shop);
  return async ({ listing }) => listing.slice().sort((a, b) => utility[b] - utility[a]);
}

/** What a listing card tells the package about its product (the markup contract's data attributes). */
function candidateOf(product) {
  return { id: product.id, category: product.category, brand: product.brand, price: product.price };
}

// ---------------------------------------------------------------------------------------------- one arm

/**
 * Replays one held-out shopper's sessions with listings ordered by `orderListing`. Returns the counts of every
 * session. Deterministic for (seed, shopper); the order of the listings is the only thing an arm changes.
 * A category page shows the first `pageSize` products of the category in the merchant's order (0: all of them).
 */
export async function shopSessions(shopper, shop, { seed, pageSize = PAGE_SIZE, orderListing }) {
  const { products } = shop;
  const pages = shop.byCategory.map((listing) => (pageSize > 0 ? listing.slice(0, pageSize) : listing));
  const utility = utilities(shopper.taste, shop);
  const weightsOfCategories = categoryWeights(shopper.taste, shop);
  const config = normalizeConfig({});
  let clock = shopper.starts[0];
  const store = await openStore({
    indexedDB: null,
    BroadcastChannel: null,
    now: () => clock,
    onFallback: () => {},
    limits: { maxEvents: config.maxEvents, maxBytes: config.maxBytes, retentionDays: config.retentionDays },
  });
  const remember = async (input) => {
    const { record: stored, error } = toRecord(input, clock);
    if (error) throw new Error(`simulated event rejected by the package: ${error}`);
    await store.append([stored]);
  };
  const asEvent = (kind, i, t, extra = {}) => {
    const p = products[i];
    return { kind, item: p.id, category: p.category, brand: p.brand, price: p.price, t, ...extra };
  };

  const sessions = [];
  for (const [k, start] of shopper.starts.entries()) {
    // Common random numbers: one stream per (session, step, decision), identical in both arms.
    const draw = (step, decision) => rng(subSeed(seed, `${shopper.shopper}:${k}:${step}:${decision}`));
    const counts = { ...emptyCounts(), sessions: 1 };
    const planned = sessionLength(draw('plan', 'length'));
    let category = draw('plan', 'category').weighted(weightsOfCategories);
    let t = start;
    clock = t;
    const viewed = [];
    const bought = [];
    const carted = new Set();
    for (let step = 0; viewed.length < planned; ++step) {
      const move = draw(step, 'move').next();
      let item;
      if (step === 0 || move < PARAMS.pStay + PARAMS.pSwitch) {
        if (step > 0 && move >= PARAMS.pStay) {
          category = draw(step, 'category').weighted(weightsOfCategories.map((w, c) => (c === category ? 0 : w)));
        }
        clock = t;
        // Ranked from what was stored before this page (the package reads storage as the page starts), then the
        // page's own category visit is recorded.
        const order = await orderListing({
          events: await store.recent(config.rankEvents),
          listing: pages[category],
          nowMs: t,
        });
        await remember({ kind: 'category_visit', category: shop.slugs[category], t });
        counts.impressions += 1;
        const weights = listingWeights(
          order,
          utility,
          products,
          viewed.length ? viewed[viewed.length - 1] : -1,
          new Set(viewed)
        );
        const choice = draw(step, 'pick').weighted([...weights, LEAVE_WEIGHT]);
        if (choice === weights.length) break; // left the listing, and the shop
        item = order[choice];
        counts.clicks += 1;
        await remember(asEvent('click', item, t));
      } else {
        item = viewed[draw(step, 'revisit').int(viewed.length)];
      }
      const dwell = 15_000 + draw(step, 'dwell').int(90_000);
      t += dwell;
      clock = t;
      viewed.push(item);
      counts.views += 1;
      await remember(asEvent('view', item, t, { dwellMs: dwell }));
      if (!carted.has(item) && draw(step, 'cart').next() < cartProbability(utility[item])) {
        carted.add(item);
        counts.carts += 1;
        t += 5_000 + draw(step, 'cart-time').int(20_000);
        clock = t;
        await remember(asEvent('add_to_cart', item, t));
        if (draw(step, 'buy').next() < PARAMS.pBuy) bought.push(item);
      }
    }
    for (const item of bought) {
      t += 30_000;
      clock = t;
      await remember(asEvent('purchase', item, t));
      counts.purchases += 1;
      counts.revenue += products[item].price;
    }
    sessions.push(counts);
  }
  store.close();
  return sessions;
}

// ---------------------------------------------------------------------------------------------- statistics

function sumCounts(list) {
  const total = emptyCounts();
  for (const counts of list) for (const k of COUNTS) total[k] += counts[k];
  return total;
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted, q) {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

function interval(estimate, replicates) {
  const finite = replicates.filter(Number.isFinite).sort((a, b) => a - b);
  if (!Number.isFinite(estimate) || finite.length < replicates.length)
    return { estimate: null, lower: null, upper: null };
  return { estimate, lower: quantile(finite, 0.025), upper: quantile(finite, 0.975) };
}

/**
 * Paired bootstrap over units (shoppers): each resample draws units with replacement and keeps both arms of a
 * unit together. units: [{ off: counts, on: counts }]. Returns per metric the two arms, the difference (on - off)
 * and the relative uplift (on / off - 1), each { estimate, lower, upper } (95% percentile interval); a ratio whose
 * denominator can be 0 gets nulls.
 */
export function pairedBootstrap(units, { metrics = METRICS, resamples = 2000, seed = 11 } = {}) {
  if (units.length === 0) throw new Error('no units to resample');
  const random = mulberry32(subSeed(seed, 'bootstrap'));
  const ratio = (sums, m) => sums[m.num] / sums[m.den];
  const full = { off: sumCounts(units.map((u) => u.off)), on: sumCounts(units.map((u) => u.on)) };
  const replicates = metrics.map(() => ({ off: [], on: [], difference: [], relative: [] }));
  for (let b = 0; b < resamples; ++b) {
    const off = emptyCounts(),
      on = emptyCounts();
    for (let n = 0; n < units.length; ++n) {
      const unit = units[Math.floor(random() * units.length)];
      for (const k of COUNTS) {
        off[k] += unit.off[k];
        on[k] += unit.on[k];
      }
    }
    metrics.forEach((m, j) => {
      const a = ratio(off, m),
        bOn = ratio(on, m);
      replicates[j].off.push(a);
      replicates[j].on.push(bOn);
      replicates[j].difference.push(bOn - a);
      replicates[j].relative.push(bOn / a - 1);
    });
  }
  return Object.fromEntries(
    metrics.map((m, j) => {
      const a = ratio(full.off, m),
        bOn = ratio(full.on, m);
      return [
        m.key,
        {
          label: m.label,
          off: interval(a, replicates[j].off),
          on: interval(bOn, replicates[j].on),
          difference: interval(bOn - a, replicates[j].difference),
          relative: interval(bOn / a - 1, replicates[j].relative),
        },
      ];
    })
  );
}

// ---------------------------------------------------------------------------------------------- the test

/**
 * Runs both arms for every held-out shopper and the bootstrap. `engine` is a wasm engine (engine.mjs); the model is
 * loaded into it by the ranking service.
 */
export async function runUplift({
  catalog,
  heldout,
  engine,
  modelBytes,
  seed = 11,
  resamples = 2000,
  limit = 0,
  pageSize = PAGE_SIZE,
  blend,
  trainedTastes = null,
}) {
  const shop = trainedTastes ? popularOrder(shopIndex(catalog), trainedTastes) : shopIndex(catalog);
  const shoppers = limit > 0 ? heldout.slice(0, limit) : heldout;
  const on = vitrineOrder({ engine, modelBytes, shop, blend });
  const units = [];
  for (const shopper of shoppers) {
    units.push({
      shopper: shopper.shopper,
      off: sumCounts(await shopSessions(shopper, shop, { seed, pageSize, orderListing: merchantOrder })),
      on: sumCounts(await shopSessions(shopper, shop, { seed, pageSize, orderListing: on })),
      hiddenTastes: sumCounts(
        await shopSessions(shopper, shop, { seed, pageSize, orderListing: tasteOrder(shopper, shop) })
      ),
    });
  }
  const totals = Object.fromEntries(
    ['off', 'on', 'hiddenTastes'].map((arm) => [arm, sumCounts(units.map((u) => u[arm]))])
  );
  return {
    notice: NOTICE,
    seed,
    shoppers: shoppers.length,
    sessions: totals.off.sessions,
    method:
      `paired bootstrap over held-out shoppers (a shopper's sessions and both arms resampled together), ` +
      `${resamples} resamples, percentile 95% intervals; common random numbers: one seeded stream per session, step and decision`,
    listing:
      `a category page shows ${pageSize > 0 ? `the first ${pageSize}` : 'all'} products of the category in the ` +
      `merchant's order, reordered in arm "on"; exposure falls as exp(-position / ${PARAMS.exposureScale}); leaving ` +
      `weighs ${LEAVE_WEIGHT} against exp(utility) x exposure`,
    pageSize,
    merchantOrder: trainedTastes ? 'popular' : 'featured',
    blend: blend ?? 'package default',
    definitions: DEFINITIONS,
    totals,
    metrics: pairedBootstrap(units, { resamples, seed }),
    // The same test with "on" replaced by the hidden-taste order (tasteOrder): the room there is, not a result.
    reference: {
      label: 'Ceiling: listings ordered by each shopper\u2019s hidden tastes, which no real ranker knows',
      metrics: pairedBootstrap(
        units.map((u) => ({ off: u.off, on: u.hiddenTastes })),
        { resamples, seed }
      ),
    },
  };
}

// ---------------------------------------------------------------------------------------------- printing

const PRECISION = { conversion: 3, clickThrough: 3, revenuePerSession: 2 };

function formatInterval(x, digits, percent = false) {
  if (x.estimate === null) return 'n/a';
  const f = (v) => (percent ? `${(100 * v).toFixed(1)}%` : v.toFixed(digits));
  const sign = (v) => (percent && v > 0 ? '+' : '');
  return `${sign(x.estimate)}${f(x.estimate)} [${sign(x.lower)}${f(x.lower)}, ${sign(x.upper)}${f(x.upper)}]`;
}

function alignedTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd()
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines;
}

/** The result as plain-text tables (what the CLI prints). */
export function formatTable(result) {
  const rows = [['metric', 'off (merchant order)', 'on (Vitrine)', 'difference', 'relative uplift']];
  for (const [key, m] of Object.entries(result.metrics)) {
    const d = PRECISION[key] ?? 3;
    rows.push([
      m.label,
      formatInterval(m.off, d),
      formatInterval(m.on, d),
      formatInterval(m.difference, d),
      formatInterval(m.relative, d, true),
    ]);
  }
  const ceiling = [['metric', 'hidden-taste order', 'difference to off', 'relative uplift']];
  for (const [key, m] of Object.entries(result.reference?.metrics ?? {})) {
    const d = PRECISION[key] ?? 3;
    ceiling.push([
      m.label,
      formatInterval(m.on, d),
      formatInterval(m.difference, d),
      formatInterval(m.relative, d, true),
    ]);
  }
  return [
    `SIMULATED shoppers: ${result.shoppers} held-out shoppers, ${result.sessions} sessions per arm; ` +
      'estimates with 95% confidence intervals [lower, upper]',
    ...alignedTable(rows),
    ...(ceiling.length > 1 ? ['', `${result.reference.label}:`, ...alignedTable(ceiling)] : []),
    `(${result.method})`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------- CLI

async function main() {
  const o = parseArgs(
    process.argv.slice(2),
    {
      catalog: 'build/demo/catalog.json',
      heldout: 'build/demo/heldout.jsonl',
      model: 'build/demo/models/shop.vtm',
      dist: 'build/wasm/dist',
      out: 'build/demo/uplift.json',
      seed: 11,
      resamples: 2000,
      shoppers: 0,
      pageSize: PAGE_SIZE,
      blend: -1,
      merchantOrder: 'featured',
      trained: 'build/demo/shoppers.jsonl',
    },
    USAGE
  );
  if (!(o.blend === -1 || (o.blend >= 0 && o.blend <= 100)))
    fail(`--blend must be -1 (the default) or 0 to 100, got ${o.blend}`);
  if (o.merchantOrder !== 'featured' && o.merchantOrder !== 'popular')
    fail(`--merchant-order must be featured or popular`);
  if (!(Number.isInteger(o.pageSize) && o.pageSize >= 0)) fail(`--page-size must be a whole number, got ${o.pageSize}`);
  if (!(Number.isInteger(o.resamples) && o.resamples >= 100))
    fail(`--resamples must be an integer of at least 100, got ${o.resamples}`);
  if (!(Number.isInteger(o.shoppers) && o.shoppers >= 0)) fail(`--shoppers must be a whole number, got ${o.shoppers}`);
  const started = Date.now();
  let catalog;
  try {
    catalog = JSON.parse(readText(o.catalog, 'catalog'));
  } catch (e) {
    if (e.userFacing) throw e;
    fail(`${o.catalog}: not JSON (${e.message})`);
  }
  if (!Array.isArray(catalog?.products) || !Array.isArray(catalog.categories) || !Array.isArray(catalog.brands)) {
    fail(`${o.catalog}: not a demo catalog (needs products, categories and brands)`);
  }
  const heldout = readHeldout(o.heldout, catalog);
  const modelBytes = new Uint8Array(readInput(o.model, 'model'));
  const enginePath = path.join(o.dist, 'vitrine-engine.mjs');
  const wasmPath = path.join(o.dist, 'vitrine-engine.wasm');
  if (!existsSync(enginePath) || !existsSync(wasmPath))
    fail(`${o.dist}: no wasm engine here (build the vitrine_engine target)`);
  const engine = await createEngine({
    moduleUrl: pathToFileURL(path.resolve(enginePath)),
    wasmBinary: readFileSync(wasmPath),
  });
  try {
    engine.loadModel(modelBytes); // checked here so a bad file is named; the ranking service loads it again
  } catch (e) {
    fail(`${o.model}: not a usable model (${e.message})`);
  }
  const trainedTastes =
    o.merchantOrder === 'popular'
      ? readText(o.trained, 'trained shoppers')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l).taste)
      : null;
  const result = await runUplift({
    catalog,
    heldout,
    engine,
    modelBytes,
    seed: o.seed,
    resamples: o.resamples,
    limit: o.shoppers,
    pageSize: o.pageSize,
    blend: o.blend === -1 ? undefined : o.blend,
    trainedTastes,
  });
  result.model = {
    file: path.basename(o.model),
    bytes: modelBytes.length,
    sha256: createHash('sha256').update(modelBytes).digest('hex'),
  };
  result.command = `node tools/uplift.mjs ${process.argv.slice(2).join(' ')}`.trim();
  engine.release();
  // Always written, so its time says when it was computed (tools/demo.sh compares it with the model's).
  mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
  console.log(formatTable(result));
  console.log(`wrote ${o.out} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`uplift: ${e.userFacing ? e.message : (e.stack ?? e)}\n`);
    process.exit(1);
  });
}
