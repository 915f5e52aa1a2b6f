// The benchmark's smoke run: `node bench/run.mjs --quick --json` must produce every section and pass its own
// cross-runtime score check. A correctness test only: no figure is compared with a speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { repoRoot } from '../support/paths.mjs';

test('bench/run.mjs --quick --json reports every section and the runtimes agree', () => {
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'bench/run.mjs'), '--quick', '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, `bench failed:\n${run.stderr}`);
  const result = JSON.parse(run.stdout);
  for (const key of ['meta', 'model', 'correctness', 'node', 'chromium', 'size', 'targets']) {
    assert.ok(result[key], `missing section ${key}`);
  }
  assert.equal(result.correctness.pass, true);
  for (const env of ['node', 'chromium']) {
    const e = result[env];
    assert.equal(e.correctness.mlp.pass, true, `${env} MLP scores disagree`);
    assert.ok(e.correctness.mlp.max_abs_diff <= 1e-5);
    assert.equal(e.correctness.topk.pass, true, `${env} top-K disagrees`);
    assert.ok(e.roofline.gflops > 0);
    assert.ok(e.roofline.calls > 25, 'the roofline is also sampled during the timing rounds');
    assert.ok(e.roofline.gflops <= e.roofline.best_gflops);
    // A paired roofline call that read 0 ms on a coarse timer would make these Infinity (null in JSON).
    assert.ok(Number.isFinite(e.roofline.best_gflops) && Number.isFinite(e.roofline.paired_gflops), `${env} roofline`);
    for (const n of [1, 50, 200, 1000, 5000]) {
      for (const rt of ['vitrine', 'ort', 'tfjs']) {
        const m = e.mlp[n][rt];
        assert.ok(m.median_ms > 0 && m.p95_ms >= m.median_ms, `${env} N=${n} ${rt}`);
        assert.ok(Number.isFinite(m.roofline_fraction) && m.roofline_fraction > 0, `${env} N=${n} ${rt} fraction`);
        assert.ok(Number.isFinite(m.paired_roofline_gflops) && m.paired_roofline_gflops > 0);
      }
    }
    for (const rt of ['vitrine', 'ort', 'tfjs']) {
      assert.ok(e.topk[rt].median_ms > 0);
      assert.ok(e.cold_start[rt].median_ms > 0);
    }
    assert.ok(e.cold_start.engine.median_ms > 0, `${env}: the shop engine's cold start`);
  }
  assert.ok(result.size.vitrine.files.some((f) => f.name === 'vitrine-engine.wasm'));
  assert.ok(result.size.vitrine.gzip > 0 && result.size.vitrine.gzip < result.size.vitrine.raw);
  assert.equal(result.targets.length, 15); // per runtime env: 3 speed-ups, 3 roofline shares, a cold start; and the size
  for (const t of result.targets) assert.equal(typeof t.met, 'boolean');
});
