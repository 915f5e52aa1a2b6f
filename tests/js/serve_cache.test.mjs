// The demo server caches the way a shop would (tools/serve.mjs, tools/demo/serve_demo.mjs): the package and the
// engine under a content-hashed URL, immutable for a year; the model and the pages revalidated with an ETag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startDemoServer } from '../../tools/demo/serve_demo.mjs';
import { IMMUTABLE } from '../../tools/serve.mjs';

let tmp, dist, demo, server, base;
const seen = [];

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vitrine-serve-cache-'));
  dist = path.join(tmp, 'dist');
  demo = path.join(tmp, 'demo');
  mkdirSync(dist);
  mkdirSync(path.join(demo, 'models'), { recursive: true });
  writeFileSync(path.join(dist, 'vitrine.js'), '// loader v1\n');
  writeFileSync(path.join(dist, 'vitrine-engine.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(path.join(demo, 'models/shop.vtm'), Buffer.from('model one'));
  ({ server, url: base } = await startDemoServer({
    demoDir: demo,
    distDir: dist,
    onRequest: (p, status) => seen.push([p, status]),
  }));
});

after(() => {
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const loaderUrl = async () => {
  const html = await (await fetch(base + 'category.html')).text();
  const m = html.match(/src="(\/vitrine\/h-[0-9a-f]{16}\/vitrine\.js)"/);
  assert.ok(m, 'the page loads the package from a hashed URL');
  return m[1];
};

test('pages name the package by its content hash; those files are immutable, a stale hash is a 404', async () => {
  const first = await loaderUrl();
  const page = await fetch(base + 'category.html');
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  assert.ok(page.headers.get('etag'));
  for (const file of ['vitrine.js', 'vitrine-engine.wasm']) {
    const r = await fetch(new URL(first.replace('vitrine.js', file), base));
    assert.equal(r.status, 200, file);
    assert.equal(r.headers.get('cache-control'), IMMUTABLE, file);
    assert.equal(IMMUTABLE, 'public, max-age=31536000, immutable');
  }
  // A new build of the package gets a new URL; the old one is never answered with the new bytes.
  writeFileSync(path.join(dist, 'vitrine.js'), '// loader v2, a different length\n');
  const second = await loaderUrl();
  assert.notEqual(second, first);
  assert.equal((await fetch(new URL(first, base))).status, 404);
  assert.equal(await (await fetch(new URL(second, base))).text(), '// loader v2, a different length\n');
  // The unhashed path still works (the engine check imports it), revalidated.
  const plain = await fetch(base + 'vitrine/vitrine.js');
  assert.equal(plain.headers.get('cache-control'), 'no-cache');
});

test('the model is revalidated: ETag and no-cache, 304 while unchanged, the new bytes once it changes', async () => {
  const r = await fetch(base + 'models/shop.vtm');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.notEqual(r.headers.get('cache-control'), 'no-store');
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[\w-]+"$/);
  assert.equal(await r.text(), 'model one');
  const again = await fetch(base + 'models/shop.vtm', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
  writeFileSync(path.join(demo, 'models/shop.vtm'), Buffer.from('model two'));
  const changed = await fetch(base + 'models/shop.vtm', { headers: { 'If-None-Match': etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
  assert.equal(await changed.text(), 'model two');
  assert.ok(
    seen.some(([p, status]) => p === '/models/shop.vtm' && status === 304),
    'onRequest sees the 304'
  );
});
