#!/usr/bin/env node
// Cold start, measured on the demo shop: how well does the session model rank products that have no history?
//
//   node tools/cold_start_eval.mjs --demo build/demo --image-features build/demo/image-features.tsv \
//        [--out build/demo/cold-start] [--vitrine build/native/models/vitrine] [--cold-fraction 0.1] [--seed 11]
//        [--dim 32] [--epochs 3] [--threads 2]
//
// A seeded tenth of the products is made "cold": every view of them is removed from the training sessions, so
// the trainer never sees them (they stay in the catalog, as a product that has just been listed). Both models are
// trained with `--unseen-content-only` (a product without history gets no id embedding, only its content) and the
// same seed; one of them also gets the photo embeddings of `vitrine image-features`. The test examples are the
// held-out shoppers' sessions (never trained on): every view whose product is cold is a target, with the views
// before it as the prefix. Two views of the same targets:
//   - whole catalog: HR@20 / MRR@20, the cold product against every product (warm ones have history, so this is
//     hard); warm targets (vitrine eval) are reported too, so a gain that costs the rest would show;
//   - new-in listing: the rank of the target among the cold products only (a "New in" page of products without
//     history, ranked by the engine): HR@10 / MRR@10.
// Cold metrics come from `vitrine topk` scores over the whole catalog (the engine's Ranker), ties broken at random
// in expectation (expectedMetrics).
// Writes <out>/cold_start.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { mulberry32 } from './random.mjs';
import { parseArgs } from './demo/files.mjs';

const USAGE = `usage: node tools/cold_start_eval.mjs --demo DIR --image-features FILE [options]
  --demo            folder with catalog.json, catalog.tsv, sessions.txt, heldout.jsonl (tools/demo.sh's build/demo)
  --image-features  output of vitrine image-features for that catalog
  --out             where to write the sessions, examples, models and cold_start.json (default <demo>/cold-start)
  --vitrine         the CLI (default build/native/models/vitrine)
  --cold-fraction   share of the trained vocabulary made cold (default 0.1)
  --seed            choice of cold products and training seed (default 11)
  --dim, --epochs, --threads   passed to vitrine train (default 32, 3, 2)
  --max-examples    cap on warm test examples (default 4000; cold targets are all kept)
`;

/** Seeded choice of `count` distinct ids in 1..last-1 (the last id stays warm so the vocabulary keeps its size). */
export function pickCold(last, fraction, seed) {
  const random = mulberry32(seed);
  const ids = Array.from({ length: last - 1 }, (_, i) => i + 1);
  for (let i = ids.length - 1; i > 0; --i) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return new Set(ids.slice(0, Math.round(fraction * last)));
}

/** Training sessions without the cold products; sessions left with fewer than 2 views are dropped. */
export function warmSessions(lines, cold) {
  return lines.map((ids) => ids.filter((id) => !cold.has(id))).filter((ids) => ids.length >= 2);
}

/** label<TAB>prefix examples of held-out views, split by whether the label is cold. Ids past `last` are dropped. */
export function heldoutExamples(shoppers, nOf, cold, last) {
  const coldExamples = [],
    warmExamples = [];
  for (const shopper of shoppers) {
    for (const session of shopper.sessions) {
      const views = session.events
        .filter((e) => e[0] === 'view')
        .map((e) => nOf.get(e[1]))
        .filter((n) => n && n <= last);
      for (let k = 1; k < views.length; ++k) {
        const line = `${views[k]}\t${views.slice(0, k).join(' ')}`;
        (cold.has(views[k]) ? coldExamples : warmExamples).push(line);
      }
    }
  }
  return { coldExamples, warmExamples };
}

