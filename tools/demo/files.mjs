// File helpers for the demo build steps.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes only when the content differs, so an unchanged rebuild keeps file times and tools/demo.sh can skip
 * retraining the model. Returns true when the file was written.
 */
export function writeIfChanged(file, data) {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  if (existsSync(file) && readFileSync(file).equals(bytes)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return true;
}

/** Parses `--name value` pairs into an object; unknown names are an error so typos do not pass silently. */
export function parseArgs(argv, defaults, usage) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(usage);
      process.exit(0);
    }
    const key = arg.replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!arg.startsWith('--') || !(key in defaults) || i + 1 >= argv.length) {
      process.stderr.write(`unknown or incomplete option ${arg}\n${usage}`);
      process.exit(2);
    }
    const value = argv[++i];
    out[key] = typeof defaults[key] === 'number' ? Number(value) : value;
    if (typeof defaults[key] === 'number' && !Number.isFinite(out[key])) {
      process.stderr.write(`${arg} needs a number, got "${value}"\n`);
      process.exit(2);
    }
  }
  return out;
}
