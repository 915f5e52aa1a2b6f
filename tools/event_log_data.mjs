// The seeded shop log of the event-log benchmarks (bench/event_log_training.mjs, bench/event_log_memory.mjs): visitors
// who come back, sessions of views (a category walk: the next product is usually near the last one) with some carts
// and purchases, and optionally the list each session was shown first (impressions). Nobody real is in it. As a
// command, for logs of any length:
//   node tools/event_log_data.mjs --out LOG.csv --rows N [--items N] [--listed N] [--visitors-only] [--seed N]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

import { mulberry32 } from './random.mjs';

// Writes `rows` CSV rows to logPath (columns timestamp, visitor_id, session_id unless sessionColumn is false,
// item_id, event, price) and, with sessionsPath, the same sessions' items as a session file (`vitrine train --train`).
// items: the catalog's size (default rows / 40, at least 200). listed > 0: each session starts with that many
// impression rows, the products next to its first one, as a category page shows them; with 0 the log is the same
// as before the option existed. Returns the catalog size and the number of sessions.
export async function writeSeededLog({
  logPath,
  sessionsPath = null,
  rows,
  sessionColumn = true,
  seed = 13,
  items: catalogSize = 0,
  listed = 0,
}) {
  const streams = [createWriteStream(logPath), ...(sessionsPath ? [createWriteStream(sessionsPath)] : [])];
  const [log, sessionsOut] = streams;
  // Text is handed to the streams in chunks of about 1 MB: one write per row would cost more than the rows.
  const pending = new Map(streams.map((s) => [s, []]));
  const sizes = new Map(streams.map((s) => [s, 0]));
  const write = async (stream, text) => {
    pending.get(stream).push(text);
    sizes.set(stream, sizes.get(stream) + text.length);
    if (sizes.get(stream) < 1 << 20) return;
    const ready = stream.write(pending.get(stream).join(''));
    pending.set(stream, []);
    sizes.set(stream, 0);
    if (!ready) await once(stream, 'drain');
  };
  await write(log, `timestamp,visitor_id,${sessionColumn ? 'session_id,' : ''}item_id,event,price\n`);
  const random = mulberry32(seed);
  const items = catalogSize > 0 ? catalogSize : Math.max(200, Math.round(rows / 40));
  const visitors = Math.max(50, Math.round(rows / 60));
  let written = 0;
  let session = 0;
  let time = Date.UTC(2026, 0, 1);
  while (written < rows) {
    session += 1;
    const visitor = 1 + Math.floor(random() * visitors);
    const length = 2 + Math.floor(random() * 10);
    const line = [];
    let item = 1 + Math.floor(random() * random() * items);
    for (let k = 0; k < listed && written < rows; ++k) {
      time += 200;
      const shown = 1 + ((item + k) % items);
      await write(log, `${time},v${visitor},${sessionColumn ? `s${session},` : ''}sku-${shown},impression,\n`);
      written += 1;
    }
    for (let k = 0; k < length && written < rows; ++k) {
      time += 1000 + Math.floor(random() * 60000);
      // Next item: near the last one most of the time (a category walk), anywhere otherwise.
      item =
        random() < 0.7 ? 1 + ((item + Math.floor(random() * 7)) % items) : 1 + Math.floor(random() * random() * items);
      const price = (5 + (item % 50) * 3).toFixed(2);
      const events = ['view'];
      if (random() < 0.06) events.push('add_to_cart');
      if (events.length === 2 && random() < 0.5) events.push('purchase');
      for (const event of events) {
        await write(log, `${time},v${visitor},${sessionColumn ? `s${session},` : ''}sku-${item},${event},${price}\n`);
        line.push(item);
        written += 1;
      }
    }
    if (sessionsOut && line.length > 0) await write(sessionsOut, line.join(' ') + '\n');
  }
  for (const stream of streams) {
    stream.end(pending.get(stream).join(''));
    await once(stream, 'finish');
  }
  return { items, sessions: session };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const whole = (name, fallback) => {
    const value = Number(flag(name, fallback));
    if (!Number.isInteger(value) || value < 0) {
      process.stderr.write(`event_log_data: ${name} needs a whole number\n`);
      process.exit(2);
    }
    return value;
  };
  const logPath = flag('--out', '');
  if (!logPath) {
    process.stderr.write(
      'usage: node tools/event_log_data.mjs --out LOG.csv --rows N [--items N] [--listed N] [--visitors-only] [--seed N]\n'
    );
    process.exit(2);
  }
  const summary = await writeSeededLog({
    logPath,
    rows: whole('--rows', '1000000'),
    items: whole('--items', '0'),
    listed: whole('--listed', '0'),
    seed: whole('--seed', '13'),
    sessionColumn: !args.includes('--visitors-only'),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
