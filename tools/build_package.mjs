#!/usr/bin/env node
// Writes the shipped package into a dist folder: every js/src module minified (esbuild's transform, one file in, one
// file out, so the module graph, the worker entry and the exported names stay as written), then index.mjs replaced
// by a bundle of the modules the page itself runs (below), and the hand-written .d.ts and the frames' .html and .css copied as is. Every shopper downloads these files, so they ship without comments or whitespace; the tests and the
// demo load the same minified files, so what ships is what is tested.
//
//   node tools/build_package.mjs --src js/src --out build/wasm/dist
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parseArgs, writeIfChanged } from './demo/files.mjs';

const USAGE = 'usage: node tools/build_package.mjs --src DIR --out DIR\n';

async function main() {
  const { src, out } = parseArgs(process.argv.slice(2), { src: 'js/src', out: '' }, USAGE);
  if (!out) throw new Error(USAGE.trim());
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('esbuild is missing: run `npm ci --ignore-scripts` (tools/setup.sh does) before building the package');
  }
  let written = 0;
  for (const name of readdirSync(src).sort()) {
    const from = path.join(src, name);
    const to = path.join(out, name);
    const text = readFileSync(from, 'utf8');
    if (name.endsWith('.d.ts') || name.endsWith('.html') || name.endsWith('.css')) {
      writeIfChanged(to, text);
    } else if (name.endsWith('.mjs') || name.endsWith('.js')) {
      // es2022: every browser with WebAssembly SIMD (which the engine needs) runs it, so nothing is lowered.
      const result = await esbuild.transform(text, { loader: 'js', minify: true, target: 'es2022', sourcefile: from,
        legalComments: 'none', charset: 'utf8' });
      writeIfChanged(to, result.code);
    } else {
      continue;
    }
    ++written;
  }
  // The page's own modules in one file: vitrine.js imports index.mjs, and a module graph loaded file by file takes
  // one round of requests per level of imports, each waiting for a busy main thread (about 300 ms on a loaded
  // shop page, bench/page_shift.mjs). The worker's modules stay separate files: the worker loads them off the main
  // thread, and the tests can swap engine.mjs. Files the bundle took in stay in dist for the worker and for apps.
  // The vault frame's module (vault.html) likewise: the vault must answer before the page's first ranking.
  for (const entry of ['index.mjs', 'vault_frame.mjs']) {
    const bundle = await esbuild.build({ entryPoints: [path.join(src, entry)], bundle: true, format: 'esm',
      minify: true, target: 'es2022', legalComments: 'none', charset: 'utf8', write: false, logLevel: 'silent' });
    writeIfChanged(path.join(out, entry), bundle.outputFiles[0].text);
  }
  console.log(`package: ${written} files from ${src} into ${out}, index.mjs bundling the page's modules`);
}

main().catch((error) => {
  console.error(`build_package: ${error.message}`);
  process.exit(1);
});
