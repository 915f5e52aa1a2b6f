#!/usr/bin/env node
// Simulated shoppers for the demo shop: the model is trained on their sessions, and held-out shoppers are kept for
// measuring uplift later. Nobody real is in this data. Deterministic for a seed.
//
//   node tools/simulate_shoppers.mjs [--catalog build/demo/catalog.json] [--out build/demo] [--shoppers 2500]
//                                    [--heldout 500] [--seed 7]
//
// Each shopper has hidden tastes:
//   - category interest: one or two favourite categories, the others weak;
//   - brand affinity: one or two favourite brands, small likes and dislikes for the rest;
//   - price: a preferred price level relative to each category's usual price, and how much it matters;
//   - look: a preferred lightness of the garment (from the photo, catalog `look[0]`), and how much it matters.
// A session starts in a category drawn from the interests and walks the shop: mostly the next product in the same
// category, sometimes another category or back to a product seen earlier. A product is picked with probability
// ~ exp(utility) x exposure (products high in the shop's own order are seen more), with a bonus for the brand and
// colour of the product just viewed. Liked products go to the cart; some of the cart is bought at the end.
//
// Writes into <out>:
//   sessions.txt        training shoppers' views as model item ids, one session per line, oldest first (the format
//                       `vitrine train --train` reads; add-to-cart and purchase are in the .jsonl files)
//   train-catalog.tsv   catalog.tsv rows up to the largest item id in sessions.txt (the trainer's vocabulary)
//   shoppers.jsonl      training shoppers: hidden tastes and every event (view, add_to_cart, purchase)
//   heldout.jsonl       held-out shoppers, same form, never used for training: for offline uplift evaluation
//   simulation.json     the parameters and counts
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { rng, subSeed } from './demo/random.mjs';
import { parseArgs, writeIfChanged } from './demo/files.mjs';

const USAGE = `usage: node tools/simulate_shoppers.mjs [--catalog FILE] [--out DIR] [--shoppers N] [--heldout N] [--seed N]
  --catalog   catalog.json from tools/build_demo_catalog.mjs (default build/demo/catalog.json)
  --out       output folder (default build/demo)
  --shoppers  training shoppers (default 2500)
  --heldout   held-out shoppers for evaluation (default 500)
  --seed      simulation seed (default 7)
`;

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2026, 0, 5); // fixed, so files do not depend on when they were made
const SPAN_DAYS = 60;

export const PARAMS = Object.freeze({
  favouriteBoost: 2.5, // log-weight added to a favourite category
  brandBoost: 1.5, // utility of a favourite brand
  pStay: 0.75, // next view in the same category
  pSwitch: 0.13, // next view in another category; the rest go back to a product seen this session
  sameBrandBonus: 0.8, // the product just viewed pulls its brand and colour along
  sameColorBonus: 0.6,
  exposureScale: 80, // exposure ~ exp(-rank / scale) in the shop's own order
  cartThreshold: 2.0, // P(add to cart) = 0.5 * sigmoid(utility - threshold)
  pBuy: 0.6, // a cart item is bought at the end of the session
});

/** Hidden tastes of one shopper. */
function makeTaste(random, catalog) {
  const categories = catalog.categories.map(() => 0.7 * random.normal());
  const favourites = 1 + (random.next() < 0.4 ? 1 : 0);
  for (let k = 0; k < favourites; ++k) categories[random.int(categories.length)] += PARAMS.favouriteBoost;
  const brands = Object.fromEntries(catalog.brands.map((b) => [b.name, 0.4 * random.normal()]));
  const liked = 1 + (random.next() < 0.5 ? 1 : 0);
  for (let k = 0; k < liked; ++k) brands[random.pick(catalog.brands).name] += PARAMS.brandBoost;
  return {
    categories: Object.fromEntries(catalog.categories.map((c, i) => [c.slug, round2(categories[i])])),
    brands: Object.fromEntries(Object.entries(brands).map(([k, v]) => [k, round2(v)])),
    priceLevel: round2(0.35 * random.normal()), // preferred log(price / category median)
    priceWeight: round2(0.5 + random.next()),
    lightness: round2(0.1 + 0.8 * random.next()), // preferred look[0]
    lookWeight: round2(0.5 + 2.5 * random.next()),
  };
}

const round2 = (x) => Math.round(x * 100) / 100;

/** Utility of every product for a taste (without the category term, which picks where a session goes). */
function utilities(taste, products, medianLogPrice) {
  return products.map((p) => {
    const price = Math.log(p.price) - medianLogPrice[p.category] - taste.priceLevel;
    const look = (p.look[0] - taste.lightness) / 0.25;
    return taste.brands[p.brand] - 0.5 * taste.priceWeight * (price / 0.35) ** 2 - 0.5 * taste.lookWeight * look * look;
  });
}

