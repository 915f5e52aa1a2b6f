// Seeded randomness for the demo data: the same seed gives byte-identical catalogs and shoppers on every machine.

import { mulberry32 } from '../random.mjs';

/** A seeded generator with helpers for the demo's data. */
export function rng(seed) {
  const next = mulberry32(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    /** Standard normal (Box-Muller). */
    normal() {
      const u = Math.max(next(), 1e-12),
        v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    /** Index drawn with probability proportional to weights[i] (non-negative). */
    weighted(weights) {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < weights.length; ++i) {
        r -= weights[i];
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    shuffle(list) {
      for (let i = list.length - 1; i > 0; --i) {
        const j = Math.floor(next() * (i + 1));
        [list[i], list[j]] = [list[j], list[i]];
      }
      return list;
    },
  };
}

/** Derives an independent seed for a named stream, so adding a new stream never shifts the others. */
export function subSeed(seed, name) {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}
