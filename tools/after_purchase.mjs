#!/usr/bin/env node
// What shoppers do with a product after buying it, in a public shop log (the figures behind the bought-product rule
// of core/include/vitrine/ranker.h and docs/QUALITY.md):
//   node tools/after_purchase.mjs rees46 ../shared/data/rees46_multicategory_head/2019-Oct.csv
//   node tools/after_purchase.mjs taobao ../shared/data/taobao_userbehavior_head/UserBehavior.csv
// Per visitor, events in time order (stable for equal times). Prints, over all purchases: how many buy a product the
// same visitor bought before; of the visitor's later events, the share on the product just bought; of their later
// purchases, the share of that product and of other products of its category.
import { readFileSync } from 'node:fs';

const [format, file] = process.argv.slice(2);
if (!['rees46', 'taobao'].includes(format) || !file) {
  console.error('usage: node tools/after_purchase.mjs rees46|taobao LOG.csv');
  process.exit(2);
}

const byVisitor = new Map();
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
for (const line of format === 'rees46' ? lines.slice(1) : lines) {
  const f = line.split(',');
  let event;
  if (format === 'rees46') {
    // event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session
    if (f.length !== 9 || !f[8]) continue; // the file's last row is cut mid-line (PROVENANCE.md)
    event = { visitor: f[7], item: f[2], category: f[3], bought: f[1] === 'purchase', t: f[0] };
  } else {
    // user_id,item_id,category_id,behavior_type,timestamp (seconds)
    if (f.length !== 5) continue;
    event = { visitor: f[0], item: f[1], category: f[2], bought: f[3] === 'buy', t: Number(f[4]) };
  }
  if (!byVisitor.has(event.visitor)) byVisitor.set(event.visitor, []);
  byVisitor.get(event.visitor).push(event);
}

const n = { purchases: 0, rebought: 0, later: 0, laterSame: 0, laterBuys: 0, laterBuysSame: 0, laterBuysCategory: 0 };
for (const events of byVisitor.values()) {
  events.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const owned = new Set();
  events.forEach((e, i) => {
    if (!e.bought) return;
    n.purchases += 1;
    if (owned.has(e.item)) n.rebought += 1;
    owned.add(e.item);
    for (const later of events.slice(i + 1)) {
      n.later += 1;
      n.laterSame += later.item === e.item ? 1 : 0;
      if (!later.bought) continue;
      n.laterBuys += 1;
      if (later.item === e.item) n.laterBuysSame += 1;
      else if (later.category === e.category) n.laterBuysCategory += 1;
    }
  });
}
const pct = (a, b) => `${a} (${b ? ((100 * a) / b).toFixed(1) : '-'}%)`;
console.log(`${format}: ${n.purchases} purchases; a product the same visitor bought before: ${pct(n.rebought, n.purchases)}`);
console.log(`  ${n.later} later events; on the product just bought: ${pct(n.laterSame, n.later)}`);
console.log(`  ${n.laterBuys} later purchases; the same product: ${pct(n.laterBuysSame, n.laterBuys)}, ` +
  `another product of its category: ${pct(n.laterBuysCategory, n.laterBuys)}`);
