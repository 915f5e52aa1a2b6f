// The measurements themselves, shared by Node (bench/run.mjs) and Chromium (bench/page.html): the same data, the
// same three runtimes, the same timing loop. Environment-specific loading happens in the callers, which pass the
// loaded libraries in.
import { onnxMlp, onnxTopK } from './onnx.mjs';
import { mulberry32 as rng } from '../tools/random.mjs';

export const FEATURE_DIM = 128;
export const SIZES = [1, 50, 200, 1000, 5000];
export const CATALOG_ITEMS = 43097;
export const CATALOG_DIM = 64;
export const TOP_K = 20;
export const TOLERANCE = 1e-5;
export const RUNTIMES = ['vitrine', 'ort', 'tfjs'];
// Cold starts also timed for the shop's own engine (dist/engine.mjs) with a session model: what a page waits for.
export const COLD_STARTS = [...RUNTIMES, 'engine'];
export const ENGINE_COLD_CANDIDATES = 60; // a category page's listing

// A seeded generator, so every run and every environment scores the same inputs.
export { rng };

export function uniform(n, seed, scale = 1) {
  const r = rng(seed),
    out = new Float32Array(n);
  for (let i = 0; i < n; ++i) out[i] = (2 * r() - 1) * scale;
  return out;
}

/** The catalog: unit-length rows (so scores are cosines in [-1, 1]) and one unit query. */
export function catalogData(seed = 7) {
  const items = uniform(CATALOG_ITEMS * CATALOG_DIM, seed);
  for (let r = 0; r < CATALOG_ITEMS; ++r) {
    const row = items.subarray(r * CATALOG_DIM, (r + 1) * CATALOG_DIM);
    const norm = Math.hypot(...row);
    for (let d = 0; d < CATALOG_DIM; ++d) row[d] /= norm;
  }
  const query = uniform(CATALOG_DIM, seed + 1);
  const qn = Math.hypot(...query);
  for (let d = 0; d < CATALOG_DIM; ++d) query[d] /= qn;
  const itemsT = new Float32Array(CATALOG_ITEMS * CATALOG_DIM);
  for (let r = 0; r < CATALOG_ITEMS; ++r) {
    for (let d = 0; d < CATALOG_DIM; ++d) itemsT[d * CATALOG_ITEMS + r] = items[r * CATALOG_DIM + d];
  }
  return { items, itemsT, query };
}

/** FLOPs of one MLP call on n rows: a multiply and an add per weight per row. */
export function mlpFlops(layers, n) {
  return 2 * n * layers.reduce((sum, l) => sum + l.in * l.out, 0);
}

/** The MLP in float64, layer by layer: the yardstick every runtime is checked against. */
export function referenceMlp(layers, features, n) {
  let x = Float64Array.from(features),
    width = layers[0].in;
  for (const l of layers) {
    const y = new Float64Array(n * l.out);
    for (let r = 0; r < n; ++r) {
      for (let j = 0; j < l.out; ++j) {
        let s = l.bias[j];
        for (let k = 0; k < width; ++k) s += x[r * width + k] * l.weights[k * l.out + j];
        y[r * l.out + j] =
          l.activation === 'relu' ? Math.max(s, 0) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s;
      }
    }
    x = y;
    width = l.out;
  }
  return x;
}

/** The exact top-K in float64 (ties by lower index), for checking every runtime's catalog result. */
export function referenceTopK({ items, query }) {
  const scores = new Float64Array(CATALOG_ITEMS);
  for (let r = 0; r < CATALOG_ITEMS; ++r) {
    let s = 0;
    for (let d = 0; d < CATALOG_DIM; ++d) s += query[d] * items[r * CATALOG_DIM + d];
    scores[r] = s;
  }
  const order = Array.from(scores.keys())
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, TOP_K);
  return { items: order, scores: order.map((i) => scores[i]), all: scores };
}

// ------------------------------------------------------------------------------------------------ runtimes
// Each adapter: mlp(features, n) -> Float32Array of n scores; topK() -> {items, scores}. Every call includes
// passing the input in and reading the result out into a JS-owned array.

