// The npm package (tools/build_package.mjs makes the wasm build's dist folder into one): `npm pack` there gives a
// tarball that installs into a clean project, imports by its name, bundles with esbuild, and carries the engine,
// the frames, the types, the LICENSE and the CHANGELOG. Everything runs offline from the tarball.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { packDist, projectWithPackage } from '../support/package_project.mjs';
import { distDir, repoRoot } from '../support/paths.mjs';

let tmp;
let packed;

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-package-'));
  packed = packDist(tmp);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the tarball holds the page modules, the one-tag loader, the engine and its wasm, the frames, the types, LICENSE and CHANGELOG', () => {
  const files = new Set(packed.files.map((f) => f.path));
  for (const name of [
    'package.json',
    'index.mjs',
    'vitrine.js',
    'worker.mjs',
    'engine.mjs',
    'vitrine-engine.mjs',
    'vitrine-engine.wasm',
    'vault.html',
    'vault_frame.mjs',
    'panel.html',
    'consent.html',
    'why.html',
    'vitrine.d.ts',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
  ]) {
    assert.ok(files.has(name), `${name} is not in the package`);
  }
  const manifest = JSON.parse(readFileSync(path.join(distDir, 'package.json'), 'utf8'));
  const source = JSON.parse(readFileSync(path.join(repoRoot, 'js/package.json'), 'utf8'));
  assert.equal(manifest.version, source.version);
  assert.match(manifest.version, /^\d+\.\d+\.\d+(?:-[\w.]+)?$/, 'semver');
  assert.equal(manifest.license, 'Apache-2.0');
  assert.equal(manifest.private, undefined, 'the dist is the package to publish');
  assert.match(readFileSync(path.join(distDir, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  assert.match(
    readFileSync(path.join(distDir, 'CHANGELOG.md'), 'utf8'),
    new RegExp(`## ${manifest.version.replaceAll('.', '\\.')}`)
  );
});

test('each minified module has its source map, and integrity.json holds the SRI digest of every file a page loads', () => {
  const files = new Set(packed.files.map((f) => f.path));
  for (const name of ['index.mjs', 'worker.mjs', 'engine.mjs', 'vault_frame.mjs']) {
    assert.ok(files.has(`${name}.map`), `${name}.map`);
    assert.match(
      readFileSync(path.join(distDir, name), 'utf8'),
      new RegExp(`//# sourceMappingURL=${name.replace('.', '\\.')}\\.map\\s*$`)
    );
  }
  const bundleMap = JSON.parse(readFileSync(path.join(distDir, 'index.mjs.map'), 'utf8'));
  assert.ok(
    bundleMap.sources.some((s) => s.endsWith('vitrine.mjs')),
    'the bundle maps back to its modules'
  );
  const integrity = JSON.parse(readFileSync(path.join(distDir, 'integrity.json'), 'utf8'));
  for (const name of ['vitrine.js', 'index.mjs', 'vitrine-engine.wasm', 'vault.html']) {
    const digest = `sha384-${createHash('sha384')
      .update(readFileSync(path.join(distDir, name)))
      .digest('base64')}`;
    assert.equal(integrity[name], digest, name);
  }
});

test('installed from the tarball into a clean project: imported by name, bundled by esbuild, and its engine runs', async () => {
  const project = projectWithPackage(path.join(tmp, 'shop-app'), path.join(tmp, packed.filename));
  // By name, through the manifest's exports, as an app's code would.
  const imported = execFileSync(
    'node',
    [
      '--input-type=module',
      '-e',
      "const m = await import('vitrine'); console.log(JSON.stringify(Object.keys(m).sort()))",
    ],
    { cwd: project, encoding: 'utf8' }
  );
  assert.deepEqual(JSON.parse(imported), ['EventKind', 'createVitrine', 'fromDataset', 'startFromScriptTag']);
  // A bundler follows the name and the exports map.
  writeFileSync(
    path.join(project, 'app.mjs'),
    "import { createVitrine } from 'vitrine';\nexport const vitrine = createVitrine({ consent: 'required' });\n"
  );
  const esbuild = await import('esbuild');
  const bundle = await esbuild.build({
    entryPoints: [path.join(project, 'app.mjs')],
    absWorkingDir: project,
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
    platform: 'browser',
  });
  assert.equal(bundle.errors.length, 0);
  assert.ok(bundle.outputFiles[0].text.length > 10_000, "the package's modules are in the bundle");
  // The engine module finds its wasm beside it in the installed package.
  const installed = path.join(project, 'node_modules', 'vitrine');
  const { createEngine } = await import(pathToFileURL(path.join(installed, 'engine.mjs')).href);
  const engine = await createEngine({ wasmBinary: readFileSync(path.join(installed, 'vitrine-engine.wasm')) });
  assert.equal(typeof engine.buildInfo().version, 'string');
  engine.release?.();
});

test('the package build prints the SRI digest of every file and a content-hashed folder to serve it from', () => {
  const out = path.join(tmp, 'rebuilt');
  const printed = execFileSync(
    'node',
    [path.join(repoRoot, 'tools/build_package.mjs'), '--src', path.join(repoRoot, 'js/src'), '--out', out],
    { encoding: 'utf8' }
  );
  const integrity = JSON.parse(readFileSync(path.join(out, 'integrity.json'), 'utf8'));
  assert.ok(Object.keys(integrity).length > 10);
  for (const [name, digest] of Object.entries(integrity)) assert.ok(printed.includes(`${digest}  ${name}\n`), name);
  const version = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')).version;
  assert.match(printed, new RegExp(`/vitrine/${version.replaceAll('.', '\\.')}-[0-9a-f]{12}/ with Cache-Control`));
});
