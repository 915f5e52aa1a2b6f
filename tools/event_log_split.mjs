#!/usr/bin/env node
// Splits a public shop log into a training and a test event log for `vitrine train --events` and
// `vitrine eval --events --test-events` (docs/QUALITY.md, "Event kinds on real logs"):
//   node tools/event_log_split.mjs rees46 ../shared/data/rees46_multicategory_head/2019-Oct.csv OUT_DIR
//   node tools/event_log_split.mjs taobao ../shared/data/taobao_userbehavior_head/UserBehavior.csv OUT_DIR
// Sessions: REES46's user_session; Taobao's visitor events cut at 30 minutes of inactivity. The oldest 80% of
// sessions (by their first event) go to OUT_DIR/train.csv, the newest 20% to OUT_DIR/test.csv, every event kept
// with its kind under one header: timestamp (ms), visitor_id, session_id, item_id, event, category, brand, price.
// REES46's remove_from_cart rows are left out (not a kind the model reads) and counted. OUT_DIR/catalog.tsv lists the
// training log's SKUs in order of first appearance with their last category, brand and price (`vitrine train
// --catalog`), so that a model trained on part of the kinds keeps the same products. The data stays where it is:
// nothing is written into the repository.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [format, file, outDir] = process.argv.slice(2);
if (!['rees46', 'taobao'].includes(format) || !file || !outDir) {
  console.error('usage: node tools/event_log_split.mjs rees46|taobao LOG.csv OUT_DIR');
  process.exit(2);
}

const sessions = new Map(); // session id -> rows
let removed = 0;
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
if (format === 'rees46') {
  // event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f.length !== 9 || !f[8]) continue; // the file's last row is cut mid-line (PROVENANCE.md)
    if (f[1] === 'remove_from_cart') {
      removed += 1;
      continue;
    }
    const t = Date.parse(f[0].replace(' UTC', 'Z').replace(' ', 'T'));
    if (!sessions.has(f[8])) sessions.set(f[8], []);
    sessions.get(f[8]).push([t, f[7], f[8], f[2], f[1], f[3], f[5], f[6]]);
  }
} else {
  // user_id,item_id,category_id,behavior_type,timestamp (seconds)
  const byVisitor = new Map();
  for (const line of lines) {
    const f = line.split(',');
    if (f.length !== 5) continue;
    if (!byVisitor.has(f[0])) byVisitor.set(f[0], []);
    byVisitor.get(f[0]).push([Number(f[4]) * 1000, f[0], '', f[1], f[3], f[2], '', '']);
  }
  for (const [visitor, events] of byVisitor) {
    events.sort((a, b) => a[0] - b[0]);
    let id = null;
    let last = -Infinity;
    for (const e of events) {
      if (e[0] - last > 30 * 60_000) id = `${visitor}-${e[0]}`;
      last = e[0];
      e[2] = id;
      if (!sessions.has(id)) sessions.set(id, []);
      sessions.get(id).push(e);
    }
  }
}

const ordered = [...sessions.values()].map((rows) => rows.sort((a, b) => a[0] - b[0]));
ordered.sort((a, b) => a[0][0] - b[0][0]);
const cut = Math.floor(ordered.length * 0.8);
const header = 'timestamp,visitor_id,session_id,item_id,event,category,brand,price';
const write = (name, part) => {
  const rows = part.flat().sort((a, b) => a[0] - b[0]);
  writeFileSync(path.join(outDir, name), [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return rows.length;
};
mkdirSync(outDir, { recursive: true });
const trainRows = write('train.csv', ordered.slice(0, cut));
// The order `vitrine train --events` numbers the SKUs in: first appearance in the file, which is sorted by time.
const products = new Map();
for (const r of ordered.slice(0, cut).flat().sort((a, b) => a[0] - b[0])) {
  const known = products.get(r[3]) ?? { category: '', brand: '', price: '' };
  products.set(r[3], { category: r[5] || known.category, brand: r[6] || known.brand, price: r[7] || known.price });
}
writeFileSync(path.join(outDir, 'catalog.tsv'), ['id\tproduct_id\tcategory\tbrand\tprice',
  ...[...products].map(([sku, p], i) => [i + 1, sku, p.category, p.brand, p.price].join('\t'))].join('\n') + '\n');
const testRows = write('test.csv', ordered.slice(cut));
console.log(`${format}: ${cut} training sessions (${trainRows} events), ${ordered.length - cut} test sessions ` +
  `(${testRows} events)${removed ? `; ${removed} remove_from_cart rows left out` : ''}`);