// Vitrine's kernels through the benchmark's module (bench/bench_kernels.mjs): the same SIMD128 kernels and glue as
// the shipped engine, which carries no MLP of its own.
export async function vitrineRuntime(engine, modelBytes, catalog) {
  engine.loadMlp(modelBytes);
  engine.setItemVectors(catalog.items, CATALOG_DIM);
  return {
    name: 'vitrine',
    mlp: (features) => engine.scoreFeatures(features, FEATURE_DIM),
    topK: () => engine.topKDot(catalog.query, TOP_K),
    dispose: () => engine.release(),
  };
}

export async function ortRuntime(ort, layers, catalog) {
  ort.env.wasm.numThreads = 1; // a shop page is rarely cross-origin isolated: one thread is the fair figure
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const mlp = await ort.InferenceSession.create(onnxMlp(layers), options);
  const topk = await ort.InferenceSession.create(onnxTopK(catalog.itemsT, CATALOG_ITEMS, CATALOG_DIM, TOP_K), options);
  const query = new ort.Tensor('float32', catalog.query, [1, CATALOG_DIM]);
  return {
    name: 'ort',
    async mlp(features, n) {
      const out = await mlp.run({ features: new ort.Tensor('float32', features, [n, FEATURE_DIM]) });
      return Float32Array.from(out.scores.data);
    },
    async topK() {
      const out = await topk.run({ query });
      return { items: Array.from(out.indices.data, Number), scores: Float32Array.from(out.values.data) };
    },
    async dispose() {
      await mlp.release();
      await topk.release();
    },
  };
}

// The MLP as a Keras-style model on the wasm backend, with the reference weights.
async function tfjsMlp(tf, layers) {
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its wasm backend');
  await tf.ready();
  const model = tf.sequential();
  layers.forEach((l, i) =>
    model.add(
      tf.layers.dense({
        units: l.out,
        activation: l.activation === 'none' ? 'linear' : l.activation,
        ...(i === 0 ? { inputShape: [l.in] } : {}),
      })
    )
  );
  model.setWeights(layers.flatMap((l) => [tf.tensor2d(l.weights, [l.in, l.out]), tf.tensor1d(l.bias)]));
  return model;
}

export async function tfjsRuntime(tf, layers, catalog) {
  const model = await tfjsMlp(tf, layers);
  const itemsT = tf.tensor2d(catalog.itemsT, [CATALOG_DIM, CATALOG_ITEMS]);
  const query = tf.tensor2d(catalog.query, [1, CATALOG_DIM]);
  return {
    name: 'tfjs',
    backend: tf.getBackend(),
    mlp(features, n) {
      return tf.tidy(() =>
        model
          .predict(tf.tensor2d(features, [n, FEATURE_DIM]), { batchSize: n })
          .dataSync()
          .slice()
      );
    },
    topK() {
      return tf.tidy(() => {
        const { values, indices } = tf.topk(tf.matMul(query, itemsT), TOP_K, true);
        return { items: Array.from(indices.dataSync()), scores: values.dataSync().slice() };
      });
    },
    dispose() {
      model.dispose();
      itemsT.dispose();
      query.dispose();
    },
  };
}

// ------------------------------------------------------------------------------------------------ checks

/** Max |difference| of every runtime's MLP scores against the float64 reference, per N. */
export async function checkMlp(runtimes, layers, featuresFor) {
  const out = { tolerance: TOLERANCE, sizes: {}, max_abs_diff: 0, pass: true };
  for (const n of SIZES) {
    const features = featuresFor(n);
    const expected = referenceMlp(layers, features, n);
    const perRuntime = {};
    for (const rt of runtimes) {
      const got = await rt.mlp(features, n);
      let worst = got.length === n ? 0 : Infinity;
      for (let i = 0; i < n && worst !== Infinity; ++i) {
        const d = Math.abs(got[i] - expected[i]);
        worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
      }
      perRuntime[rt.name] = worst;
      out.max_abs_diff = Math.max(out.max_abs_diff, worst);
    }
    out.sizes[n] = perRuntime;
  }
  out.pass = out.max_abs_diff <= TOLERANCE;
  return out;
}

/**
 * Top-K check: every runtime's scores within the tolerance of the exact ones, and its items the exact items
 * except where two candidates' exact scores are within the tolerance of each other (then either order is right).
 */
