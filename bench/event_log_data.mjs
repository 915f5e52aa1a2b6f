// The benchmarks' seeded shop log: visitors who come back, sessions of views (a category walk: the next product is
// usually near the last one) with some carts and purchases. Shared by bench/event_log_training.mjs and
// bench/event_log_memory.mjs so both measure the same kind of log.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

import { mulberry32 } from '../tools/random.mjs';

// Writes `rows` CSV rows to logPath (columns timestamp, visitor_id, session_id unless sessionColumn is false,
// item_id, event, price) and, with sessionsPath, the same sessions' items as a session file (`vitrine train --train`).
// Returns the catalog size and the number of sessions.
export async function writeSeededLog({ logPath, sessionsPath = null, rows, sessionColumn = true, seed = 13 }) {
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
  const items = Math.max(200, Math.round(rows / 40));
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
