#!/usr/bin/env node
// Training from a log larger than memory, one machine (issue 16, part 6):
//   node bench/train_scale.mjs [--rows 1000000,100000000] [--items 20000] [--listed 20] [--epochs 1]
//                              [--work build/train-scale] [--vitrine build/native/models/vitrine] [--json]
// For each row count: the seeded log of tools/event_log_data.mjs (kept in --work; a 100-million-row log is about
// 5 GB), each session shown a list of --listed products first (impressions, as a shop's export has them), from a
// catalog of --items products. Then, under /usr/bin/time, side by side:
//   stream  `vitrine train --events LOG --stream-dir DIR --epochs E`: the whole run, grouping on disk, training,
//           the scorer's choice, the conversion head, the model file
//   memory  `vitrine train --events LOG --check`: only reading the log into memory as a run without --stream-dir
//           does, then stopping (what that run would hold before its first step)
// Prints wall time and peak resident memory of each, and for the streamed run the rows grouped per second (from its
// start to its "on disk" line), the training examples per second of its epochs and the size of its work files.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import { writeSeededLog } from '../tools/event_log_data.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const rowCounts = flag('--rows', '1000000,100000000').split(',').map(Number);
const items = Number(flag('--items', '20000'));
const listed = Number(flag('--listed', '20'));
const epochs = Number(flag('--epochs', '1'));
const work = flag('--work', 'build/train-scale');
const vitrine = flag('--vitrine', 'build/native/models/vitrine');
const asJson = args.includes('--json');
if (!rowCounts.every((n) => Number.isInteger(n) && n >= 1000))
  throw new Error('--rows: whole numbers of at least 1000');

// Runs the command under /usr/bin/time; returns its stdout, stderr lines with the second each arrived, wall seconds
// and peak RSS in bytes.
function timed(command) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('/usr/bin/time', ['-f', 'BENCH %e %M', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let pending = '';
    const lines = [];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      pending += d;
      const parts = pending.split('\n');
      pending = parts.pop();
      for (const text of parts) lines.push({ at: (Date.now() - started) / 1000, text });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending) lines.push({ at: (Date.now() - started) / 1000, text: pending });
      const bench = lines.find((l) => l.text.startsWith('BENCH '));
      if (code !== 0 || !bench) {
        reject(new Error(`${command.join(' ')} failed (${code}):\n${lines.map((l) => l.text).join('\n')}`));
        return;
      }
      const [, seconds, kilobytes] = bench.text.split(' ');
      resolve({ stdout, lines, seconds: Number(seconds), peakBytes: Number(kilobytes) * 1024 });
    });
  });
}

const results = [];
mkdirSync(work, { recursive: true });
for (const rows of rowCounts) {
  const logPath = path.join(work, `events-${rows}-${items}-${listed}.csv`);
  if (!existsSync(logPath)) {
    console.error(`writing ${logPath}`);
    await writeSeededLog({ logPath: `${logPath}.part`, rows, items, listed });
    spawnSync('mv', [`${logPath}.part`, logPath]);
  }
  const streamDir = path.join(work, `stream-${rows}`);
  rmSync(streamDir, { recursive: true, force: true });
  mkdirSync(streamDir);
  const modelPath = path.join(work, `model-${rows}.vtm`);
  console.error(`${rows} rows: streamed training`);
  const stream = await timed([
    vitrine,
    'train',
    '--events',
    logPath,
    '--stream-dir',
    streamDir,
    '--out',
    modelPath,
    '--epochs',
    String(epochs),
    '--json',
  ]);
  const grouped = stream.lines.find((l) => / sessions on disk \(/.test(l.text));
  const onDisk = grouped ? Number(grouped.text.match(/on disk \(([\d,]+) bytes\)/)[1].replace(/,/g, '')) : null;
  const summary = JSON.parse(stream.stdout.trim().split('\n').pop());
  console.error(`${rows} rows: reading into memory (--check)`);
  const check = await timed([vitrine, 'train', '--events', logPath, '--check']);
  results.push({
    rows,
    items,
    listed,
    log_bytes: statSync(logPath).size,
    stream: {
      seconds: stream.seconds,
      peak_rss_mb: stream.peakBytes / 2 ** 20,
      grouping_seconds: grouped ? grouped.at : null,
      rows_per_second_grouped: grouped ? rows / grouped.at : null,
      sessions_file_bytes: onDisk,
      epochs: summary.epochs.map((e) => ({
        seconds: e.seconds,
        examples_per_second: e.examples_per_second,
        valid_hr20: e.valid_hr20,
        valid_mrr20: e.valid_mrr20,
      })),
      model_bytes: summary.bytes,
    },
    memory_check: { seconds: check.seconds, peak_rss_mb: check.peakBytes / 2 ** 20 },
  });
  rmSync(streamDir, { recursive: true, force: true });
}
const command = `node bench/train_scale.mjs --rows ${rowCounts.join(',')} --items ${items} --listed ${listed} --epochs ${epochs}`;
if (asJson) {
  process.stdout.write(`${JSON.stringify({ command, results })}\n`);
} else {
  console.log(command);
  for (const r of results) {
    const s = r.stream;
    const rate = s.epochs.map((e) => e.examples_per_second.toFixed(0)).join(', ');
    console.log(
      `${r.rows.toLocaleString('en')} rows (${(r.log_bytes / 2 ** 30).toFixed(2)} GiB): streamed run ${s.seconds.toFixed(0)} s, ` +
        `peak RSS ${s.peak_rss_mb.toFixed(0)} MB, grouped ${(s.rows_per_second_grouped / 1e6).toFixed(2)} M rows/s ` +
        `in ${s.grouping_seconds.toFixed(0)} s, ${rate} examples/s; --check in memory ` +
        `${r.memory_check.seconds.toFixed(0)} s, peak RSS ${r.memory_check.peak_rss_mb.toFixed(0)} MB`
    );
  }
}