export async function checkTopK(runtimes, catalog) {
  const ref = referenceTopK(catalog);
  const out = { tolerance: TOLERANCE, max_abs_diff: 0, pass: true, runtimes: {} };
  for (const rt of runtimes) {
    const got = await rt.topK();
    let worst = got.items.length === TOP_K ? 0 : Infinity,
      itemsOk = worst === 0;
    for (let i = 0; i < Math.min(TOP_K, got.items.length); ++i) {
      worst = Math.max(worst, Math.abs(got.scores[i] - ref.scores[i]));
      const item = Number(got.items[i]);
      if (item !== ref.items[i] && !(Math.abs(ref.all[item] - ref.scores[i]) <= TOLERANCE)) itemsOk = false;
    }
    out.runtimes[rt.name] = { max_abs_diff: worst, items_match: itemsOk };
    out.max_abs_diff = Math.max(out.max_abs_diff, worst);
    out.pass &&= itemsOk && worst <= TOLERANCE;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ timing

function quantile(sorted, q) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * How many back-to-back calls make one sample: 1, unless one call is shorter than minSampleMs (coarse browser
 * timers). Runs `call` a few times first.
 */
export async function callsPerSample(call, { minSampleMs = 0, now }) {
  for (let i = 0; i < 3; ++i) await call();
  const t0 = now();
  await call();
  const once = Math.max(now() - t0, 1e-3);
  return minSampleMs > 0 ? Math.max(1, Math.ceil(minSampleMs / once)) : 1;
}

/**
 * Samples of `reps` back-to-back calls of `call` (sync or async) for about budgetMs, in ms per call. With `before`,
 * each sample is preceded by before(), whose results come back in `paired`, one per sample.
 */
export async function timeCalls(call, { budgetMs, reps = 1, minSamples = 1, maxSamples = 500, now, before = null }) {
  const samples = [],
    paired = [];
  const start = now();
  while (samples.length < maxSamples && (samples.length < minSamples || now() - start < budgetMs)) {
    if (before) paired.push(before());
    const s = now();
    for (let r = 0; r < reps; ++r) await call();
    samples.push((now() - s) / reps);
  }
  return { samples, paired };
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median_ms: quantile(sorted, 0.5),
    p95_ms: quantile(sorted, 0.95),
    min_ms: sorted[0],
    samples: sorted.length,
  };
}

const median = (values) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5
  );

/**
 * The MLP at every N and the catalog top-K for every runtime, after a warm-up. The runtimes take turns in `rounds`
 * short slices, so that a shared machine's changes of speed fall on all of them alike; the samples of all rounds are
 * pooled. Every MLP sample is paired with a roofline call of the same FLOP count run just before it, and a call's
 * fraction of the roofline is taken against that partner: the two see the same moment of the machine.
 */
export async function measure(
  runtimes,
  layers,
  featuresFor,
  roofline,
  { budgetMs, rounds = 3, minSampleMs = 0, now, log = () => {} }
) {
  const mlp = {};
  // Warm every runtime up on the largest batch first. V8 runs wasm in a baseline tier until a function has done
  // enough work to be optimized; small batches timed first would otherwise catch some runtimes' kernels still in
  // the baseline tier (a measured 40% on Vitrine's N = 200 in Chromium).
  const warmFeatures = featuresFor(SIZES.at(-1));
  for (const rt of runtimes) {
    const start = now();
    while (now() - start < budgetMs / 5) await rt.mlp(warmFeatures, SIZES.at(-1));
  }
  const slice = { budgetMs: budgetMs / rounds, now };
  for (const n of SIZES) {
    const features = featuresFor(n);
    const flops = mlpFlops(layers, n);
    const perRuntime = [];
    for (const rt of runtimes) {
      const call = () => rt.mlp(features, n);
      const reps = await callsPerSample(call, { minSampleMs, now });
      perRuntime.push({ rt, call, reps, samples: [], rooflineRates: [] });
    }
    for (let round = 0; round < rounds; ++round) {
      for (const p of perRuntime) {
        const t = await timeCalls(p.call, { ...slice, reps: p.reps, before: () => roofline.rate(flops * p.reps) });
        p.samples.push(...t.samples);
        p.rooflineRates.push(...t.paired);
      }
    }
    mlp[n] = {};
    for (const { rt, reps, samples, rooflineRates } of perRuntime) {
      const s = summarize(samples);
      const fractions = samples.map((ms, i) => flops / (ms * 1e6) / rooflineRates[i]);
      mlp[n][rt.name] = {
        ...s,
        calls_per_sample: reps,
        flops,
        gflops: flops / (s.median_ms * 1e6),
        roofline_fraction: median(fractions),
        paired_roofline_gflops: median(rooflineRates),
        roofline_rates: rooflineRates,
      };
    }
    log(`  N=${n}: ${runtimes.map((rt) => `${rt.name} ${mlp[n][rt.name].median_ms.toFixed(4)} ms`).join(', ')}`);
  }
  const topk = {};
  const pooled = [];
  for (const rt of runtimes) {
    const call = () => rt.topK();
    pooled.push({ rt, call, reps: await callsPerSample(call, { minSampleMs, now }), samples: [] });
  }
  for (let round = 0; round < rounds; ++round) {
    for (const p of pooled) p.samples.push(...(await timeCalls(p.call, { ...slice, reps: p.reps })).samples);
  }
  for (const { rt, samples } of pooled) topk[rt.name] = summarize(samples);
  log(`  top-${TOP_K}: ${runtimes.map((rt) => `${rt.name} ${topk[rt.name].median_ms.toFixed(3)} ms`).join(', ')}`);
  return { mlp, topk };
}

