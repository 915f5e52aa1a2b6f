// Serves the demo storefront: the pages, the package, the generated catalog and the model, under the CSP a
// careful shop would set (no inline script, no eval, workers from this origin only). tools/demo.sh and
// tests/browser/demo.test.mjs both start it from here so they serve the same thing.
//
//   node tools/demo/serve_demo.mjs [--port 8080] [--demo build/demo] [--dist build/wasm/dist]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from '../serve.mjs';
import { parseArgs } from './files.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const DEMO_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'";

/**
 * demoDir holds catalog.json, img/ and models/shop.vtm; distDir is the wasm build's package. Cached as a shop would
 * (tools/serve.mjs): the package and the engine under a content-hashed URL, immutable; the model, the catalog and
 * the pages revalidated with an ETag. `onRequest(urlPath, status)` sees every answer (tests and bench count them).
 */
export function startDemoServer({ demoDir, distDir, port = 0, onRequest }) {
  return startServer({
    port,
    caching: true,
    versioned: { prefix: '/vitrine', dir: distDir },
    onRequest,
    mounts: {
      '/': path.join(repoRoot, 'demo-site'),
      '/vitrine': distDir,
      '/catalog': demoDir,
      '/models': path.join(demoDir, 'models'),
    },
    headers: () => ({ 'Content-Security-Policy': DEMO_CSP }),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = parseArgs(process.argv.slice(2), { port: 8080, demo: 'build/demo', dist: 'build/wasm/dist' },
    'usage: node tools/demo/serve_demo.mjs [--port N] [--demo DIR] [--dist DIR]\n');
  const { url } = await startDemoServer({ demoDir: path.resolve(o.demo), distDir: path.resolve(o.dist), port: o.port });
  console.log(`LISTENING ${url}`);
}
