#!/usr/bin/env node
// Optional check against the real Diginetica split (never run by the test suites, never copies the data):
//   node models/eval/check_diginetica.mjs [native build dir]      (data: VITRINE_DATA, default ../shared/data)
// 1. re-expanding test_sessions.txt must give test_examples.tsv line for line (the expansion order);
// 2. `vitrine eval` must reproduce the reference baselines of PROVENANCE.md (HR@20 / MRR@20 in percent,
//    to the printed two decimals): POP 0.93/0.21, S-POP 21.08/13.69, Markov-1 34.75/12.96.
// Exit 0 when both hold, 1 when one fails, 3 when the data is missing (said on stderr).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = path.resolve(process.env.VITRINE_DATA ?? path.join(root, '../shared/data'), 'diginetica');
const build = path.resolve(process.argv[2] ?? path.join(root, 'build/native'));
const files = ['train_sessions.txt', 'test_sessions.txt', 'test_examples.tsv'].map((f) => path.join(dataDir, f));
const missing = files.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.error(`DIGINETICA DATA MISSING: ${missing.join(', ')} not found; this check did not run.`);
  process.exit(3);
}

let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  failed ||= !ok;
};

// Expansion order: longest prefix first within each session.
const lines = (f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const expanded = [];
for (const line of lines(files[1])) {
  const s = line.split(' ');
  for (let k = s.length - 1; k >= 1; --k) expanded.push(`${s[k]}\t${s.slice(0, k).join(' ')}`);
}
const examples = lines(files[2]);
check(
  expanded.length === examples.length && expanded.every((e, i) => e === examples[i]),
  `expanding test_sessions.txt gives test_examples.tsv (${expanded.length} vs ${examples.length} lines)`
);

const binary = path.join(build, 'models/vitrine');
const r = spawnSync(binary, ['eval', '--train', files[0], '--test', files[2], '--json'], { encoding: 'utf8' });
if (r.status !== 0) {
  console.error(r.error?.message ?? r.stderr);
  process.exit(1);
}
const summary = JSON.parse(r.stdout);
const reference = { pop: [0.93, 0.21], spop: [21.08, 13.69], markov: [34.75, 12.96] };
for (const [key, [hr, mrr]] of Object.entries(reference)) {
  const m = summary.methods[key];
  const got = [(100 * m['hr@20']).toFixed(2), (100 * m['mrr@20']).toFixed(2)];
  check(
    got[0] === hr.toFixed(2) && got[1] === mrr.toFixed(2),
    `${m.name}: HR@20 ${got[0]} MRR@20 ${got[1]} (reference ${hr.toFixed(2)} / ${mrr.toFixed(2)})`
  );
}
const knn = summary.methods.itemknn;
console.log(
  `info Item-KNN: HR@20 ${(100 * knn['hr@20']).toFixed(2)} MRR@20 ${(100 * knn['mrr@20']).toFixed(2)} ` +
    '(published 35.75 / 11.57, different definition; see models/eval/baselines.h)'
);
process.exit(failed ? 1 : 0);