/**
 * The one-core SIMD128 ceiling: the in-cache 4x8 GEMM tile of kernels.h in the roofline module. Creating the probe
 * warms the tile up (many short calls, so V8 tiers it up from its baseline compiler); rate(flops) then times one
 * call of about that many FLOPs, but never shorter than minSampleMs (coarse browser timers), and returns GFLOP/s;
 * close() frees the operands.
 */
export function rooflineProbe(mod, { now, minSampleMs = 0 }) {
  const kc = 256,
    floatBytes = 4;
  const flopsPerPass = 2 * kc * 4 * 8;
  const pa = mod._malloc(kc * 4 * floatBytes),
    pb = mod._malloc(kc * 8 * floatBytes),
    pc = mod._malloc(32 * floatBytes);
  const close = () => {
    mod._free(pa);
    mod._free(pb);
    mod._free(pc);
  };
  let minPasses = 1;
  try {
    new Float32Array(mod.HEAPF32.buffer, pa, kc * 4).set(uniform(kc * 4, 11));
    new Float32Array(mod.HEAPF32.buffer, pb, kc * 8).set(uniform(kc * 8, 12));
    for (let i = 0; i < 3000; ++i) mod._vt_bench_roofline(pa, pb, kc, 1, pc);
    if (minSampleMs > 0) {
      const t0 = now();
      mod._vt_bench_roofline(pa, pb, kc, 2000, pc);
      minPasses = Math.ceil((2000 * minSampleMs) / Math.max(now() - t0, 1e-3));
    }
  } catch (e) {
    close();
    throw e;
  }
  return {
    kc,
    rate(flops) {
      const passes = Math.max(minPasses, Math.round(flops / flopsPerPass));
      const t0 = now();
      const done = mod._vt_bench_roofline(pa, pb, kc, passes, pc);
      return done / ((now() - t0) * 1e6);
    },
    close,
  };
}

// ------------------------------------------------------------------------------------------------ one run

/**
 * The whole measurement in one environment. `env` loads things its own way:
 *   loadVitrine() -> BenchKernels (bench/bench_kernels.mjs), loadOrt() -> ort, loadTfjs() -> tf,
 *   loadRoofline() -> the bench module (a second instance, for the roofline tile),
 *   modelBytes() -> the .vtm bytes, weights() -> the layers of the weights JSON, now() -> ms.
 */
