// Module worker that owns the wasm engine, dedicated to one page or shared by the shop's pages
// (worker_client.mjs openRankingChannel). Each page sends one message per ranking; see ranking_service.mjs for the
// message shapes. A request carries the events it needs, or asks this worker to read them from the shop origin's
// event store (`stored`), which every page of that origin can read anyway: nothing about the shopper stays here
// between requests, only the store's connection. Only the model file is fetched from here, and its request carries
// nothing about the shopper.
import { createEngine } from './engine.mjs';
import { createRankingService } from './ranking_service.mjs';
import { fetchImmutable, fetchModel } from './model_fetch.mjs';
import { mark } from './marks.mjs';
import { openStore } from './storage.mjs';
// The engine's glue, which engine.mjs imports only when the first request comes, named here so that the browser
// fetches and parses it beside this module. The shipped worker.mjs is one bundle of the rest
// (tools/package_bundle.mjs); the glue stays a file of its own, beside its .wasm.
import './vitrine-engine.mjs';

mark('worker');

// The event stores this worker reads for its pages (storage.mjs, the page's own code), by database name and
// limits: a shared worker keeps the connection open from one page to the next, so a later page's ranking waits
// neither for the page to open its store nor for the page's main thread to run the read's callbacks. A store that
// falls back to memory has nothing of the page's: its read fails, and the page reads the store itself.
const stores = new Map();
// Expiry is judged by the page's clock (the request's nowMs), as the page's own reads judge it.
let pageNow = Date.now();
async function readStored({ name, limits, limit }, nowMs) {
  const key = JSON.stringify([name, limits.maxEvents, limits.maxBytes, limits.retentionDays]);
  let opening = stores.get(key);
  if (!opening) {
    opening = openStore({ name, limits, BroadcastChannel: null, now: () => pageNow });
    stores.set(key, opening);
  }
  const store = await opening;
  pageNow = nowMs; // read synchronously by recent(), before any other request's await
  const events = store.backend === 'indexeddb' ? await store.recent(limit) : null;
  if (store.backend !== 'indexeddb') {
    if (stores.get(key) === opening) stores.delete(key); // the next request tries IndexedDB again
    store.close();
    throw new Error('IndexedDB is not available in the ranking worker');
  }
  return events;
}

const service = createRankingService({
  readStored,
  createEngine: () => createEngine(),
  fetchBytes: (url, limits) => fetchModel(url, limits),
  fetchShard: (url, limits) => fetchImmutable(url, limits),
});

const answerOn = (port) => async (event) => {
  port.postMessage(await service.handle(event.data));
};

if ('onconnect' in self) {
  self.onconnect = (event) => {
    const port = event.ports[0];
    port.onmessage = answerOn(port);
  };
} else {
  self.onmessage = answerOn(self);
}
