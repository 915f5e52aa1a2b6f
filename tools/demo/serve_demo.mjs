// Serves the demo storefront: the pages, the package, the generated catalog and the model, under the CSP a
// careful shop would set (no inline script, no eval, workers from this origin only). tools/demo.sh and
// tests/browser/demo.test.mjs both start it from here so they serve the same thing.
//
//   node tools/demo/serve_demo.mjs [--port 8080] [--vault-port 8081] [--demo build/demo] [--dist build/wasm/dist]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from '../serve.mjs';
import { parseArgs } from './files.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const DEMO_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'";

/** The policy of the demo's /vault/ pages: the package's scripts and its frames come from the vault's origin. */
export function vaultPageCsp(vaultOrigin) {
  return DEMO_CSP.replace("script-src 'self'", `script-src 'self' ${vaultOrigin}`) + `; frame-src ${vaultOrigin}`;
}

/**
 * demoDir holds catalog.json, img/ and models/shop.vtm; distDir is the wasm build's package. Cached as a shop would
 * (tools/serve.mjs): the package and the engine under a content-hashed URL, immutable; the model, the catalog and
 * the pages revalidated with an ETag. `onRequest(urlPath, status)` sees every answer (tests and bench count them).
 *
 * Two origins, as a shop that serves Vitrine from its own subdomain: the shop on `port`, and the package and the
 * model also on `vaultPort` (0: any free port). The same shop under /vault/ loads the tag from that second origin,
 * so the shopper's history lives in Vitrine's vault there (js/src/vault.mjs), and asks for consent first (the demo's
 * banner, demo-site/shop/consent.mjs). Resolves { server (close() stops both), url, vaultUrl }.
 */
export async function startDemoServer({ demoDir, distDir, port = 0, vaultPort = 0, onRequest }) {
  let shopOrigin = null;
  const vault = await startServer({
    port: vaultPort,
    caching: true,
    mounts: { '/vitrine': distDir, '/models': path.join(demoDir, 'models') },
    headers: () => ({
      'Access-Control-Allow-Origin': shopOrigin,
      'Content-Security-Policy': `${DEMO_CSP}; frame-ancestors ${shopOrigin}`,
    }),
  });
  const vaultOrigin = new URL(vault.url).origin;
  const shop = await startServer({
    port,
    caching: true,
    versioned: { prefix: '/vitrine', dir: distDir },
    onRequest,
    mounts: {
      '/': path.join(repoRoot, 'demo-site'),
      '/vault': path.join(repoRoot, 'demo-site'),
      '/vitrine': distDir,
      '/catalog': demoDir,
      '/models': path.join(demoDir, 'models'),
    },
    rewriteHtml: (urlPath, html) =>
      urlPath.startsWith('/vault/')
        ? html.replace(
            '<script src="/vitrine/vitrine.js" data-consent="not-required" data-model="/models/',
            `<script src="${vault.url}vitrine/vitrine.js" data-consent="required" data-model="${vault.url}models/`
          )
        : html,
    headers: (urlPath) => ({
      'Content-Security-Policy': urlPath.startsWith('/vault/') ? vaultPageCsp(vaultOrigin) : DEMO_CSP,
    }),
  });
  shopOrigin = new URL(shop.url).origin;
  return {
    server: {
      close() {
        shop.server.close();
        vault.server.close();
      },
    },
    url: shop.url,
    vaultUrl: vault.url,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = parseArgs(
    process.argv.slice(2),
    { port: 8080, vaultPort: 8081, demo: 'build/demo', dist: 'build/wasm/dist' },
    'usage: node tools/demo/serve_demo.mjs [--port N] [--vault-port N] [--demo DIR] [--dist DIR]\n'
  );
  const { url, vaultUrl } = await startDemoServer({
    demoDir: path.resolve(o.demo),
    distDir: path.resolve(o.dist),
    port: o.port,
    vaultPort: o.vaultPort,
  });
  console.log(`LISTENING ${url} (the same shop with Vitrine on its own origin, ${vaultUrl}: ${url}vault/)`);
}
