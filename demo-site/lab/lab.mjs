// The evaluation lab page: reads what tools/build_lab_data.mjs built (/catalog/lab/lab.json), runs the replay in a
// module worker (replay_worker.mjs) and shows its figures as they accumulate, beside the native evaluator's on the
// same examples, the baselines and the published numbers. Every value reaches the page as text or SVG attributes.
//
// body[data-lab-state]: loading, idle (lab.html?run=none), running, done, stopped, missing (no data), error.
// body[data-lab-result]: the run's figures as JSON once it is done or stopped (the browser test reads them).
import { el, param } from '../shop/dom.mjs';
import { renderLayout } from '../shop/layout.mjs';
import { barChart, latencyHistogram, traceChart } from './charts.mjs';
import { CUTOFF, LatencyLog, RankHistogram, latencySummary } from './metrics.mjs';

const LAB_URL = '/catalog/lab/';
const $ = (id) => document.getElementById(id);
const pct = (x) => `${(100 * x).toFixed(2)}%`;
const count = (n) => n.toLocaleString('en');
const kilobytes = (bytes) => `${count(bytes)} (${(bytes / 1024).toFixed(1)} KB)`;
const ms = (x) => `${x.toFixed(2)} ms`;

renderLayout(null, { current: 'lab' });

function setState(state) {
  document.body.dataset.labState = state;
}

function showError(message) {
  $('lab-error').hidden = false;
  $('error-text').textContent = message;
  setState('error');
}

async function loadManifest() {
  const response = await fetch(LAB_URL + 'lab.json');
  if (!response.ok) throw new Error(`${LAB_URL}lab.json: HTTP ${response.status}`);
  return response.json();
}

function renderSizes(manifest) {
  const wasm = manifest.bundle.files.find((f) => f.name.endsWith('.wasm'));
  const row = (label, raw, gzip) =>
    el('tr', {}, el('td', { text: label }), el('td', { text: kilobytes(raw) }), el('td', { text: kilobytes(gzip) }));
  $('sizes').tBodies[0].replaceChildren(
    row(`model (${manifest.model.source})`, manifest.model.raw, manifest.model.gzip),
    row(`package: JS + wasm, ${manifest.bundle.files.length} files`, manifest.bundle.raw, manifest.bundle.gzip),
    wasm ? row(`of which ${wasm.name}`, wasm.raw, wasm.gzip) : null
  );
  $('lab-sizes').hidden = false;
}

// The methods a run is compared with: the native evaluator's model row and baselines on the same examples (when
// known), then the published figures.
function referenceRows(manifest, native, sameExamples) {
  const rows = [];
  if (native) {
    const where = `${sameExamples}, native (vitrine eval)`;
    rows.push({
      key: 'native',
      label: 'Vitrine, native evaluator',
      hr: native.methods.model['hr@20'],
      mrr: native.methods.model['mrr@20'],
      kind: 'native',
      where,
    });
    for (const [key, m] of Object.entries(native.methods)) {
      if (key !== 'model') rows.push({ key, label: m.name, hr: m['hr@20'], mrr: m['mrr@20'], kind: 'baseline', where });
    }
  }
  for (const p of manifest.published) {
    rows.push({
      key: p.name,
      label: `${p.name} (published)`,
      hr: p.hr20,
      mrr: p.mrr20,
      kind: 'published',
      where: p.source,
    });
  }
  return rows;
}

class Lab {
  constructor(manifest) {
    this.manifest = manifest;
    this.modes = {
      sample: {
        file: manifest.sample.file,
        examples: manifest.sample.examples,
        native: manifest.native.sample,
        what: `the sample: ${manifest.sample.rule} (${count(manifest.sample.examples)} of ${count(manifest.full.examples)})`,
        same: 'same sample',
      },
      all: {
        file: manifest.full.file,
        examples: manifest.full.examples,
        native: manifest.native.full,
        what: `the whole test split (${count(manifest.full.examples)} examples)`,
        same: 'whole split',
      },
    };
    this.run = null;
    this.frame = 0;
    $('run-sample').addEventListener('click', () => this.start('sample'));
    $('run-all').addEventListener('click', () => this.start('all'));
    $('stop').addEventListener('click', () => this.stop());
    $('native-command').textContent =
      `Native figures on the sample: ${manifest.native.sample.command}` +
      (manifest.native.full ? `; on the whole split: ${manifest.native.full.source}.` : '.');
    $('lab-run').hidden = false;
  }

  start(mode) {
    this.run?.worker.terminate();
    const spec = this.modes[mode];
    const worker = new Worker(new URL('./replay_worker.mjs', import.meta.url), { type: 'module' });
    const run = {
      mode,
      spec,
      worker,
      histogram: new RankHistogram(),
      latencies: new LatencyLog(),
      trace: [],
      started: performance.now(),
      state: 'running',
    };
    this.run = run;
    worker.onmessage = ({ data }) => this.#onMessage(run, data);
    worker.onerror = (event) => this.#fail(run, event.message || 'the replay worker could not start');
    worker.postMessage({
      modelUrl: LAB_URL + this.manifest.model.file,
      examplesUrl: LAB_URL + spec.file,
      examplesName: spec.file,
    });
    $('run-what').textContent = `Replaying ${spec.what}.`;
    $('status').textContent = 'Loading the engine and the model…';
    this.#setButtons(true);
    delete document.body.dataset.labResult;
    setState('running');
    this.render();
  }

  stop() {
    const run = this.run;
    if (!run || run.state !== 'running') return;
    run.worker.terminate();
    this.#finish(run, 'stopped');
  }

