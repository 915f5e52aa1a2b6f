#!/usr/bin/env node
// What reading a large event log holds in memory:
//   node bench/event_log_memory.mjs [--rows N] [--vitrine build/native/models/vitrine] [--json]
// Writes the seeded log of tools/event_log_data.mjs with N rows (default 10,000,000), once with a session column and
// once without (sessions then cut at 30 minutes per visitor, which needs every visitor's events before any session
// is known), and runs `vitrine train --events LOG --check` on each under /usr/bin/time: it reads the log and builds
// everything training starts from (the sessions, each returning visitor's earlier events before theirs, the catalog),
// then stops. Prints the file size, the peak resident memory, and both per row. The trainer keeps each row as a
// 16-byte event plus its share of the ids; a reader that held the rows' text would need the file's size again.
// Files go to a temporary folder, removed afterwards (kept with KEEP_BENCH_FILES=1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { writeSeededLog } from '../tools/event_log_data.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const rows = Number(flag('--rows', '10000000'));
const vitrine = flag('--vitrine', 'build/native/models/vitrine');
const asJson = args.includes('--json');
if (!(rows >= 1000)) throw new Error('--rows must be at least 1000');

const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-log-memory-'));
if (process.env.KEEP_BENCH_FILES) console.error(`files in ${dir}`);
try {
  const result = { rows, command: `node bench/event_log_memory.mjs --rows ${rows}` };
  for (const sessionColumn of [true, false]) {
    const logPath = path.join(dir, sessionColumn ? 'with_sessions.csv' : 'visitors_only.csv');
    const { items, sessions } = await writeSeededLog({ logPath, rows, sessionColumn });
    const run = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', vitrine, 'train', '--events', logPath, '--check'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`vitrine train --check failed:\n${run.stderr}`);
    const [, seconds, kilobytes] = run.stderr.match(/BENCH ([\d.]+) (\d+)/);
    const fileBytes = statSync(logPath).size;
    const peak = Number(kilobytes) * 1024;
    result[sessionColumn ? 'session_column' : 'visitors_only'] = {
      items,
      sessions,
      file_mb: fileBytes / 2 ** 20,
      peak_rss_mb: peak / 2 ** 20,
      seconds: Number(seconds),
      file_bytes_per_row: fileBytes / rows,
      peak_bytes_per_row: peak / rows,
      check: run.stdout.trim(),
    };
    rmSync(logPath);
  }
  if (asJson) {
    process.stdout.write(JSON.stringify(result) + '\n');
  } else {
    console.log(`${rows} rows; vitrine train --events LOG --check`);
    for (const k of ['session_column', 'visitors_only']) {
      const r = result[k];
      console.log(
        `${k.padEnd(15)} file ${r.file_mb.toFixed(0)} MB (${r.file_bytes_per_row.toFixed(1)} B/row)  ` +
          `peak RSS ${r.peak_rss_mb.toFixed(0)} MB (${r.peak_bytes_per_row.toFixed(1)} B/row)  ${r.seconds.toFixed(1)} s`
      );
    }
  }
} finally {
  if (!process.env.KEEP_BENCH_FILES) rmSync(dir, { recursive: true, force: true });
}
