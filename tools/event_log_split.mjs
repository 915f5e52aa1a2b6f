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
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { FORMATS, readPublicLog, sessionsOf } from './public_logs.mjs';

const [format, file, outDir] = process.argv.slice(2);
if (!FORMATS.includes(format) || !file || !outDir) {
  console.error('usage: node tools/event_log_split.mjs rees46|taobao LOG.csv OUT_DIR');
  process.exit(2);
}

// Remove-from-cart rows are not a kind the model reads: left out before sessions are formed.
const all = readPublicLog(format, file);
const kept = all.filter((e) => e.event !== 'remove_from_cart');
const removed = all.length - kept.length;
const ordered = sessionsOf(kept, format).map((events) =>
  events.map((e) => [e.t, e.visitor, e.session, e.item, e.event, e.category, e.brand, e.price])
);
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
for (const r of ordered
  .slice(0, cut)
  .flat()
  .sort((a, b) => a[0] - b[0])) {
  const known = products.get(r[3]) ?? { category: '', brand: '', price: '' };
  products.set(r[3], { category: r[5] || known.category, brand: r[6] || known.brand, price: r[7] || known.price });
}
writeFileSync(
  path.join(outDir, 'catalog.tsv'),
  [
    'id\tproduct_id\tcategory\tbrand\tprice',
    ...[...products].map(([sku, p], i) => [i + 1, sku, p.category, p.brand, p.price].join('\t')),
  ].join('\n') + '\n'
);
const testRows = write('test.csv', ordered.slice(cut));
console.log(
  `${format}: ${cut} training sessions (${trainRows} events), ${ordered.length - cut} test sessions ` +
    `(${testRows} events)${removed ? `; ${removed} remove_from_cart rows left out` : ''}`
);
