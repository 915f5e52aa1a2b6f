// A recording HTTP proxy for the egress tests: Chromium sends every request through it (launchBrowser's `proxy`,
// loopback included), whatever made the request: a page, a frame, a dedicated or a shared worker. Playwright reports
// none of a shared worker's requests, and DevTools can attach to one only after it started, so its first requests
// would go unseen; the proxy sees them all.
//
// Each request is recorded as { kind: 'proxy', method, url, body } (body: the text sent, or null). Plain HTTP to a
// loopback address is forwarded, so the test servers answer as usual; anything else is refused after it is
// recorded, so nothing reaches the network. A CONNECT (HTTPS or a WebSocket through the proxy) is recorded with the
// url `connect://host:port` and refused: the test pages use neither.
import http from 'node:http';

import { launchBrowser } from './browser.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** @returns {Promise<{url: string, seen: object[], close: () => Promise<void>}>} */
export async function startEgressProxy() {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : null;
      seen.push({ kind: 'proxy', method: req.method, url: req.url, body: body?.toString('utf8') ?? null });
      let target;
      try {
        target = new URL(req.url);
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname)) {
        res.writeHead(502).end();
        return;
      }
      const forward = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        }
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body ?? undefined);
    });
  });
  server.on('connect', (req, socket) => {
    seen.push({ kind: 'proxy', method: 'CONNECT', url: `connect://${req.url}`, body: null });
    socket.destroy();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// Chromium's own requests (its clock, component updates, sign-in, autofill's form lookups), some made with no page
// open: the proxy sees them, and they are told apart by exact host and path. No page of the test shop names these
// hosts.
const BROWSERS_OWN = [
  {
    method: 'CONNECT',
    url: /^connect:\/\/(?:accounts\.google\.com|(?:update|content-autofill)\.googleapis\.com|clients2\.google\.com):443$/,
  },
  { method: 'POST', url: /^http:\/\/update\.googleapis\.com\/service\/update2\/json\?/ },
  { method: 'GET', url: /^http:\/\/clients2\.google\.com\/time\/1\/current\?/ },
];

/** Every request that left a browser whose traffic all goes through the recording proxy, while `run` used it. */
export async function recordAtProxy(run) {
  const proxy = await startEgressProxy();
  const proxied = await launchBrowser({ proxy: proxy.url });
  try {
    await run(proxied.context);
  } finally {
    await proxied.close();
    await proxy.close();
  }
  return proxy.seen.filter((r) => !BROWSERS_OWN.some((own) => own.method === r.method && own.url.test(r.url)));
}
