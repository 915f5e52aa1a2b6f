// Seeded randomness shared by the tools, the benchmarks and the tests: the same seed gives the same numbers on
// every machine, so generated data and inputs are reproducible.

/** mulberry32: a tiny, fast, seedable generator of floats in [0, 1). Not for anything secret. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
