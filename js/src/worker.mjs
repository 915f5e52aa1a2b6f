// Module worker that owns the wasm engine. The main thread sends one message per ranking; see
// ranking_service.mjs for the message shapes. Only the model file is fetched from here, and its request carries
// nothing about the shopper.
import { createEngine } from './engine.mjs';
import { createRankingService } from './ranking_service.mjs';

const service = createRankingService({
  createEngine: () => createEngine(),
  async fetchBytes(url) {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
    return new Uint8Array(await response.arrayBuffer());
  },
});

self.onmessage = async (event) => {
  self.postMessage(await service.handle(event.data));
};
