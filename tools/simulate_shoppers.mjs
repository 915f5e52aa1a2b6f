#!/usr/bin/env node
// Simulated shoppers for the demo shop: the model is trained on their sessions, and held-out shoppers are kept for
// measuring uplift later. Nobody real is in this data. Deterministic for a seed.
//
//   node tools/simulate_shoppers.mjs [--catalog build/demo/catalog.json] [--out build/demo] [--shoppers 2500]
//                                    [--heldout 500] [--seed 7] [--lists 0] [--merchant-order featured|popular]
//                                    [--shuffle 0]
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
// The choice model itself (tastes, utility, exposure, cart, purchase) is tools/demo/shopper_model.mjs, shared with
// the offline uplift test (tools/uplift.mjs).
//
// Lists (for learning the weight of the shop's order, models/train/blend_fit.h). With --lists N a category page
// shows the first N products of the listing, as the demo's pages and tools/uplift.mjs do, the shopper picks among
// them, and events.csv logs the page as impression rows with the place shown (`position`) and the shop's own place
// (`shop_position`). --shuffle S shows a share S of the pages in a random order (a sort option). --merchant-order
// popular sorts each listing by the training shoppers' mean appeal (shopper_model.mjs popularOrder), an order that
// carries information; featured (the default) is the catalog's order, which carries none. Without --lists the
// simulation is the demo's and draws exactly the same numbers.
//
// Writes into <out>:
//   sessions.txt        training shoppers' views as model item ids, one session per line, oldest first (the format
//                       `vitrine train --train` reads; add-to-cart and purchase are in the .jsonl files)
//   events.csv          the same training shoppers' events as a shop would export them (timestamp, visitor_id,
//                       session_id, item_id, event: view, add_to_cart, purchase), for `vitrine train --events`
//   train-catalog.tsv   catalog.tsv rows up to the largest item id in sessions.txt (the trainer's vocabulary)
//   shoppers.jsonl      training shoppers: hidden tastes and every event (view, add_to_cart, purchase)
//   heldout.jsonl       held-out shoppers, same form, never used for training: for offline uplift evaluation
//   simulation.json     the parameters and counts
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { rng, subSeed } from './demo/random.mjs';
import { parseArgs, writeIfChanged } from './demo/files.mjs';
import {
  PARAMS,
  makeTaste,
  shopIndex,
  utilities,
  categoryWeights,
  listingWeights,
  cartProbability,
  sessionLength,
  popularOrder,
} from './demo/shopper_model.mjs';

const USAGE = `usage: node tools/simulate_shoppers.mjs [--catalog FILE] [--out DIR] [--shoppers N] [--heldout N] [--seed N]
  --catalog   catalog.json from tools/build_demo_catalog.mjs (default build/demo/catalog.json)
  --out       output folder (default build/demo)
  --shoppers  training shoppers (default 2500)
  --heldout   held-out shoppers for evaluation (default 500)
  --seed      simulation seed (default 7)
  --lists     log each category page of this many products as impressions with places (default 0: none)
  --merchant-order  featured (the catalog's order, default) or popular (the training shoppers' bestsellers)
  --shuffle   share of pages shown in a random order, with --lists (default 0)
`;

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2026, 0, 5); // fixed, so files do not depend on when they were made
const SPAN_DAYS = 60;

export { PARAMS };