function median(values) {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function simulateShopper(index, split, seed, catalog, byCategory, medianLogPrice) {
  const random = rng(subSeed(seed, `${split}:${index}`));
  const products = catalog.products;
  const taste = makeTaste(random, catalog);
  const utility = utilities(taste, products, medianLogPrice);
  const slugs = catalog.categories.map((c) => c.slug);
  const categoryWeights = slugs.map((s) => Math.exp(taste.categories[s]));
  const sessionCount = 1 + Math.min(7, Math.floor(-Math.log(1 - random.next()) * 2.5));
  const starts = Array.from({ length: sessionCount }, () => START_MS + Math.floor(random.next() * SPAN_DAYS * DAY_MS)).sort((a, b) => a - b);
  const sessions = starts.map((start) => {
    const events = [];
    let t = start;
    let category = random.weighted(categoryWeights);
    const viewed = [];
    const carted = new Set();
    const length = Math.min(20, 2 + Math.floor(-Math.log(1 - random.next()) / 0.2));
    while (viewed.length < length) {
      const r = random.next();
      let item;
      if (r < PARAMS.pStay + PARAMS.pSwitch || viewed.length === 0) {
        if (r >= PARAMS.pStay && viewed.length > 0) {
          category = random.weighted(categoryWeights.map((w, c) => (c === category ? 0 : w)));
        }
        const last = viewed.length ? products[viewed[viewed.length - 1]] : null;
        const seen = new Set(viewed);
        const candidates = byCategory[category];
        const weights = candidates.map((i) => {
          if (seen.has(i)) return 0;
          const p = products[i];
          let u = utility[i];
          if (last && p.brand === last.brand) u += PARAMS.sameBrandBonus;
          if (last && p.color === last.color) u += PARAMS.sameColorBonus;
          return Math.exp(u - p.rank / PARAMS.exposureScale);
        });
        item = candidates[random.weighted(weights)];
      } else {
        item = viewed[random.int(viewed.length)];
      }
      viewed.push(item);
      t += 15_000 + random.int(90_000);
      events.push(['view', products[item].id, t]);
      const pCart = 0.5 / (1 + Math.exp(-(utility[item] - PARAMS.cartThreshold)));
      if (!carted.has(item) && random.next() < pCart) {
        carted.add(item);
        t += 5_000 + random.int(20_000);
        events.push(['add_to_cart', products[item].id, t]);
      }
    }
    for (const item of carted) {
      if (random.next() < PARAMS.pBuy) events.push(['purchase', products[item].id, (t += 30_000)]);
    }
    return { start, events };
  });
  return { shopper: `${split}-${String(index).padStart(5, '0')}`, split, taste, sessions };
}

export function simulate({ catalog: catalogPath, out, shoppers, heldout, seed }) {
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));
  const products = catalog.products;
  const byCategory = catalog.categories.map((c) => products.flatMap((p, i) => (p.category === c.slug ? [i] : [])));
  const medianLogPrice = Object.fromEntries(catalog.categories.map((c, k) => [c.slug, Math.log(median(byCategory[k].map((i) => products[i].price)))]));
  const nOf = new Map(products.map((p) => [p.id, p.n]));

  const train = Array.from({ length: shoppers }, (_, i) => simulateShopper(i, 'train', seed, catalog, byCategory, medianLogPrice));
  const held = Array.from({ length: heldout }, (_, i) => simulateShopper(i, 'heldout', seed, catalog, byCategory, medianLogPrice));

  // All training sessions on one timeline, oldest first: the trainer's validation split is the newest tail.
  const lines = train.flatMap((s) => s.sessions)
    .sort((a, b) => a.start - b.start)
    .map((s) => s.events.filter((e) => e[0] === 'view').map((e) => nOf.get(e[1])))
    .filter((ids) => ids.length >= 2);
  const maxId = Math.max(...lines.flat());
  const tsv = readFileSync(path.join(path.dirname(catalogPath), 'catalog.tsv'), 'utf8').trimEnd().split('\n');
  // The trainer's vocabulary ends at the largest id seen in training; later products are cold-start items.
  const trainCatalog = [tsv[0], ...tsv.slice(1).filter((line) => Number(line.split('\t', 1)[0]) <= maxId)];

  writeIfChanged(path.join(out, 'sessions.txt'), lines.map((ids) => ids.join(' ')).join('\n') + '\n');
  writeIfChanged(path.join(out, 'train-catalog.tsv'), trainCatalog.join('\n') + '\n');
  writeIfChanged(path.join(out, 'shoppers.jsonl'), train.map((s) => JSON.stringify(s)).join('\n') + '\n');
  writeIfChanged(path.join(out, 'heldout.jsonl'), held.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const count = (list, kind) => list.reduce((n, s) => n + s.sessions.reduce((m, x) => m + x.events.filter((e) => e[0] === kind).length, 0), 0);
  const summary = {
    notice: 'Simulated shoppers: generated from hidden tastes by tools/simulate_shoppers.mjs, not real people.',
    seed, params: PARAMS, catalogProducts: products.length,
    train: { shoppers, sessions: lines.length, views: count(train, 'view'), addToCart: count(train, 'add_to_cart'), purchases: count(train, 'purchase') },
    heldout: { shoppers: heldout, sessions: held.reduce((n, s) => n + s.sessions.length, 0), views: count(held, 'view') },
    vocabulary: maxId,
  };
  writeIfChanged(path.join(out, 'simulation.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseArgs(process.argv.slice(2),
    { catalog: 'build/demo/catalog.json', out: 'build/demo', shoppers: 2500, heldout: 500, seed: 7 }, USAGE);
  const started = Date.now();
  const s = simulate(options);
  console.log(`shoppers: ${s.train.shoppers} simulated for training (${s.train.sessions} sessions, ${s.train.views} views, ` +
    `${s.train.addToCart} add-to-cart, ${s.train.purchases} purchases), ${s.heldout.shoppers} held out (${Date.now() - started} ms)`);
}
