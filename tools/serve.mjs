// Static file server for the demo and the browser tests. Binds 127.0.0.1 only.
//
//   node tools/serve.mjs [--port N] [--header 'Name: value' ...] <urlPrefix>=<dir> [<urlPrefix>=<dir> ...]
//   node tools/serve.mjs --port 8080 /=demo-site /vitrine=build/wasm/dist
//
// --header adds a response header to every file (tools/demo.sh sets the demo's Content-Security-Policy this way).
//
// Longest prefix wins. .wasm is served as application/wasm (needed for instantiateStreaming), .mjs/.js as
// JavaScript. Prints "LISTENING http://127.0.0.1:<port>/" once ready (port 0 picks a free one).
//
// Caching: by default every response is `no-store` (tests see every request). startServer({ caching }) serves the
// way a shop would instead: files under a content-hashed URL (see `versioned`) are immutable for a year, everything
// else carries an ETag and `no-cache`, so the browser asks again and gets a 304 while the file is unchanged.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.vtm': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** A strong ETag: the first 16 bytes of the body's SHA-256, base64url. */
export function etagOf(body) {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * The content hash of every file in `dir` (names and bytes, sorted): the version part of its hashed URLs. Recomputed
 * only when a file's size or modification time changed, so a rebuilt package gets a new URL at the next page.
 */
export function directoryVersion(dir) {
  let key = null;
  let version = null;
  return async () => {
    const names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    const stats = await Promise.all(names.map((name) => stat(path.join(dir, name))));
    const now = names.map((name, i) => `${name}:${stats[i].size}:${stats[i].mtimeMs}`).join('|');
    if (now !== key) {
      const hash = createHash('sha256');
      for (const name of names)
        hash
          .update(name)
          .update('\0')
          .update(await readFile(path.join(dir, name)))
          .update('\0');
      version = hash.digest('hex').slice(0, 16);
      key = now;
    }
    return version;
  };
}

/**
 * Starts a server. `mounts` maps URL prefixes to directories. `headers(urlPath)` may add response headers
 * (tests use it for a Content-Security-Policy). Resolves to { server, url }.
 *
 * `caching: true` turns on shop-like caching (above). `versioned: { prefix, dir }` then also serves `dir` under
 * `<prefix>/h-<content hash>/`, immutable, and HTML pages have their `"<prefix>/` URLs rewritten to that hashed
 * prefix; a stale hash is a 404, never old bytes under a new name. `onRequest(urlPath, status)` sees every answer.
 * `rewriteHtml(urlPath, text)` may change an HTML page before that (the demo points its /vault/ pages elsewhere).
 */
export function startServer({
  mounts,
  port = 0,
  headers = () => ({}),
  caching = false,
  versioned = null,
  onRequest = () => {},
  rewriteHtml = null,
}) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : prefix + '/', path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const version = versioned ? directoryVersion(path.resolve(versioned.dir)) : null;
  const hashedPrefix = versioned ? `${versioned.prefix.replace(/\/$/, '')}/h-` : null;

  /** The file for a URL path and how long it may be cached, or null. */
  async function locate(urlPath) {
    if (hashedPrefix && urlPath.startsWith(hashedPrefix)) {
      const rest = urlPath.slice(hashedPrefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0 || rest.slice(0, slash) !== (await version())) return null;
      return { root: path.resolve(versioned.dir), relative: rest.slice(slash + 1), immutable: true };
    }
    const mount = table.find(([prefix]) => urlPath.startsWith(prefix) || urlPath + '/' === prefix);
    if (!mount) return null;
    return { root: mount[1], relative: urlPath.slice(mount[0].length), immutable: false };
  }

  const server = http.createServer(async (req, res) => {
    let urlPath = '';
    const answer = (status, head, body) => {
      res.writeHead(status, head).end(body);
      onRequest(urlPath, status);
    };
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      if (urlPath.endsWith('/')) urlPath += 'index.html';
      const found = await locate(urlPath);
      if (!found) return void answer(404, {}, 'not found');
      const { root, relative, immutable } = found;
      const file = path.resolve(root, '.' + path.posix.sep + relative);
      if (file !== root && !file.startsWith(root + path.sep)) return void answer(403, {}, 'forbidden');
      if (!(await stat(file)).isFile()) return void answer(404, {}, 'not found');
      let body = await readFile(file);
      const type = MIME[path.extname(file)] ?? 'application/octet-stream';
      if (rewriteHtml && type.startsWith('text/html')) body = Buffer.from(rewriteHtml(urlPath, body.toString('utf8')));
      if (caching && versioned && type.startsWith('text/html')) {
        const hashed = `${hashedPrefix}${await version()}/`;
        body = Buffer.from(body.toString('utf8').replaceAll(`"${versioned.prefix.replace(/\/$/, '')}/`, `"${hashed}`));
      }
      const head = { 'Content-Type': type, ...headers(urlPath) };
      if (!caching) head['Cache-Control'] = 'no-store';
      else {
        head['Cache-Control'] = immutable ? IMMUTABLE : REVALIDATE;
        head.ETag = etagOf(body);
        const asked = req.headers['if-none-match'];
        if (asked && asked.split(',').some((tag) => tag.trim().replace(/^W\//, '') === head.ETag)) {
          return void answer(304, { 'Cache-Control': head['Cache-Control'], ETag: head.ETag });
        }
      }
      answer(200, head, body);
    } catch {
      if (!res.headersSent) answer(404, {}, 'not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  let port = 8080;
  const mounts = {};
  const extra = {};
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i] === '--header') {
      const line = args[++i] ?? '';
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`expected --header 'Name: value', got "${line}"`);
      extra[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    } else {
      const [prefix, dir] = args[i].split('=');
      if (!dir) throw new Error(`expected <urlPrefix>=<dir>, got "${args[i]}"`);
      mounts[prefix] = dir;
    }
  }
  const { url } = await startServer({ mounts, port, headers: () => extra });
  console.log(`LISTENING ${url}`);
}
