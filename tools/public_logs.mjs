// The public shop logs beside the project (../shared/data/, see each PROVENANCE.md) read into one event shape, for
// the tools that measure on them: sessions_from_log.mjs, event_log_split.mjs and after_purchase.mjs.
import { readFileSync } from 'node:fs';

export const FORMATS = ['rees46', 'taobao'];

/** Taobao has no session id: a visitor's session ends after this long without an event. */
export const SESSION_GAP_MS = 30 * 60_000;

/**
 * Every well-formed event of the log, in file order:
 *   { t: ms, visitor, session, item, event, category, brand, price }
 * `event` is the log's own name (REES46: view, cart, purchase, remove_from_cart; Taobao: pv, cart, fav, buy).
 * REES46 sessions are its user_session; Taobao's are a visitor's events cut where SESSION_GAP_MS passes without one
 * (named `<visitor>-<first time>`). Malformed rows are left out: REES46's sample ends in a row cut mid-line.
 * @param {'rees46'|'taobao'} format
 * @param {string} file
 */
export function readPublicLog(format, file) {
  if (!FORMATS.includes(format)) throw new Error(`unknown log format ${format}: one of ${FORMATS.join(', ')}`);
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const events = [];
  if (format === 'rees46') {
    // event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session
    for (const line of lines.slice(1)) {
      const f = line.split(',');
      if (f.length !== 9 || !f[8]) continue;
      const t = Date.parse(f[0].replace(' UTC', 'Z').replace(' ', 'T'));
      events.push({
        t,
        visitor: f[7],
        session: f[8],
        item: f[2],
        event: f[1],
        category: f[3],
        brand: f[5],
        price: f[6],
      });
    }
    return events;
  }
  // user_id,item_id,category_id,behavior_type,timestamp (seconds)
  for (const line of lines) {
    const f = line.split(',');
    if (f.length !== 5) continue;
    events.push({
      t: Number(f[4]) * 1000,
      visitor: f[0],
      session: '',
      item: f[1],
      event: f[3],
      category: f[2],
      brand: '',
      price: '',
    });
  }
  const byVisitor = new Map();
  for (const e of events) {
    if (!byVisitor.has(e.visitor)) byVisitor.set(e.visitor, []);
    byVisitor.get(e.visitor).push(e);
  }
  for (const [visitor, own] of byVisitor) {
    const ordered = [...own].sort((a, b) => a.t - b.t);
    let session = null;
    let last = -Infinity;
    for (const e of ordered) {
      if (e.t - last > SESSION_GAP_MS) session = `${visitor}-${e.t}`;
      last = e.t;
      e.session = session;
    }
  }
  return events;
}

/**
 * The events grouped by `key` (a field name), each group in time order (ties in file order), groups in order of
 * first appearance.
 */
export function groupBy(events, key) {
  const groups = new Map();
  for (const e of events) {
    if (!groups.has(e[key])) groups.set(e[key], []);
    groups.get(e[key]).push(e);
  }
  for (const group of groups.values()) group.sort((a, b) => a.t - b.t);
  return [...groups.values()];
}

/**
 * The log's sessions, each its events in time order, stable-sorted by their first event's time. Before that sort
 * they are listed as the first benchmarks listed them (ties in time keep it): REES46's by the session's first
 * appearance in the file, Taobao's (cut per visitor) visitor by visitor, in order of the visitor's first appearance.
 * @param {ReturnType<typeof readPublicLog>} events
 * @param {'rees46'|'taobao'} format
 */
export function sessionsOf(events, format) {
  const sessions =
    format === 'rees46'
      ? groupBy(events, 'session')
      : groupBy(events, 'visitor').flatMap((own) => groupBy(own, 'session'));
  return sessions.sort((a, b) => a[0].t - b[0].t);
}
