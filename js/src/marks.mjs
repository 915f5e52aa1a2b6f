// User Timing entries for Vitrine's own work, named 'vitrine:<step>': marks for the steps of start-up (in the page
// and, with their own clock, in the worker) and measures for each stretch of work Vitrine does on the page's main
// thread, so a profiler or bench/page_shift.mjs can tell Vitrine's share of a long task. One timeline entry each.

/** The mark 'vitrine:<name>', with `detail` (structured-cloneable) when given. */
export function mark(name, detail) {
  try {
    globalThis.performance?.mark?.(`vitrine:${name}`, detail === undefined ? undefined : { detail });
  } catch {
    // no User Timing: nothing to record
  }
}

/** Runs fn() and records it as the measure 'vitrine:<name>' (also when it throws). */
export function measured(name, fn) {
  const perf = globalThis.performance;
  const start = perf?.now?.();
  try {
    return fn();
  } finally {
    try {
      if (start !== undefined) perf.measure(`vitrine:${name}`, { start, end: perf.now() });
    } catch {
      // no User Timing Level 3: nothing to record
    }
  }
}
