// The lab's replay, off the main thread: loads the package's wasm engine and the model, ranks the whole catalog for
// every test prefix with engine.topK (as the shop's worker would for a shopper) and reports the rank of the true next
// item and the time of each call. Progress goes out about ten times a second; the page stops a run by terminating
// this worker, so everything already reported stays counted.
//
// in:  {modelUrl, examplesUrl, examplesName}
// out: {type: 'started', examples, model, build} · {type: 'progress', ranks: Uint8Array, latencies: Float64Array}
//      · {type: 'done'} · {type: 'error', message}
import { createEngine } from '/vitrine/engine.mjs';
import { EventKind } from '/vitrine/event_kinds.mjs';

import { parseExamples } from './examples.mjs';
import { CUTOFF } from './metrics.mjs';

const PROGRESS_EVERY_MS = 100;

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

function replay(engine, vocabulary, examples) {
  let ranks = [],
    latencies = [];
  let lastPost = performance.now();
  const flush = () => {
    const r = Uint8Array.from(ranks),
      l = Float64Array.from(latencies);
    postMessage({ type: 'progress', ranks: r, latencies: l }, [r.buffer, l.buffer]);
    ranks = [];
    latencies = [];
    lastPost = performance.now();
  };
  for (const { label, prefix } of examples) {
    // Dataset ids are model items (vitrine train numbers them so); the engine takes product ids, one view per click.
    const events = prefix.map((id, t) => ({ kind: EventKind.view, item: vocabulary[id - 1], t }));
    const start = performance.now();
    const { ids } = engine.topK({ events, nowMs: prefix.length, k: CUTOFF });
    latencies.push(performance.now() - start);
    ranks.push(ids.indexOf(vocabulary[label - 1]) + 1); // 0: not in the top CUTOFF
    if (performance.now() - lastPost >= PROGRESS_EVERY_MS) flush();
  }
  flush();
}

self.onmessage = async ({ data }) => {
  let engine = null;
  try {
    const [created, modelResponse, examplesResponse] = await Promise.all([
      createEngine(),
      fetchOk(data.modelUrl),
      fetchOk(data.examplesUrl),
    ]);
    engine = created;
    const model = engine.loadModel(new Uint8Array(await modelResponse.arrayBuffer()));
    const vocabulary = engine.vocabulary();
    const examples = parseExamples(await examplesResponse.text(), data.examplesName, vocabulary.length);
    postMessage({ type: 'started', examples: examples.length, model, build: engine.buildInfo() });
    replay(engine, vocabulary, examples);
    postMessage({ type: 'done' });
  } catch (error) {
    postMessage({ type: 'error', message: String(error?.message ?? error) });
  } finally {
    engine?.release();
  }
};