function run(vitrine, args) {
  return execFileSync(vitrine, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/**
 * Where each example's label falls among `candidates` (a Set of item ids, or null for every item), from `vitrine topk`
 * JSON lines listing the whole catalog: { above, tied } = candidates scored strictly higher / equal (label excluded).
 */
export function placesAmong(topkLines, candidates, nOfProduct) {
  // A model trained without a catalog names items by their decimal id.
  const idOf = (product) => nOfProduct.get(product) ?? Number(product);
  return topkLines.map((line) => {
    const { label, items, scores } = JSON.parse(line);
    const at = items.findIndex((id) => idOf(id) === label);
    if (at < 0) throw new Error(`label ${label} is missing from a topk line: the list must cover the catalog`);
    let above = 0,
      tied = 0;
    items.forEach((id, k) => {
      if (k === at || (candidates && !candidates.has(idOf(id)))) return;
      if (scores[k] > scores[at]) above += 1;
      else if (scores[k] === scores[at]) tied += 1;
    });
    return { above, tied };
  });
}

/**
 * HR@k, MRR@k and mean rank with ties broken at random, as expectations: products that share one vector (same
 * category, brand and price band, no photo) tie, and counting only strictly higher scores would rank the target
 * first among all its twins.
 */
export function expectedMetrics(places, k) {
  let hits = 0,
    reciprocal = 0,
    rank = 0;
  for (const { above, tied } of places) {
    const n = tied + 1; // the label is equally likely at each of ranks above+1 .. above+n
    for (let r = above + 1; r <= Math.min(above + n, k); ++r) {
      hits += 1 / n;
      reciprocal += 1 / (n * r);
    }
    rank += above + 1 + tied / 2;
  }
  return {
    examples: places.length,
    [`hr@${k}`]: hits / places.length,
    [`mrr@${k}`]: reciprocal / places.length,
    mean_rank: rank / places.length,
    tied_examples: places.filter((p) => p.tied > 0).length,
  };
}

function evaluate(vitrine, train, test, model, threads) {
  const summary = JSON.parse(
    run(vitrine, [
      'eval',
      '--train',
      train,
      '--test',
      test,
      '--model',
      model,
      '--baselines',
      'none',
      '--json',
      '--threads',
      String(threads),
      '--name',
      'demo-cold-start',
    ])
  );
  const m = summary.methods.model ?? Object.values(summary.methods)[0];
  return { examples: m.examples, 'hr@20': m['hr@20'], 'mrr@20': m['mrr@20'], tied_examples: m.tied_examples };
}

function main() {
  const o = parseArgs(
    process.argv.slice(2),
    {
      demo: 'build/demo',
      imageFeatures: '',
      out: '',
      vitrine: 'build/native/models/vitrine',
      coldFraction: 0.1,
      seed: 11,
      dim: 32,
      epochs: 3,
      threads: 2,
      maxExamples: 4000,
    },
    USAGE
  );
  if (!o.imageFeatures) throw new Error('--image-features is required');
  const out = o.out || path.join(o.demo, 'cold-start');
  mkdirSync(out, { recursive: true });
  const started = Date.now();

  const catalog = JSON.parse(readFileSync(path.join(o.demo, 'catalog.json'), 'utf8'));
  const nOf = new Map(catalog.products.map((p) => [p.id, p.n]));
  const lines = readFileSync(path.join(o.demo, 'sessions.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number));
  const last = Math.max(...lines.flat());
  const cold = pickCold(last, Number(o.coldFraction), Number(o.seed));
  const warm = warmSessions(lines, cold);
  if (Math.max(...warm.flat()) !== last)
    throw new Error('the largest item id became cold; the vocabulary would shrink');
  const shoppers = readFileSync(path.join(o.demo, 'heldout.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const { coldExamples, warmExamples } = heldoutExamples(shoppers, nOf, cold, last);
  const warmSample = warmExamples.slice(0, Number(o.maxExamples));
  if (coldExamples.length === 0) throw new Error('no held-out view of a cold product: nothing to measure');

  const files = {
    sessions: path.join(out, 'warm-sessions.txt'),
    catalog: path.join(out, 'train-catalog.tsv'),
    cold: path.join(out, 'cold-examples.tsv'),
    warm: path.join(out, 'warm-examples.tsv'),
  };
  writeFileSync(files.sessions, warm.map((ids) => ids.join(' ')).join('\n') + '\n');
  const tsv = readFileSync(path.join(o.demo, 'catalog.tsv'), 'utf8').trimEnd().split('\n');
  writeFileSync(
    files.catalog,
    [tsv[0], ...tsv.slice(1).filter((l) => Number(l.split('\t', 1)[0]) <= last)].join('\n') + '\n'
  );
  writeFileSync(files.cold, coldExamples.join('\n') + '\n');
  writeFileSync(files.warm, warmSample.join('\n') + '\n');

  const common = [
    '--train',
    files.sessions,
    '--unseen-content-only',
    '--dim',
    String(o.dim),
    '--epochs',
    String(o.epochs),
    '--seed',
    String(o.seed),
    '--threads',
    String(o.threads),
    '--quiet',
  ];
  // With the shop's catalog (category, brand, price band) and, as a shop without such data would be, without it.
  const variants = {
    catalog_content: ['--catalog', files.catalog],
    catalog_content_and_image: ['--catalog', files.catalog, '--image-features', o.imageFeatures],
    no_catalog: [],
    no_catalog_image_only: ['--image-features', o.imageFeatures],
  };
  const results = {};
  for (const [name, extra] of Object.entries(variants)) {
    const model = path.join(out, `${name}.vtm`);
    run(o.vitrine, ['train', ...common, ...extra, '--out', model]);
    const topk = run(o.vitrine, ['topk', '--model', model, '--test', files.cold, '--k', String(last)])
      .trim()
      .split('\n');
    results[name] = {
      train_flags: [...common.filter((a) => a !== '--quiet'), ...extra].join(' '),
      cold: expectedMetrics(placesAmong(topk, null, nOf), 20),
      new_in_listing: expectedMetrics(placesAmong(topk, cold, nOf), 10),
      // Warm products have id embeddings, so ties are rare there; vitrine eval counts them (tied_examples).
      warm: evaluate(o.vitrine, files.sessions, files.warm, model, o.threads),
    };
    console.log(
      `${name}: cold HR@20 ${(100 * results[name].cold['hr@20']).toFixed(2)}%  MRR@20 ` +
        `${(100 * results[name].cold['mrr@20']).toFixed(2)}%  (${results[name].cold.examples} targets); warm HR@20 ` +
        `${(100 * results[name].warm['hr@20']).toFixed(2)}%; new-in listing of ${cold.size}: HR@10 ` +
        `${(100 * results[name].new_in_listing['hr@10']).toFixed(2)}%, mean rank ${results[name].new_in_listing.mean_rank.toFixed(1)}`
    );
  }
  const report = {
    notice:
      'Simulated shoppers of the demo shop (tools/simulate_shoppers.mjs), not real people. Cold products: ' +
      "every training view of them removed; targets: held-out shoppers' views of them, ranked over the whole catalog.",
    command: `node tools/cold_start_eval.mjs ${process.argv.slice(2).join(' ')}`,
    catalog_items: last,
    cold_products: cold.size,
    training_sessions: warm.length,
    cold_targets: coldExamples.length,
    warm_targets: warmSample.length,
    chance_hr20: 20 / last,
    chance_new_in_hr10: 10 / cold.size,
    results,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(path.join(out, 'cold_start.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${path.join(out, 'cold_start.json')} (${report.seconds.toFixed(0)} s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
