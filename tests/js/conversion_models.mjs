// Models with and without a conversion head, trained for the tests by the real CLI (`vitrine train --events`) on a
// generated shop log (not a test file itself; tests/js/conversion.test.mjs and
// tests/browser/conversion.browser.test.mjs use it). Needs the native build (VITRINE_NATIVE_BUILD, default
// build/native). Trained once per log and trainer binary and cached in the native build folder; never committed.
//
// The shop: 24 products in 3 categories, each product with its own price. After a view, a "hot" product is added to
// the cart 45% of the time, a "mid" one 15%, a "cold" one 2%; a cart becomes a purchase at the end of the visit 60%
// of the time. Everything else is the same for the three groups: each category holds some of each, visitors look at
// products uniformly at random, so only the products' own cart and purchase rates tell them apart.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { mulberry32 } from '../../tools/random.mjs';
import { nativeBuildDir, vitrineCli } from '../support/test_model.mjs';

export const HOT = ['hot-0', 'hot-1', 'hot-2', 'hot-3', 'hot-4', 'hot-5', 'hot-6', 'hot-7'];
export const MID = ['mid-0', 'mid-1', 'mid-2', 'mid-3', 'mid-4', 'mid-5', 'mid-6', 'mid-7'];
export const COLD = ['cold-0', 'cold-1', 'cold-2', 'cold-3', 'cold-4', 'cold-5', 'cold-6', 'cold-7'];
const CART_RATE = new Map([
  ...HOT.map((id) => [id, 0.45]),
  ...MID.map((id) => [id, 0.15]),
  ...COLD.map((id) => [id, 0.02]),
]);
const PURCHASE_AFTER_CART = 0.6;
const PRODUCTS = [...HOT, ...MID, ...COLD];
const categoryOf = (id) => `cat-${Number(id.split('-')[1]) % 3}`;
const priceOf = (id) => 10 + 5 * PRODUCTS.indexOf(id);

/**
 * The log's rows (header first), oldest first: `visitors` visitors with `visits` visits each, two days apart.
 * kinds: which event kinds are kept ('view' always; 'add_to_cart' and 'purchase' when listed).
 */
export function conversionLog({
  visitors = 400,
  visits = 4,
  seed = 11,
  kinds = ['view', 'add_to_cart', 'purchase'],
} = {}) {
  const random = mulberry32(seed);
  const start = Date.UTC(2026, 0, 5, 8);
  const rows = [];
  for (let v = 0; v < visitors; ++v) {
    for (let visit = 0; visit < visits; ++visit) {
      let t = start + visit * 2 * 86_400_000 + v * 97_000;
      const session = `s-${v}-${visit}`;
      const carted = [];
      const views = 3 + Math.floor(random() * 5);
      for (let i = 0; i < views; ++i) {
        t += 5_000 + Math.floor(random() * 40_000);
        const id = PRODUCTS[Math.floor(random() * PRODUCTS.length)];
        rows.push([t, `v-${v}`, session, id, 'view', priceOf(id), categoryOf(id)]);
        if (random() < CART_RATE.get(id)) {
          rows.push([t + 2_000, `v-${v}`, session, id, 'add_to_cart', priceOf(id), categoryOf(id)]);
          carted.push(id);
        }
      }
      for (const id of carted) {
        t += 3_000;
        if (random() < PURCHASE_AFTER_CART)
          rows.push([t, `v-${v}`, session, id, 'purchase', priceOf(id), categoryOf(id)]);
      }
    }
  }
  const kept = rows.filter((r) => kinds.includes(r[4]));
  return [
    'timestamp,visitor_id,session_id,item_id,event,price,category',
    ...kept.map((r) => [new Date(r[0]).toISOString(), ...r.slice(1)].join(',')),
  ];
}

/** Trains (or finds in the cache) a model on conversionLog(options). @returns {{model: string, bytes: Buffer}} */
export function trainOnLog(options = {}) {
  if (!existsSync(vitrineCli)) throw new Error(`${vitrineCli} is missing: build the native tree first`);
  const text = `${conversionLog(options).join('\n')}\n`;
  // The trainer's own bytes are part of the key: a rebuilt trainer trains again.
  const binary = statSync(vitrineCli);
  const key = createHash('sha256').update(text).update(`${binary.size} ${binary.mtimeMs}`).digest('hex').slice(0, 16);
  const dir = path.join(nativeBuildDir, 'test-model');
  const model = path.join(dir, `conversion-${key}.vtm`);
  if (!existsSync(model)) {
    mkdirSync(dir, { recursive: true });
    const log = path.join(dir, `conversion-${key}.csv`);
    writeFileSync(log, text);
    const partial = `${model}.partial`;
    execFileSync(
      vitrineCli,
      [
        'train',
        '--events',
        log,
        '--out',
        partial,
        '--epochs',
        '3',
        '--dim',
        '16',
        '--batch',
        '64',
        '--threads',
        '2',
        '--seed',
        '3',
        '--quiet',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] }
    );
    renameSync(partial, model);
  }
  return { model, bytes: readFileSync(model) };
}

/** The three models of the tests: with carts and purchases, with carts only, with views only. */
export function conversionModels() {
  return {
    both: trainOnLog(),
    cartOnly: trainOnLog({ kinds: ['view', 'add_to_cart'] }),
    viewsOnly: trainOnLog({ kinds: ['view'] }),
  };
}

export { priceOf };
