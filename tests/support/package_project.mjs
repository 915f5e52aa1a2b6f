// The shipped package as an app's developer gets it: `npm pack` of the wasm build's dist folder (the npm package,
// tools/build_package.mjs), installed offline into a new, empty project.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { distDir } from './paths.mjs';

/** Packs dist into `destination`; returns npm's summary ({filename, files, ...}). */
export function packDist(destination) {
  if (!existsSync(path.join(distDir, 'package.json'))) {
    throw new Error(
      `${distDir}/package.json is missing: build the wasm tree (cmake --build build/wasm --target vitrine_js_package)`
    );
  }
  const [summary] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
      cwd: distDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  );
  return summary;
}

/** A new project at `dir` (an ES module package) with the tarball installed, offline and without scripts. */
export function projectWithPackage(dir, tarball) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return dir;
}
