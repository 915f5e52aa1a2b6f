#!/usr/bin/env node
// What shoppers do with a product after buying it, in a public shop log (the figures behind the bought-product rule
// of core/include/vitrine/ranker.h and docs/QUALITY.md):
//   node tools/after_purchase.mjs rees46 ../shared/data/rees46_multicategory_head/2019-Oct.csv
//   node tools/after_purchase.mjs taobao ../shared/data/taobao_userbehavior_head/UserBehavior.csv
// Per visitor, events in time order (stable for equal times). Prints, over all purchases: how many buy a product the
// same visitor bought before; of the visitor's later events, the share on the product just bought; of their later
// purchases, the share of that product and of other products of its category.
import { FORMATS, groupBy, readPublicLog } from './public_logs.mjs';

const [format, file] = process.argv.slice(2);
if (!FORMATS.includes(format) || !file) {
  console.error('usage: node tools/after_purchase.mjs rees46|taobao LOG.csv');
  process.exit(2);
}

const visitors = groupBy(readPublicLog(format, file), 'visitor');
const bought = (e) => e.event === 'purchase' || e.event === 'buy';

const n = { purchases: 0, rebought: 0, later: 0, laterSame: 0, laterBuys: 0, laterBuysSame: 0, laterBuysCategory: 0 };
for (const events of visitors) {
  const owned = new Set();
  events.forEach((e, i) => {
    if (!bought(e)) return;
    n.purchases += 1;
    if (owned.has(e.item)) n.rebought += 1;
    owned.add(e.item);
    for (const later of events.slice(i + 1)) {
      n.later += 1;
      n.laterSame += later.item === e.item ? 1 : 0;
      if (!bought(later)) continue;
      n.laterBuys += 1;
      if (later.item === e.item) n.laterBuysSame += 1;
      else if (later.category === e.category) n.laterBuysCategory += 1;
    }
  });
}
const pct = (a, b) => `${a} (${b ? ((100 * a) / b).toFixed(1) : '-'}%)`;
console.log(
  `${format}: ${n.purchases} purchases; a product the same visitor bought before: ${pct(n.rebought, n.purchases)}`
);
console.log(`  ${n.later} later events; on the product just bought: ${pct(n.laterSame, n.later)}`);
console.log(
  `  ${n.laterBuys} later purchases; the same product: ${pct(n.laterBuysSame, n.laterBuys)}, ` +
    `another product of its category: ${pct(n.laterBuysCategory, n.laterBuys)}`
);
