// Module worker that owns the wasm engine. The main thread sends one message per ranking; see
// ranking_service.mjs for the message shapes. Only the model file is fetched from here, and its request carries
// nothing about the shopper.
import { createEngine } from './engine.mjs';
import { createRankingService } from './ranking_service.mjs';
import { fetchModel } from './model_fetch.mjs';
import { mark } from './marks.mjs';

mark('worker');

const service = createRankingService({
  createEngine: () => createEngine(),
  fetchBytes: (url, limits) => fetchModel(url, limits),
});

self.onmessage = async (event) => {
  self.postMessage(await service.handle(event.data));
};
