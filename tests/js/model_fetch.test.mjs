// The worker's model fetch is bounded in time and size (js/src/model_fetch.mjs), against a real local HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import { fetchImmutable, fetchModel } from '../../js/src/model_fetch.mjs';

let server, base;
const MODEL = new Uint8Array(3000).map((_, i) => i % 251);

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/model') return void res.writeHead(200, { 'Content-Length': MODEL.length }).end(MODEL);
    if (req.url === '/missing') return void res.writeHead(404).end('no');
    if (req.url === '/hang') return; // never answers
    if (req.url === '/stall') return void res.writeHead(200).write(MODEL.subarray(0, 10)); // body never ends
    if (req.url === '/chunked-big') {
      res.writeHead(200); // no Content-Length: only counting the body can stop it
      for (let i = 0; i < 10; ++i) res.write(MODEL);
      return void res.end();
    }
    res.writeHead(500).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

// Generous except where the timeout is the point: the machine running the tests may be busy.
const limits = { timeoutMs: 20000, maxBytes: 4096 };
const short = { timeoutMs: 300, maxBytes: 4096 };

test('a model within the limits arrives byte for byte', async () => {
  assert.deepEqual(await fetchModel(`${base}/model`, limits), MODEL);
});

test('HTTP errors, hung servers, stalled bodies and oversized models are refused with the reason', async () => {
  await assert.rejects(fetchModel(`${base}/missing`, limits), /HTTP 404/);
  const started = Date.now();
  await assert.rejects(fetchModel(`${base}/hang`, short), /no model after 300 ms/);
  await assert.rejects(fetchModel(`${base}/stall`, short), /no model after 300 ms/);
  assert.ok(Date.now() - started < 10000, 'the timeout bounds the wait');
  await assert.rejects(
    fetchModel(`${base}/model`, { ...limits, maxBytes: 1024 }),
    /3000 bytes, over the limit of 1024/
  );
  await assert.rejects(fetchModel(`${base}/chunked-big`, limits), /over the limit of 4096 bytes/);
});

test('with data-model-integrity the bytes must match a digest before anyone reads them', async () => {
  const digest = async (algorithm) => Buffer.from(await crypto.subtle.digest(algorithm, MODEL)).toString('base64');
  const sha256 = await digest('SHA-256');
  assert.deepEqual(await fetchModel(`${base}/model`, { ...limits, integrity: `sha256-${sha256}` }), MODEL);
  // Any one listed digest may match, of any of the three algorithms.
  assert.deepEqual(
    await fetchModel(`${base}/model`, { ...limits, integrity: `sha512-AAAA sha384-${await digest('SHA-384')}` }),
    MODEL
  );
  await assert.rejects(
    fetchModel(`${base}/model`, {
      ...limits,
      integrity: `sha256-${sha256.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
    }),
    /does not match data-model-integrity \(its sha256 is /
  );
  await assert.rejects(
    fetchModel(`${base}/model`, { ...limits, integrity: 'md5-abc' }),
    /data-model-integrity is not sha256-/
  );
});

test('the catalog index’s shards go without cookies; a model goes with the shop’s own', async () => {
  const asked = [];
  const fakeFetch = async (url, init) => {
    asked.push([url, init.credentials]);
    return new Response(new Uint8Array([1, 2, 3]));
  };
  const limits = { timeoutMs: 1000, maxBytes: 100, fetch: fakeFetch };
  await fetchImmutable('https://shop.example/index/s-1.vts', { ...limits, caches: null });
  await fetchModel('https://shop.example/model.vtm', limits);
  assert.deepEqual(asked, [
    ['https://shop.example/index/s-1.vts', 'omit'],
    ['https://shop.example/model.vtm', 'same-origin'],
  ]);
});
