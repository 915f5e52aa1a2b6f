// The package's bundles: a module and everything it imports as one minified file, with its source map beside it.
// tools/build_package.mjs writes them into dist; the browser tests' TEST ONLY engine rebuilds the worker's with
// another engine.mjs in it (tests/browser/storefront_support.mjs).
import path from 'node:path';

import { writeIfChanged } from './demo/files.mjs';

// Entry -> the imports left as files of their own. The page's modules (index.mjs) and the vault frame's: a module
// graph loaded file by file takes one round of requests per level of imports, each waiting for a busy main thread
// (about 300 ms on a loaded shop page, bench/page_shift.mjs). The worker's: one file also compresses better than
// its fifteen (14.0 KB gzip against 19.3 when it began reading the event store itself, which took in storage.mjs
// and events.mjs). The languages other than English stay files (messages.mjs loads the one a page asks for), and
// the engine's Emscripten glue stays the file its .wasm is found beside.
export const BUNDLES = Object.freeze({
  'index.mjs': ['./messages_*.mjs'],
  'vault_frame.mjs': ['./messages_*.mjs'],
  'worker.mjs': ['./messages_*.mjs', './vitrine-engine.mjs'],
});

/**
 * Bundles `src/entry` into `out/entry` (and its .map). `replace` maps an import specifier as written (such as
 * './engine.mjs') to the absolute path of the file to take instead, for the tests' engine.
 * @param {typeof import('esbuild')} esbuild
 * @param {{src: string, out: string, entry: string, replace?: Record<string, string>}} options
 */
export async function writeBundle(esbuild, { src, out, entry, replace = {} }) {
  const swaps = Object.entries(replace);
  const bundle = await esbuild.build({
    entryPoints: [path.join(src, entry)],
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022', // every browser with WebAssembly SIMD (which the engine needs) runs it
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
    sourcemap: 'linked',
    sourceRoot: '',
    external: BUNDLES[entry],
    outfile: path.join(out, entry),
    absWorkingDir: src,
    plugins: swaps.length
      ? [
          {
            name: 'replace',
            setup(build) {
              for (const [specifier, file] of swaps) {
                const exact = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
                build.onResolve({ filter: exact }, () => ({ path: file }));
              }
            },
          },
        ]
      : [],
  });
  for (const file of bundle.outputFiles) writeIfChanged(file.path, file.text);
}
