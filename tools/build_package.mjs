#!/usr/bin/env node
// Writes the shipped package into a dist folder: every js/src module minified (esbuild's transform, one file in, one
// file out, so the module graph, the worker entry and the exported names stay as written) with its source map beside
// it (fetched by developer tools only, never by a shopper's page), then index.mjs, vault_frame.mjs and worker.mjs
// replaced by bundles of the modules each runs (tools/package_bundle.mjs), and the hand-written .d.ts and the frames' .html and .css copied as is. Every shopper downloads these files, so they ship without comments or whitespace; the tests and the
// demo load the same minified files, so what ships is what is tested.
//
//   node tools/build_package.mjs --src js/src --out build/wasm/dist
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parseArgs, writeIfChanged } from './demo/files.mjs';
import { BUNDLES, writeBundle } from './package_bundle.mjs';

const USAGE = 'usage: node tools/build_package.mjs --src DIR --out DIR\n';

async function main() {
  const { src, out } = parseArgs(process.argv.slice(2), { src: 'js/src', out: '' }, USAGE);
  if (!out) throw new Error(USAGE.trim());
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error(
      'esbuild is missing: run `npm ci --ignore-scripts` (tools/setup.sh does) before building the package'
    );
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
      const result = await esbuild.transform(text, {
        loader: 'js',
        minify: true,
        target: 'es2022',
        sourcefile: name,
        legalComments: 'none',
        charset: 'utf8',
        sourcemap: 'external',
        sourcesContent: true,
      });
      writeIfChanged(to, `${result.code}//# sourceMappingURL=${name}.map\n`);
      writeIfChanged(`${to}.map`, result.map);
    } else {
      continue;
    }
    ++written;
  }
  // The page's modules, the vault frame's and the worker's, each as one bundle (tools/package_bundle.mjs). Files a
  // bundle took in stay in dist for apps and tools (the evaluation lab loads engine.mjs), and the tests can swap
  // engine.mjs.
  for (const entry of Object.keys(BUNDLES)) await writeBundle(esbuild, { src, out, entry });
  const { version } = writePublishedManifest(src, out);
  const digests = writeIntegrity(out);
  // One content hash for the whole folder: the files import each other by relative name, so a versioned folder
  // (not renamed files) is what lets every one of them be cached as immutable.
  const folderHash = createHash('sha256');
  for (const [name, digest] of Object.entries(digests)) folderHash.update(`${name}\0${digest}\0`);
  const folder = `${version}-${folderHash.digest('hex').slice(0, 12)}`;
  console.log(
    `package: ${written} files from ${src} into ${out}, index.mjs bundling the page's modules and its npm manifest.\n` +
      `Serve the folder as /vitrine/${folder}/ with Cache-Control: public, max-age=31536000, immutable.\n` +
      `SRI digests (also in integrity.json; a tag's integrity attribute takes them):\n` +
      Object.entries(digests)
        .map(([name, digest]) => `  ${digest}  ${name}`)
        .join('\n')
  );
}

/**
 * Makes the dist folder the npm package (`npm pack` there; tests/js/package.test.mjs installs it in a clean project):
 * a manifest for this layout from js/package.json (which stays private: its src/ alone lacks the engine), and the
 * hand-written types, the package README, the CHANGELOG and the LICENSE beside the files.
 */
function writePublishedManifest(src, out) {
  const jsDir = path.resolve(src, '..');
  const repoRoot = path.resolve(jsDir, '..');
  const source = JSON.parse(readFileSync(path.join(jsDir, 'package.json'), 'utf8'));
  const manifest = {
    name: source.name,
    version: source.version,
    description: source.description,
    license: source.license,
    type: 'module',
    main: './index.mjs',
    types: './vitrine.d.ts',
    exports: {
      '.': { types: './vitrine.d.ts', default: './index.mjs' },
      './vitrine.js': './vitrine.js', // the one-tag loader, for a script tag
      './package.json': './package.json',
    },
  };
  writeIfChanged(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [from, name] of [
    [path.join(jsDir, 'vitrine.d.ts'), 'vitrine.d.ts'],
    [path.join(jsDir, 'README.md'), 'README.md'],
    [path.join(jsDir, 'CHANGELOG.md'), 'CHANGELOG.md'],
    [path.join(repoRoot, 'LICENSE'), 'LICENSE'],
  ]) {
    writeIfChanged(path.join(out, name), readFileSync(from, 'utf8'));
  }
  return manifest;
}

/**
 * integrity.json: the SRI digest (sha384, as a script tag's integrity attribute takes it) of every file a page can
 * load, for the shop's own tag and for checking a copy on a CDN. Returns them, by file name.
 */
function writeIntegrity(out) {
  const digests = {};
  for (const name of readdirSync(out).sort()) {
    if (!/\.(?:mjs|js|wasm|html|css)$/.test(name)) continue;
    digests[name] = `sha384-${createHash('sha384')
      .update(readFileSync(path.join(out, name)))
      .digest('base64')}`;
  }
  writeIfChanged(path.join(out, 'integrity.json'), `${JSON.stringify(digests, null, 2)}\n`);
  return digests;
}

main().catch((error) => {
  console.error(`build_package: ${error.message}`);
  process.exit(1);
});
