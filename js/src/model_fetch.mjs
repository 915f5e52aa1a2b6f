// Fetches the model file in the worker, bounded in time and size: a hung or misconfigured server must cost the page
// nothing but a warning. Rejects with an Error whose message says which bound was hit.

/**
 * @param {string} url
 * @param {{timeoutMs: number, maxBytes: number, fetch?: typeof fetch}} limits
 * @returns {Promise<Uint8Array>}
 */
export async function fetchModel(url, { timeoutMs, maxBytes, fetch: fetchFn = globalThis.fetch }) {
  const abort = new AbortController();
  const timeout = new Error(`no model after ${timeoutMs} ms`);
  const timer = setTimeout(() => abort.abort(timeout), timeoutMs);
  try {
    const response = await fetchFn(url, { credentials: 'same-origin', signal: abort.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
    const declared = Number(response.headers.get('content-length'));
    if (declared > maxBytes) throw new Error(`the model is ${declared} bytes, over the limit of ${maxBytes}`);
    // Read in chunks, so a server without (or lying about) Content-Length cannot make us hold more.
    const chunks = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) throw new Error(`the model is over the limit of ${maxBytes} bytes`);
      chunks.push(value);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  } catch (e) {
    throw abort.signal.aborted && abort.signal.reason === timeout ? timeout : e;
  } finally {
    clearTimeout(timer);
    abort.abort(); // stops a body still streaming after an error
  }
}
