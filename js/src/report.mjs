// Private outcome reports (data-report): for shops without analytics, what a device tells the shop's endpoint so
// the merchant can measure uplift per holdout arm, and nothing more.
//
// At most once a day a device sends one report for its last active day (the latest day before today with stored
// events, not reported yet): its arm in the clear (a random draw, arm.mjs), and two outcomes of that day through
// randomized response, so no single report says whether this shopper bought or how much:
//   converted  1 if the day had a purchase: kept with probability e^eps / (1 + e^eps), else flipped;
//   revenue    the day's purchases (price x qty) as a bucket of REVENUE_BUCKET_UPPER: kept with probability
//              e^eps / (e^eps + k - 1), else one of the other k - 1 buckets, uniformly.
// The report carries its epsilons so the aggregator (`vitrine uplift`, models/eval/outcome_reports.h) can de-bias
// it. There is no identifier, no item, no time finer than the day (UTC), and it is sent without cookies or
// referrer. Epsilon: config.reportEpsilon per report, split evenly between the two outcomes; at most seven reports a
// week.
import { EventKind } from './event_kinds.mjs';

export const REPORT_VERSION = 1;
// Upper bounds of the revenue buckets, bucket 0 being no revenue; the last is open. Mirrors kRevenueBucketUpper
// (tests/js/outcome_reports.test.mjs compares it with `vitrine uplift --buckets`).
export const REVENUE_BUCKET_UPPER = Object.freeze([0, 25, 50, 100, 200, 500, Infinity]);
export const REPORTED_DAY_KEY = 'vitrine.reportedDay';
export const DEFAULT_REPORT_EPSILON = 2;

const DAY_MS = 24 * 60 * 60 * 1000;

/** 'YYYY-MM-DD' of a time in ms, in UTC. */
export function utcDay(ms) {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** The bucket of a day's revenue: 0 for none, then the first bucket whose upper bound holds it. */
export function revenueBucket(amount) {
  if (!(amount > 0)) return 0;
  return REVENUE_BUCKET_UPPER.findIndex((upper, i) => i > 0 && amount <= upper);
}

/** What a day's events say: a purchase or not, and the purchases' revenue (a missing price counts 0, qty 1). */
export function dayOutcome(events, day) {
  let converted = 0;
  let revenue = 0;
  for (const e of events) {
    if (e.kind !== EventKind.purchase || utcDay(e.t) !== day) continue;
    converted = 1;
    if (Number.isFinite(e.price) && e.price > 0)
      revenue += e.price * (Number.isInteger(e.qty) && e.qty > 0 ? e.qty : 1);
  }
  return { converted, revenue };
}

/**
 * Randomized response on both outcomes. `random()` is uniform in [0, 1): crypto-backed on the page (randomFrom),
 * seeded in simulations.
 */
export function privatize({ converted, revenue }, epsilon, random) {
  const k = REVENUE_BUCKET_UPPER.length;
  const bucket = revenueBucket(revenue);
  const keepBit = Math.exp(epsilon.converted) / (1 + Math.exp(epsilon.converted));
  const keepBucket = Math.exp(epsilon.revenue) / (Math.exp(epsilon.revenue) + k - 1);
  const reportedBit = random() < keepBit ? converted : 1 - converted;
  let reportedBucket = bucket;
  if (random() >= keepBucket) {
    const other = Math.min(k - 2, Math.floor(random() * (k - 1))); // one of the k - 1 others
    reportedBucket = other >= bucket ? other + 1 : other;
  }
  return { converted: reportedBit, revenue: reportedBucket };
}

/**
 * The report to send today, or null: for the latest day before `today` with events that is after `lastReported`.
 * @param {object[]} events stored events (storage.mjs records)
 * @param {{arm: 'on'|'off', today: string, lastReported: string|null, epsilon: number, random: () => number}} options
 */
export function reportFor(events, { arm, today, lastReported, epsilon, random }) {
  let day = null;
  for (const e of events) {
    const d = utcDay(e.t);
    if (d < today && (lastReported === null || d > lastReported) && (day === null || d > day)) day = d;
  }
  if (day === null) return null;
  const split = { converted: epsilon / 2, revenue: epsilon / 2 };
  const { converted, revenue } = privatize(dayOutcome(events, day), split, random);
  return { v: REPORT_VERSION, day, arm, converted, revenue, epsilon: split };
}

/** Uniform in [0, 1) from the page's crypto.getRandomValues (53 bits). */
export function randomFrom(crypto) {
  const words = new Uint32Array(2);
  return () => {
    crypto.getRandomValues(words);
    return (words[0] * 2 ** 21 + (words[1] >>> 11)) / 2 ** 53;
  };
}

/**
 * data-report: at most one report a day, for the last active day. The day is remembered before the report is sent,
 * so a failed send loses that day's report rather than ever sending two; where the day cannot be remembered
 * (storage blocked), nothing is sent. Sent with fetch, not sendBeacon, which always sends the shop's cookies.
 * @param {object} options
 * @param {Window} options.win
 * @param {string} options.url the shop's endpoint (config.report)
 * @param {'on'|'off'} options.arm
 * @param {number} options.epsilon per report (config.reportEpsilon)
 * @param {() => Promise<object[]>} options.storedEvents the history (the store's exportAll().events)
 * @param {() => boolean} options.isRunning checked again before anything is remembered or sent
 * @param {{warn: Function}} options.log
 */
export async function sendDailyReport({ win, url, arm, epsilon, storedEvents, isRunning, log }) {
  let storage;
  let remembered;
  try {
    storage = win.localStorage;
    remembered = storage.getItem(REPORTED_DAY_KEY);
  } catch {
    return; // storage blocked: the day could not be remembered
  }
  const lastReported = /^\d{4}-\d{2}-\d{2}$/.test(remembered ?? '') ? remembered : null;
  const report = reportFor(await storedEvents(), {
    arm,
    today: utcDay(Date.now()),
    lastReported,
    epsilon,
    random: randomFrom(win.crypto),
  });
  if (!report || !isRunning()) return;
  try {
    storage.setItem(REPORTED_DAY_KEY, report.day);
    if (storage.getItem(REPORTED_DAY_KEY) !== report.day) return;
  } catch {
    return;
  }
  try {
    // text/plain keeps it a simple request (no preflight).
    await win.fetch(url, {
      method: 'POST',
      body: JSON.stringify(report),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      keepalive: true,
      cache: 'no-store',
      headers: { 'Content-Type': 'text/plain' },
    });
  } catch (e) {
    log.warn('the outcome report could not be sent', e);
  }
}
