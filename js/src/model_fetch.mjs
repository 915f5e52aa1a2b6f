// Fetches the model file in the worker, bounded in time and size: a hung or misconfigured server must cost the page
// nothing but a warning. Rejects with an Error whose message says which bound was hit. With an integrity value
// (data-model-integrity, Subresource Integrity syntax), the bytes must match one of its digests before anyone
// parses them.

/** `sha256-<base64>` (or sha384, sha512), one or more separated by spaces: what data-model-integrity accepts. */
export const INTEGRITY_PATTERN =
  /^\s*sha(256|384|512)-[A-Za-z0-9+/]+={0,2}(\s+sha(256|384|512)-[A-Za-z0-9+/]+={0,2})*\s*$/;

function base64(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/**
 * Resolves when `bytes` match one digest of `integrity`; rejects with an Error naming the check otherwise.
 * @param {Uint8Array} bytes
 * @param {string} integrity
 */
export async function checkIntegrity(bytes, integrity) {
  if (!INTEGRITY_PATTERN.test(integrity))
    throw new Error('data-model-integrity is not sha256-, sha384- or sha512- and base64');
  const wanted = integrity.trim().split(/\s+/);
  const computed = new Map();
  for (const entry of wanted) {
    const dash = entry.indexOf('-');
    const algorithm = `SHA-${entry.slice(3, dash)}`;
    if (!computed.has(algorithm))
      computed.set(algorithm, base64(new Uint8Array(await crypto.subtle.digest(algorithm, bytes))));
    if (computed.get(algorithm) === entry.slice(dash + 1)) return;
  }
  throw new Error(
    `the model does not match data-model-integrity (its ${[...computed.keys()][0].toLowerCase().replace('-', '')} is ${[...computed.values()][0]})`
  );
}

/** The Cache API store of the catalog index's shards: content-named, so a cached one is never stale. */
export const SHARD_CACHE = 'vitrine-index-shards-v1';

/**
 * An immutable file (a catalog index shard, named by its content): from the Cache API when it has it, else fetched
 * (fetchModel's limits) and put there for the next page. Without the Cache API (an opaque origin, an old browser)
 * the HTTP cache still keeps it (Cache-Control: immutable).
 * @param {string} url
 * @param {{timeoutMs: number, maxBytes: number, fetch?: typeof fetch, caches?: CacheStorage|null}} limits
 * @returns {Promise<{bytes: Uint8Array, cached: boolean}>}
 */
export async function fetchImmutable(url, { caches = globalThis.caches ?? null, ...limits }) {
  const store = await caches?.open(SHARD_CACHE).catch(() => null);
  const hit = await store?.match(url).catch(() => undefined);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (bytes.length <= limits.maxBytes) return { bytes, cached: true };
  }
  const bytes = await fetchModel(url, { ...limits, what: 'index shard', credentials: 'omit' });
  // Best effort: a full quota or a private window only costs the next page a fetch.
  await store?.put(url, new Response(bytes)).catch(() => {});
  return { bytes, cached: false };
}

/**
 * @param {string} url
 * @param {{timeoutMs: number, maxBytes: number, integrity?: string|null, fetch?: typeof fetch, what?: string,
 *   credentials?: RequestCredentials}} limits
 *   what names the file in the errors (default 'model'; the widgets' product feed uses it too); credentials 'omit'
 *   for the catalog index's files, which no cookie should tie to the shopper who asked for them
 * @returns {Promise<Uint8Array>}
 */
export async function fetchModel(
  url,
  {
    timeoutMs,
    maxBytes,
    integrity = null,
    fetch: fetchFn = globalThis.fetch,
    what = 'model',
    credentials = 'same-origin',
  }
) {
  const abort = new AbortController();
  const timeout = new Error(`no ${what} after ${timeoutMs} ms`);
  const timer = setTimeout(() => abort.abort(timeout), timeoutMs);
  try {
    const response = await fetchFn(url, { credentials, signal: abort.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
    const declared = Number(response.headers.get('content-length'));
    if (declared > maxBytes) throw new Error(`the ${what} is ${declared} bytes, over the limit of ${maxBytes}`);
    // Read in chunks, so a server without (or lying about) Content-Length cannot make us hold more.
    const chunks = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) throw new Error(`the ${what} is over the limit of ${maxBytes} bytes`);
      chunks.push(value);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    if (integrity) await checkIntegrity(bytes, integrity);
    return bytes;
  } catch (e) {
    throw abort.signal.aborted && abort.signal.reason === timeout ? timeout : e;
  } finally {
    clearTimeout(timer);
    abort.abort(); // stops a body still streaming after an error
  }
}
