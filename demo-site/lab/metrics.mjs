// What the lab accumulates while it replays: ranks of the true next item and the time of each top-K call.
//
// RankHistogram mirrors vitrine::MetricAccumulator (core/include/vitrine/metrics.h), which `vitrine eval` uses: a
// count per rank 1..cutoff plus the total, and HR/MRR summed rank by rank in the same order, so equal ranks give
// bit-identical figures in the browser and natively.

export const CUTOFF = 20;

export class RankHistogram {
  constructor(cutoff = CUTOFF) {
    this.cutoff = cutoff;
    this.rankCounts = new Array(cutoff).fill(0); // [r - 1] = examples whose item came at rank r
    this.count = 0;
  }

  /** rank: 1-based position of the true item in the top-`cutoff` list, 0 when it is not in it. */
  add(rank) {
    if (!Number.isInteger(rank) || rank < 0) throw new RangeError(`rank must be a non-negative integer, got ${rank}`);
    if (rank >= 1 && rank <= this.cutoff) this.rankCounts[rank - 1] += 1;
    this.count += 1;
  }

  /** Hits, HR@k and MRR@k as fractions in [0, 1]; zeros before any example. */
  at(k = this.cutoff) {
    if (!(k >= 1 && k <= this.cutoff)) throw new RangeError(`cutoff ${k} is outside 1..${this.cutoff}`);
    let hits = 0,
      rr = 0;
    for (let r = 1; r <= k; ++r) {
      const n = this.rankCounts[r - 1];
      hits += n;
      rr += n / r;
    }
    return {
      k,
      hits,
      examples: this.count,
      hitRate: this.count ? hits / this.count : 0,
      mrr: this.count ? rr / this.count : 0,
    };
  }
}

/** Nearest-rank percentile of an ascending array (p in (0, 100]). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Times in ms, growing without copying on every add. */
export class LatencyLog {
  #values = new Float64Array(1024);
  length = 0;

  addAll(times) {
    if (this.length + times.length > this.#values.length) {
      const grown = new Float64Array(Math.max(this.#values.length * 2, this.length + times.length));
      grown.set(this.#values.subarray(0, this.length));
      this.#values = grown;
    }
    this.#values.set(times, this.length);
    this.length += times.length;
  }

  /** Ascending copy. */
  sorted() {
    return this.#values.slice(0, this.length).sort();
  }
}

/** p50, p95, p99, min and max of an ascending array. */
export function latencySummary(sorted) {
  return {
    calls: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}
