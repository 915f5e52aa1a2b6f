// Builds what the demo's evaluation lab (demo-site/lab.html) replays and compares against, into --out
// (build/demo/lab/ in tools/demo.sh; never committed, since it holds research data):
//
//   sample.tsv   the default sample of the test examples: every --every-th line (20: 3,043 of Diginetica's 60,858),
//                starting with the first, so it spans the whole split
//   all.tsv      every test example, for a full replay on request
//   model.vtm    the model the page loads (a copy of --model)
//   lab.json     everything the page shows beside its own figures: the native evaluator (`vitrine eval --json`) on
//                the same sample, the committed full-split report, the published SR-GNN figure, model and bundle sizes
//
// When the test data is missing it says so, writes lab.json with data.state "missing" (the page explains how to
// provide the data) and exits 0, so the demo still builds. Malformed data is an error (file:line) and exit 1.
//
//   node tools/build_lab_data.mjs [--data ../shared/data/diginetica] [--model models/diginetica/model.vtm]
//       [--out build/demo/lab] [--every 20] [--cli build/native/models/vitrine] [--dist build/wasm/dist]
//       [--summary models/diginetica/summary.json] [--name diginetica]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fileSize, shippedSize } from '../bench/shipped_size.mjs';
import { everyKth, formatExample, parseExamples } from '../demo-site/lab/examples.mjs';
import { parseArgs, writeIfChanged } from './demo/files.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULTS = {
  data: path.resolve(process.env.VITRINE_DATA ?? path.join(repoRoot, '../shared/data'), 'diginetica'),
  model: path.join(repoRoot, 'models/diginetica/model.vtm'),
  out: path.join(repoRoot, 'build/demo/lab'),
  every: 20,
  cli: path.join(repoRoot, 'build/native/models/vitrine'),
  dist: path.join(repoRoot, 'build/wasm/dist'),
  summary: path.join(repoRoot, 'models/diginetica/summary.json'),
  name: 'diginetica',
};

// Only SR-GNN's figure is checked against a second source (the data's PROVENANCE.md); it was measured on the full
// published test split with the same protocol (full ranking, HR@20 / MRR@20).
const PUBLISHED = {
  diginetica: [
    {
      name: 'SR-GNN',
      hr20: 0.5073,
      mrr20: 0.1759,
      source: 'Wu et al., Session-based Recommendation with Graph Neural Networks, AAAI 2019 (full test split)',
    },
  ],
};

// Paths as the page shows them: relative to the repository when inside or beside it.
const shown = (p) => path.relative(repoRoot, p) || '.';

/** Builds the lab's files; returns the manifest written to lab.json. Throws on malformed data or a failed eval. */
export function buildLabData(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const train = path.join(o.data, 'train_sessions.txt');
  const test = path.join(o.data, 'test_examples.tsv');
  const manifest = {
    format: 1,
    dataset: o.name,
    data: { state: 'ready', dir: shown(o.data), files: ['train_sessions.txt', 'test_examples.tsv'] },
    published: PUBLISHED[o.name] ?? [],
    model: { file: 'model.vtm', source: shown(o.model), ...fileSize(o.model) },
    bundle: shippedSize(o.dist),
  };
  writeIfChanged(path.join(o.out, 'model.vtm'), readFileSync(o.model));

  const missing = [train, test].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    manifest.data = { ...manifest.data, state: 'missing', missing: missing.map(shown) };
    for (const stale of ['sample.tsv', 'all.tsv']) rmSync(path.join(o.out, stale), { force: true });
    writeIfChanged(path.join(o.out, 'lab.json'), JSON.stringify(manifest, null, 1) + '\n');
    return manifest;
  }

  const examples = parseExamples(readFileSync(test, 'utf8'), test);
  const sample = everyKth(examples, o.every);
  writeIfChanged(path.join(o.out, 'all.tsv'), examples.map(formatExample).join('\n') + '\n');
  const samplePath = path.join(o.out, 'sample.tsv');
  writeIfChanged(samplePath, sample.map(formatExample).join('\n') + '\n');

  const args = ['eval', '--train', train, '--test', samplePath, '--model', o.model, '--json', '--name', o.name];
  if (!existsSync(o.cli))
    throw new Error(`${o.cli} is missing: build the native CLI first (cmake --build <dir> --target vitrine)`);
  const native = JSON.parse(
    execFileSync(o.cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 })
  );
  manifest.sample = {
    file: 'sample.tsv',
    every: o.every,
    examples: sample.length,
    rule: `every ${o.every === 1 ? '' : ordinal(o.every) + ' '}test example, starting with the first`,
  };
  manifest.full = { file: 'all.tsv', examples: examples.length };
  manifest.native = {
    sample: {
      command: ['vitrine', ...args.map((a) => (path.isAbsolute(a) ? shown(a) : a))].join(' '),
      methods: native.methods,
      examples: native.examples,
    },
    full: fullSplitReport(o.summary, examples.length),
  };
  writeIfChanged(path.join(o.out, 'lab.json'), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}

// The committed report of `vitrine eval` on the whole test file, when it covers exactly these examples.
function fullSplitReport(summaryPath, examples) {
  if (!summaryPath || !existsSync(summaryPath)) return null;
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  if (summary.examples !== examples) return null;
  return { source: shown(summaryPath), methods: summary.methods, examples: summary.examples };
}

function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const usage =
    'usage: node tools/build_lab_data.mjs [--data DIR] [--model FILE] [--out DIR] [--every K] [--cli FILE] ' +
    '[--dist DIR] [--summary FILE] [--name NAME]\n';
  const o = parseArgs(process.argv.slice(2), DEFAULTS, usage);
  for (const key of ['data', 'model', 'out', 'cli', 'dist', 'summary']) o[key] = path.resolve(o[key]);
  try {
    const m = buildLabData(o);
    if (m.data.state === 'missing') {
      console.log(
        `EVALUATION LAB: DATA MISSING: ${m.data.missing.join(', ')} not found. The demo builds without it and ` +
          `its lab page explains how to provide the data (${m.data.dir}).`
      );
    } else {
      const model = m.native.sample.methods.model;
      console.log(
        `evaluation lab: ${m.sample.examples} sample examples (${m.sample.rule}) of ${m.full.examples}; native ` +
          `HR@20 ${(100 * model['hr@20']).toFixed(2)}%, MRR@20 ${(100 * model['mrr@20']).toFixed(2)}% -> ${shown(o.out)}/`
      );
    }
  } catch (error) {
    const message = String(error.stderr || error.message).trim();
    writeIfChanged(
      path.join(o.out, 'lab.json'),
      JSON.stringify({ format: 1, dataset: o.name, data: { state: 'error', dir: shown(o.data), message } }, null, 1) +
        '\n'
    );
    console.error(`build_lab_data: ${message}`);
    process.exit(1);
  }
}
