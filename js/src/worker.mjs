// Module worker that owns the wasm engine, dedicated to one page or shared by the shop's pages
// (worker_client.mjs openRankingChannel). Each page sends one message per ranking; see ranking_service.mjs for the
// message shapes. Every request carries the events it needs: nothing about the shopper stays here between requests,
// so a shared worker gives one page nothing of another. Only the model file is fetched from here, and its request
// carries nothing about the shopper.
import { createEngine } from './engine.mjs';
import { createRankingService } from './ranking_service.mjs';
import { fetchImmutable, fetchModel } from './model_fetch.mjs';
import { mark } from './marks.mjs';
// Every other module the worker runs, named here as well: the browser fetches a module's imports only once it has
// parsed the module, so a graph four levels deep took four rounds of requests before the worker could start. Listed
// here, they are all fetched in the second round; the engine's glue, which engine.mjs imports only when the first
// request comes, is fetched and parsed then too.
import './status.mjs';
import './wire.mjs';
import './explain.mjs';
import './messages.mjs';
import './text.mjs';
import './rank_by.mjs';
import './vitrine-engine.mjs';

mark('worker');

const service = createRankingService({
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
