// Static file server for the demo and the browser tests. Binds 127.0.0.1 only.
//
//   node tools/serve.mjs [--port N] [--header 'Name: value' ...] <urlPrefix>=<dir> [<urlPrefix>=<dir> ...]
//   node tools/serve.mjs --port 8080 /=demo-site /vitrine=build/wasm/dist
//
// --header adds a response header to every file (tools/demo.sh sets the demo's Content-Security-Policy this way).
//
// Longest prefix wins. .wasm is served as application/wasm (needed for instantiateStreaming), .mjs/.js as
// JavaScript. Prints "LISTENING http://127.0.0.1:<port>/" once ready (port 0 picks a free one).
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.vtm': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts a server. `mounts` maps URL prefixes to directories. `headers(urlPath)` may add response headers
 * (tests use it for a Content-Security-Policy). Resolves to { server, url }.
 */
export function startServer({ mounts, port = 0, headers = () => ({}) }) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : prefix + '/', path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = http.createServer(async (req, res) => {
    try {
      let urlPath = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      if (urlPath.endsWith('/')) urlPath += 'index.html';
      const mount = table.find(([prefix]) => urlPath.startsWith(prefix) || urlPath + '/' === prefix);
      if (!mount) return void res.writeHead(404).end('not found');
      const [prefix, root] = mount;
      const file = path.resolve(root, '.' + path.posix.sep + urlPath.slice(prefix.length));
      if (file !== root && !file.startsWith(root + path.sep)) return void res.writeHead(403).end('forbidden');
      if (!(await stat(file)).isFile()) return void res.writeHead(404).end('not found');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
        ...headers(urlPath),
      });
      res.end(body);
    } catch {
      if (!res.headersSent) res.writeHead(404).end('not found');
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
