#!/usr/bin/env node
// Turns a public shop log into a session benchmark for `vitrine train` / `vitrine eval` (docs/QUALITY.md):
//   node tools/sessions_from_log.mjs rees46 ../shared/data/rees46_multicategory_head/2019-Oct.csv OUT_DIR
//   node tools/sessions_from_log.mjs taobao ../shared/data/taobao_userbehavior_head/UserBehavior.csv OUT_DIR
// Every event of the log is one click on its product, in time order (REES46: sessions are its user_session;
// Taobao: a visitor's events cut at 30 minutes of inactivity). Sessions of one event are dropped; the oldest 80%
// of sessions (by their first event) train, the newest 20% test. Items are numbered by first appearance in the
// training part; test items it never saw are dropped, and each test session of n items gives n-1 examples, longest
// prefix first (the SR-GNN protocol). Writes OUT_DIR/train_sessions.txt and OUT_DIR/test_examples.tsv, and prints
// the repeat share of the test labels. The data stays where it is: nothing is written into the repository.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { FORMATS, readPublicLog, sessionsOf } from './public_logs.mjs';

const [format, file, outDir] = process.argv.slice(2);
if (!FORMATS.includes(format) || !file || !outDir) {
  console.error('usage: node tools/sessions_from_log.mjs rees46|taobao LOG.csv OUT_DIR');
  process.exit(2);
}

const sessions = sessionsOf(readPublicLog(format, file), format).map((events) => ({
  start: events[0].t,
  items: events.map((e) => e.item),
}));

const kept = sessions.filter((s) => s.items.length >= 2);
kept.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
const cut = Math.floor(kept.length * 0.8);
const ids = new Map();
const train = kept.slice(0, cut).map((s) =>
  s.items.map((item) => {
    if (!ids.has(item)) ids.set(item, ids.size + 1);
    return ids.get(item);
  })
);
const examples = [];
let repeats = 0;
for (const s of kept.slice(cut)) {
  const known = s.items.filter((item) => ids.has(item)).map((item) => ids.get(item));
  for (let k = known.length - 1; k >= 1; --k) {
    const prefix = known.slice(0, k);
    examples.push(`${known[k]}\t${prefix.join(' ')}`);
    if (prefix.includes(known[k])) repeats += 1;
  }
}
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'train_sessions.txt'), train.map((s) => s.join(' ')).join('\n') + '\n');
writeFileSync(path.join(outDir, 'test_examples.tsv'), examples.join('\n') + '\n');
console.log(
  `${format}: ${train.length} training sessions, ${ids.size} items, ${examples.length} test examples, ` +
    `repeat share ${((100 * repeats) / Math.max(1, examples.length)).toFixed(1)}%`
);