export async function runSuite(env, { budgetMs, rounds, minSampleMs = 0, log = () => {} }) {
  const layers = await env.weights();
  const catalog = catalogData();
  const featuresFor = (n) => uniform(n * FEATURE_DIM, 1000 + n);
  const runtimes = [
    await vitrineRuntime(await env.loadVitrine(), await env.modelBytes(), catalog),
    await ortRuntime(await env.loadOrt(), layers, catalog),
    await tfjsRuntime(await env.loadTfjs(), layers, catalog),
  ];
  let probe = null;
  try {
    probe = rooflineProbe(await env.loadRoofline(), { now: env.now, minSampleMs });
    const correctness = {
      mlp: await checkMlp(runtimes, layers, featuresFor),
      topk: await checkTopK(runtimes, catalog),
    };
    log(
      `  scores agree within ${TOLERANCE}: MLP ${correctness.mlp.pass} (max ${correctness.mlp.max_abs_diff.toExponential(2)}),` +
        ` top-K ${correctness.topk.pass}`
    );
    // Long calls up front give the ceiling's own figure; the paired calls of the timing rounds give the fractions.
    const longFlops = 2000 * 2 * probe.kc * 32;
    const upFront = Array.from({ length: 25 }, () => probe.rate(longFlops));
    const timing = await measure(runtimes, layers, featuresFor, probe, {
      budgetMs,
      rounds,
      minSampleMs,
      now: env.now,
      log,
    });
    const paired = [];
    for (const perRuntime of Object.values(timing.mlp)) {
      for (const r of Object.values(perRuntime)) {
        paired.push(...r.roofline_rates);
        delete r.roofline_rates;
      }
    }
    const all = [...upFront, ...paired].sort((x, y) => x - y);
    const roofline = {
      kernel: 'f32_gemm_roofline_wasmsimd',
      kc: probe.kc,
      up_front_gflops: median(upFront),
      paired_gflops: median(paired),
      gflops: quantile(all, 0.5),
      best_gflops: all.at(-1),
      calls: all.length,
    };
    log(
      `  roofline ${roofline.up_front_gflops.toFixed(1)} GFLOP/s up front, ${roofline.paired_gflops.toFixed(1)} ` +
        `in the ${paired.length} calls paired with the timed samples`
    );
    for (const perRuntime of Object.values(timing.mlp)) {
      for (const r of Object.values(perRuntime)) {
        // Fastest call against the fastest roofline call (null if a grouped sample read 0 on a coarse timer): what
        // is left when a shared machine's preemption (which long calls absorb more often than short ones) is
        // filtered out.
        r.best_roofline_fraction = r.min_ms > 0 ? r.flops / (r.min_ms * 1e6) / roofline.best_gflops : null;
      }
    }
    return { correctness, roofline, ...timing, tfjs_backend: runtimes[2].backend };
  } finally {
    probe?.close();
    for (const rt of runtimes) await rt.dispose();
  }
}

/**
 * Milliseconds from importing a runtime to its first MLP result (one row), model loading included; for 'engine',
 * from importing the shipped engine to its first ranking of a listing (env.sessionModelBytes(): a trained session
 * model; ids "1".."60" as candidates, five of them viewed).
 */
export async function coldStart(name, env) {
  const row = uniform(FEATURE_DIM, 99);
  const t0 = env.now();
  if (name === 'engine') {
    const engine = await env.loadEngine();
    engine.loadModel(await env.sessionModelBytes());
    const ids = Array.from({ length: ENGINE_COLD_CANDIDATES }, (_, i) => String(i + 1));
    const now = Date.now();
    const events = ids.slice(0, 5).map((item, i) => ({ kind: 0, item, t: now - 60_000 * (5 - i) }));
    engine.rank({ events, candidates: ids.map((id) => ({ id })), nowMs: now }, { explain: false });
    engine.release();
  } else if (name === 'vitrine') {
    const engine = await env.loadVitrine();
    engine.loadMlp(await env.modelBytes());
    engine.scoreFeatures(row, FEATURE_DIM);
  } else if (name === 'ort') {
    const ort = await env.loadOrt();
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(await env.onnxBytes(), { executionProviders: ['wasm'] });
    (await session.run({ features: new ort.Tensor('float32', row, [1, FEATURE_DIM]) })).scores.data.slice();
  } else if (name === 'tfjs') {
    const tf = await env.loadTfjs();
    const model = await tfjsMlp(tf, await env.weights());
    model.predict(tf.tensor2d(row, [1, FEATURE_DIM]), { batchSize: 1 }).dataSync();
  } else {
    throw new Error(`unknown runtime ${name}`);
  }
  return env.now() - t0;
}