  #onMessage(run, message) {
    if (run !== this.run || run.state !== 'running') return;
    if (message.type === 'started') {
      run.total = message.examples;
      run.engine =
        `model ${message.model.kind}, ${count(message.model.vocab_size)} items; engine v${message.build.version}, ` +
        `kernels ${message.build.kernels}`;
    } else if (message.type === 'progress') {
      for (const rank of message.ranks) run.histogram.add(rank);
      run.latencies.addAll(message.latencies);
      const { hitRate, mrr } = run.histogram.at(CUTOFF);
      run.trace.push({ done: run.histogram.count, hr: hitRate, mrr });
      this.frame ||= requestAnimationFrame(() => this.render());
    } else if (message.type === 'done') {
      run.worker.terminate();
      this.#finish(run, 'done');
    } else if (message.type === 'error') {
      this.#fail(run, message.message);
    }
  }

  #fail(run, message) {
    if (run !== this.run) return;
    run.worker.terminate();
    run.state = 'error';
    this.#setButtons(false);
    showError(`The replay failed: ${message}`);
  }

  #finish(run, state) {
    run.state = state;
    run.seconds = (performance.now() - run.started) / 1000;
    this.#setButtons(false);
    this.render();
    document.body.dataset.labResult = JSON.stringify(this.#result(run));
    setState(state);
  }

  #setButtons(running) {
    $('run-sample').disabled = running;
    $('run-all').disabled = running;
    $('stop').disabled = !running;
  }

  #result(run) {
    const live = run.histogram.at(CUTOFF);
    const native = run.spec.native?.methods.model;
    return {
      mode: run.mode,
      examples: live.examples,
      hits: live.hits,
      hr20: live.hitRate,
      mrr20: live.mrr,
      native: native ? { examples: run.spec.native.examples, hr20: native['hr@20'], mrr20: native['mrr@20'] } : null,
      latency: latencySummary(run.latencies.sorted()),
    };
  }

  render() {
    this.frame = 0;
    const run = this.run;
    if (!run) return;
    const live = run.histogram.at(CUTOFF);
    const total = run.total ?? run.spec.examples;
    $('progress').value = total ? live.examples / total : 0;
    const elapsed = (run.seconds ?? (performance.now() - run.started) / 1000).toFixed(1);
    const verb = { running: 'Replayed', done: 'Done:', stopped: 'Stopped after', error: 'Failed after' }[run.state];
    $('status').textContent =
      `${verb} ${count(live.examples)} of ${count(total)} examples in ${elapsed} s` +
      (run.engine ? ` · ${run.engine}` : '');

    const references = referenceRows(this.manifest, run.spec.native, run.spec.same);
    const liveRow = {
      label: 'Vitrine, this browser',
      hr: live.hitRate,
      mrr: live.mrr,
      kind: 'live',
      where: `${run.state === 'running' ? 'live, ' : ''}wasm in a worker, ${count(live.examples)} examples`,
    };
    const rows = [liveRow, ...references];
    $('metrics').tBodies[0].replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          { class: `row-${r.kind}` },
          el('td', { text: r.label }),
          el('td', { text: pct(r.hr) }),
          el('td', { text: pct(r.mrr) }),
          el('td', { text: r.where })
        )
      )
    );
    $('bar-chart').replaceChildren(barChart(rows));
    const native = run.spec.native?.methods.model;
    $('trace-chart').replaceChildren(
      traceChart(run.trace, { total, nativeHr: native?.['hr@20'], nativeMrr: native?.['mrr@20'] })
    );
    $('agreement').textContent = this.#agreement(run, live, native);

    const sorted = run.latencies.sorted();
    const stats = latencySummary(sorted);
    $('latency-stats').replaceChildren(
      ...(sorted.length === 0
        ? []
        : [
            ['calls', count(stats.calls)],
            ['p50', ms(stats.p50)],
            ['p95', ms(stats.p95)],
            ['p99', ms(stats.p99)],
            ['slowest', ms(stats.max)],
          ].map(([term, value]) => el('div', {}, el('dt', { text: term }), el('dd', { text: value }))))
    );
    $('latency-chart').replaceChildren(latencyHistogram(sorted, stats));
  }

  #agreement(run, live, native) {
    if (!native) return 'No native figure for these examples: the native report covers another test file.';
    const examples = run.spec.native.examples;
    const nativeHits = Math.round(native['hr@20'] * examples);
    const nativeText =
      `the native evaluator: ${count(nativeHits)} hits of ${count(examples)}, HR@20 ${pct(native['hr@20'])}, ` +
      `MRR@20 ${pct(native['mrr@20'])}`;
    const liveText = `This browser: ${count(live.hits)} hits of ${count(live.examples)}, HR@20 ${pct(live.hitRate)}, MRR@20 ${pct(live.mrr)}`;
    if (run.state !== 'done' || live.examples !== examples) return `${liveText}; ${nativeText}.`;
    const verdict =
      live.hits === nativeHits ? 'the same hits as' : `${Math.abs(live.hits - nativeHits)} hit(s) apart from`;
    return `${liveText}: ${verdict} ${nativeText}.`;
  }
}

try {
  const manifest = await loadManifest();
  if (manifest.bundle) renderSizes(manifest);
  if (manifest.data.state === 'missing') {
    $('missing-dir').textContent = manifest.data.dir;
    $('missing-files').textContent = manifest.data.missing.join(', ');
    $('lab-missing').hidden = false;
    setState('missing');
  } else if (manifest.data.state !== 'ready') {
    showError(`Building the lab data failed: ${manifest.data.message}`);
  } else {
    const lab = new Lab(manifest);
    const mode = param('run') ?? 'sample';
    if (mode in lab.modes) lab.start(mode);
    else setState('idle');
  }
} catch (error) {
  showError(`${error.message}. The lab's data is built by tools/demo.sh (tools/build_lab_data.mjs).`);
}
