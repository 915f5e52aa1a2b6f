#!/usr/bin/env node
// Writes js/benchmark/baselines.json: every model figure of the project beside its baselines, each with the
// command that produced it, gathered from the reports those commands wrote (never typed by hand):
//   models/diginetica/summary.json   `vitrine eval` of the shipped Diginetica model and its ranking baselines
//   models/image/cnn_summary.json    `vitrine image-features --summary`: the product-photo CNN on Fashion-MNIST
//   models/image/cold_start.json     tools/cold_start_eval.mjs: products with no history, with and without photos
//
//   node tools/build_baselines.mjs [--check]   (--check: exit 1 if the committed file is not what it would write)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BASELINES_FILE = path.join(ROOT, 'js/benchmark/baselines.json');

const readJson = (relative) => JSON.parse(readFileSync(path.join(ROOT, relative), 'utf8'));
const percent = (fraction) => Math.round(fraction * 10000) / 100;

function diginetica() {
  const s = readJson('models/diginetica/summary.json');
  const command =
    `build/native/models/vitrine eval --train ${s.train} --test ${s.test} --model models/diginetica/model.vtm ` +
    `--out models/diginetica --name ${s.dataset}`;
  return {
    task: `next-item ranking over all ${s.catalog_size} items, ${s.examples} test examples of the published split`,
    source: 'models/diginetica/summary.json',
    metrics: 'HR@20 and MRR@20 in %',
    results: Object.entries(s.methods).map(([key, m]) => ({
      method: key === 'model' ? `Vitrine session model (${m.name})` : m.name,
      'hr@20': percent(m['hr@20']),
      'mrr@20': percent(m['mrr@20']),
      command,
    })),
  };
}

function imageCnn() {
  const s = readJson('models/image/cnn_summary.json');
  const command = s.command; // `vitrine` is the native CLI (build/native/models/vitrine)
  return {
    task:
      `Fashion-MNIST classification: trained on ${s.train_images} train images, accuracy on the ${s.test_images} ` +
      "test images (the split the demo catalog's photos come from)",
    source: 'models/image/cnn_summary.json',
    metrics: 'accuracy in %',
    results: [
      {
        method: `CNN (${s.architecture}), ${s.epochs} epochs`,
        test_accuracy: percent(s.cnn_test_accuracy),
        train_accuracy: percent(s.cnn_train_accuracy),
        command,
      },
      {
        method: 'nearest class centroid on raw pixels',
        test_accuracy: percent(s.nearest_centroid_test_accuracy),
        command,
      },
      { method: 'chance (10 balanced classes)', test_accuracy: percent(s.chance_accuracy), command },
    ],
  };
}

function coldStart() {
  const s = readJson('models/image/cold_start.json');
  const row = (method, r) => ({
    method,
    'cold hr@20': percent(r.cold['hr@20']),
    'cold mrr@20': percent(r.cold['mrr@20']),
    'warm hr@20': percent(r.warm['hr@20']),
    'warm mrr@20': percent(r.warm['mrr@20']),
    'new-in hr@10': percent(r.new_in_listing['hr@10']),
    'new-in mrr@10': percent(r.new_in_listing['mrr@10']),
    command: s.command,
  });
  return {
    task:
      `demo shop, simulated shoppers: ${s.cold_products} of ${s.catalog_items} products never seen in training; ` +
      `${s.cold_targets} held-out views of them (cold) and ${s.warm_targets} of other products (warm), ranked over the ` +
      `whole catalog; new-in: the cold target ranked among the ${s.cold_products} cold products only`,
    source: 'models/image/cold_start.json',
    metrics:
      'in %: HR@20 / MRR@20 over the whole catalog (cold and warm targets), HR@10 / MRR@10 within the new-in ' +
      'listing of cold products; ties broken at random in expectation',
    results: [
      row('session model, catalog content (category, brand, price band)', s.results.catalog_content),
      row('session model, catalog content + CNN photo embeddings', s.results.catalog_content_and_image),
      row('session model, no catalog (ids only)', s.results.no_catalog),
      row('session model, no catalog, CNN photo embeddings', s.results.no_catalog_image_only),
      {
        method: 'chance',
        'cold hr@20': percent(s.chance_hr20),
        'new-in hr@10': percent(s.chance_new_in_hr10),
        command: `20 / ${s.catalog_items} items; 10 / ${s.cold_products} cold products`,
      },
    ],
  };
}

export function buildBaselines() {
  return {
    generated_by: 'node tools/build_baselines.mjs',
    notice: "Figures come from the reports named in each section's source, written by the command beside each figure.",
    image_classification: imageCnn(),
    cold_start: coldStart(),
    diginetica_ranking: diginetica(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = JSON.stringify(buildBaselines(), null, 2) + '\n';
  if (process.argv.includes('--check')) {
    const current = readFileSync(BASELINES_FILE, 'utf8');
    if (current !== text) {
      console.error(`${path.relative(ROOT, BASELINES_FILE)} is out of date: run node tools/build_baselines.mjs`);
      process.exit(1);
    }
    console.log(`${path.relative(ROOT, BASELINES_FILE)} is up to date`);
  } else {
    writeFileSync(BASELINES_FILE, text);
    console.log(`wrote ${path.relative(ROOT, BASELINES_FILE)}`);
  }
}