function simulateShopper(index, split, seed, shop, { lists = 0, shuffle = 0 } = {}) {
  const random = rng(subSeed(seed, `${split}:${index}`));
  const shuffling = rng(subSeed(seed, `${split}:${index}:shuffle`)); // its own stream: the walk's draws stay the same
  const { products, byCategory } = shop;
  const taste = makeTaste(random, shop.catalog);
  const utility = utilities(taste, shop);
  const weightsOfCategories = categoryWeights(taste, shop);
  const sessionCount = 1 + Math.min(7, Math.floor(-Math.log(1 - random.next()) * 2.5));
  const starts = Array.from(
    { length: sessionCount },
    () => START_MS + Math.floor(random.next() * SPAN_DAYS * DAY_MS)
  ).sort((a, b) => a - b);
  const sessions = starts.map((start) => {
    const events = [];
    let t = start;
    let category = random.weighted(weightsOfCategories);
    const viewed = [];
    const carted = new Set();
    const length = sessionLength(random);
    while (viewed.length < length) {
      const r = random.next();
      let item;
      if (r < PARAMS.pStay + PARAMS.pSwitch || viewed.length === 0) {
        if (r >= PARAMS.pStay && viewed.length > 0) {
          category = random.weighted(weightsOfCategories.map((w, c) => (c === category ? 0 : w)));
        }
        // Training shoppers always see the merchant's own order.
        const last = viewed.length ? viewed[viewed.length - 1] : -1;
        const listing = byCategory[category];
        let shown = listing;
        if (lists > 0) {
          shown = listing.slice(0, lists);
          if (shuffling.next() < shuffle) {
            for (let i = shown.length - 1; i > 0; --i) {
              const j = shuffling.int(i + 1);
              [shown[i], shown[j]] = [shown[j], shown[i]];
            }
          }
          shown.forEach((i, place) =>
            events.push(['impression', products[i].id, t + 1, place + 1, listing.indexOf(i) + 1])
          );
        }
        item = shown[random.weighted(listingWeights(shown, utility, products, last, new Set(viewed)))];
      } else {
        item = viewed[random.int(viewed.length)];
      }
      viewed.push(item);
      t += 15_000 + random.int(90_000);
      events.push(['view', products[item].id, t]);
      if (!carted.has(item) && random.next() < cartProbability(utility[item])) {
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

export function simulate({
  catalog: catalogPath,
  out,
  shoppers,
  heldout,
  seed,
  lists = 0,
  merchantOrder = 'featured',
  shuffle = 0,
}) {
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));
  if (merchantOrder !== 'featured' && merchantOrder !== 'popular')
    throw new Error(`--merchant-order must be featured or popular, got ${merchantOrder}`);
  // A shopper's taste is the first draw of their stream, so the bestsellers can be known before anyone shops.
  const shop =
    merchantOrder === 'popular'
      ? popularOrder(
          shopIndex(catalog),
          Array.from({ length: shoppers }, (_, i) => makeTaste(rng(subSeed(seed, `train:${i}`)), catalog))
        )
      : shopIndex(catalog);
  const products = catalog.products;
  const nOf = new Map(products.map((p) => [p.id, p.n]));

  const options = { lists, shuffle };
  const train = Array.from({ length: shoppers }, (_, i) => simulateShopper(i, 'train', seed, shop, options));
  const held = Array.from({ length: heldout }, (_, i) => simulateShopper(i, 'heldout', seed, shop, options));

  // All training sessions on one timeline, oldest first: the trainer's validation split is the newest tail.
  const lines = train
    .flatMap((s) => s.sessions)
    .sort((a, b) => a.start - b.start)
    .map((s) => s.events.filter((e) => e[0] === 'view').map((e) => nOf.get(e[1])))
    .filter((ids) => ids.length >= 2);
  const maxId = Math.max(...lines.flat());
  const tsv = readFileSync(path.join(path.dirname(catalogPath), 'catalog.tsv'), 'utf8')
    .trimEnd()
    .split('\n');
  // The trainer's vocabulary ends at the largest id seen in training; later products are cold-start items.
  const trainCatalog = [tsv[0], ...tsv.slice(1).filter((line) => Number(line.split('\t', 1)[0]) <= maxId)];

  writeIfChanged(path.join(out, 'sessions.txt'), lines.map((ids) => ids.join(' ')).join('\n') + '\n');
  // Every event of every training session, in time order, as an export would list them.
  const rows = train.flatMap((s) =>
    s.sessions.flatMap((session, k) =>
      session.events.map(([kind, sku, t, ...places]) => [
        t,
        s.shopper,
        `${s.shopper}-${k}`,
        sku,
        kind,
        ...(lists > 0 ? [places[0] ?? '', places[1] ?? ''] : []),
      ])
    )
  );
  rows.sort((a, b) => a[0] - b[0]);
  const header = 'timestamp,visitor_id,session_id,item_id,event' + (lists > 0 ? ',position,shop_position' : '');
  writeIfChanged(path.join(out, 'events.csv'), [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
  // The shoppers' files keep what they did, not the pages they were shown.
  for (const s of [...train, ...held])
    for (const session of s.sessions) session.events = session.events.filter((e) => e[0] !== 'impression');
  writeIfChanged(path.join(out, 'train-catalog.tsv'), trainCatalog.join('\n') + '\n');
  writeIfChanged(path.join(out, 'shoppers.jsonl'), train.map((s) => JSON.stringify(s)).join('\n') + '\n');
  writeIfChanged(path.join(out, 'heldout.jsonl'), held.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const count = (list, kind) =>
    list.reduce((n, s) => n + s.sessions.reduce((m, x) => m + x.events.filter((e) => e[0] === kind).length, 0), 0);
  const summary = {
    notice: 'Simulated shoppers: generated from hidden tastes by tools/simulate_shoppers.mjs, not real people.',
    seed,
    params: PARAMS,
    ...(lists > 0 ? { lists, merchantOrder, shuffle } : {}),
    catalogProducts: products.length,
    train: {
      shoppers,
      sessions: lines.length,
      views: count(train, 'view'),
      addToCart: count(train, 'add_to_cart'),
      purchases: count(train, 'purchase'),
    },
    heldout: {
      shoppers: heldout,
      sessions: held.reduce((n, s) => n + s.sessions.length, 0),
      views: count(held, 'view'),
    },
    vocabulary: maxId,
  };
  writeIfChanged(path.join(out, 'simulation.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseArgs(
    process.argv.slice(2),
    {
      catalog: 'build/demo/catalog.json',
      out: 'build/demo',
      shoppers: 2500,
      heldout: 500,
      seed: 7,
      lists: 0,
      merchantOrder: 'featured',
      shuffle: 0,
    },
    USAGE
  );
  const started = Date.now();
  const s = simulate(options);
  console.log(
    `shoppers: ${s.train.shoppers} simulated for training (${s.train.sessions} sessions, ${s.train.views} views, ` +
      `${s.train.addToCart} add-to-cart, ${s.train.purchases} purchases), ${s.heldout.shoppers} held out (${Date.now() - started} ms)`
  );
}
