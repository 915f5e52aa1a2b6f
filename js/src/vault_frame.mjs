// vault.html's module: waits for the one page that embeds it (vault.mjs explains the vault) and serves it.
import { serveVault, sameShop } from './vault.mjs';
import { openStore, deleteDatabase } from './storage.mjs';
import { RankingClient } from './worker_client.mjs';

let connected = false;
addEventListener('message', (event) => {
  const port = event.ports?.[0];
  if (connected || event.source !== parent || parent === window || event.data?.type !== 'vitrine-connect' || !port)
    return;
  if (!sameShop(event.origin, location.origin)) {
    port.postMessage({
      type: 'refused',
      reason: `a page of ${event.origin} may not use the vault of ${location.origin}`,
    });
    return;
  }
  connected = true;
  serveVault(port, event.data.config, {
    win: window,
    openStore,
    deleteHistory: (name) => (typeof indexedDB === 'object' && indexedDB ? deleteDatabase(indexedDB, name) : true),
    // A malformed data-model-integrity (false) loads no model rather than skip the check.
    makeRankingClient: (config) =>
      config.model && config.modelIntegrity !== false && typeof WebAssembly === 'object'
        ? new RankingClient({
            workerUrl: null, // the package's worker.mjs, beside this frame's module
            modelUrl: config.model,
            timeoutMs: config.rankTimeoutMs,
            modelTimeoutMs: config.modelTimeoutMs,
            maxModelBytes: config.maxModelBytes,
            modelIntegrity: config.modelIntegrity,
            SharedWorker: config.worker === 'shared' ? globalThis.SharedWorker : null,
          })
        : null,
  }).catch((e) => port.postMessage({ type: 'refused', reason: `the vault could not start: ${e?.message ?? e}` }));
});
