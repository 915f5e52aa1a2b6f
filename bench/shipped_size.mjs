// Shipped size of the package: the files a shop page loads from a wasm dist folder, raw and gzip. One definition
// for the benchmark (bench/run.mjs) and the demo's evaluation lab (tools/build_lab_data.mjs).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Raw and gzip -9 byte counts of one file. */
export function fileSize(file) {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** Sizes of `names` under `base`, and their sums. */
export function fileSizes(base, names) {
  const files = names.map((name) => ({ name, ...fileSize(path.join(base, name)) }));
  return { files, raw: sum(files, 'raw'), gzip: sum(files, 'gzip') };
}

/**
 * The files a shop page loads for this engine: the one-tag loader and everything it reaches through static
 * imports, import('./x') and new URL('./x', import.meta.url) / worker URLs, plus the engine module's .wasm. The
 * message tables of other languages than English (messages_<lang>.mjs) are alternatives: a page loads at most one,
 * so only the largest counts (the size for a page in that language; an English page loads none).
 */
export function shippedSize(distDir) {
  const seen = new Set();
  const queue = ['vitrine.js', 'vitrine-engine.wasm'];
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    seen.add(name);
    if (name.endsWith('.wasm')) continue;
    const text = readFileSync(path.join(distDir, name), 'utf8');
    const refs = [...text.matchAll(/(?:from|import\(|new URL\()\s*['"]\.\/([\w.-]+)['"]/g)].map((m) => m[1]);
    for (const ref of refs) if (existsSync(path.join(distDir, ref))) queue.push(ref);
  }
  const language = /^messages_\w+\.mjs$/;
  const tables = [...seen].filter((name) => language.test(name));
  const largest = tables.sort((a, b) => fileSize(path.join(distDir, b)).gzip - fileSize(path.join(distDir, a)).gzip)[0];
  return {
    ...fileSizes(distDir, [...seen].filter((name) => !language.test(name) || name === largest).sort()),
    wasm_raw: statSync(path.join(distDir, 'vitrine-engine.wasm')).size,
  };
}

function sum(list, key) {
  return list.reduce((s, f) => s + f[key], 0);
}
