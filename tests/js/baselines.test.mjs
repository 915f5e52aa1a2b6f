// js/benchmark/baselines.json is generated from the committed reports (tools/build_baselines.mjs): it must match
// them, and every figure must name its command. Also the cold-start measurement's data preparation
// (tools/cold_start_eval.mjs): which products are cold, what the trainer sees and what is tested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { buildBaselines, BASELINES_FILE } from '../../tools/build_baselines.mjs';
import { pickCold, warmSessions, heldoutExamples, placesAmong, expectedMetrics } from '../../tools/cold_start_eval.mjs';

test('baselines.json is what its sources give, and every figure has a command', () => {
  const committed = JSON.parse(readFileSync(BASELINES_FILE, 'utf8'));
  assert.deepEqual(committed, buildBaselines(), 'out of date: run node tools/build_baselines.mjs');
  for (const section of ['image_classification', 'cold_start', 'diginetica_ranking']) {
    const { results } = committed[section];
    assert.ok(results.length >= 3, section);
    for (const r of results) {
      assert.equal(typeof r.command, 'string', `${section}: ${r.method}`);
      assert.ok(r.command.length > 5);
      for (const [key, value] of Object.entries(r)) {
        if (key === 'method' || key === 'command') continue;
        assert.ok(Number.isFinite(value) && value >= 0 && value <= 100, `${section} ${r.method} ${key} = ${value}`);
      }
    }
  }
  const cnn = committed.image_classification.results;
  assert.ok(
    cnn[0].test_accuracy > cnn[1].test_accuracy && cnn[1].test_accuracy > cnn[2].test_accuracy,
    'the CNN is expected above nearest centroid, which is above chance'
  );
  assert.ok(committed.diginetica_ranking.results.some((r) => r.method.startsWith('Vitrine')));
});

test('cold products: a seeded share, never the last id, removed from every training session', () => {
  const cold = pickCold(200, 0.1, 11);
  assert.equal(cold.size, 20);
  assert.ok(!cold.has(200) && [...cold].every((id) => id >= 1 && id < 200));
  assert.deepEqual([...pickCold(200, 0.1, 11)], [...cold]);
  assert.notDeepEqual([...pickCold(200, 0.1, 12)], [...cold]);

  const [a, b] = [...cold];
  const [w1, w2, w3, w4] = Array.from({ length: 199 }, (_, i) => i + 1).filter((id) => !cold.has(id));
  // Cold views vanish; a session left with one view is no training session any more.
  assert.deepEqual(
    warmSessions(
      [
        [w1, a, w2],
        [a, b],
        [a, w3, b],
        [w3, w4],
      ],
      cold
    ),
    [
      [w1, w2],
      [w3, w4],
    ]
  );
});

test('held-out views become cold or warm targets with the views before them as the prefix', () => {
  const cold = new Set([3]);
  const nOf = new Map([
    ['p1', 1],
    ['p2', 2],
    ['p3', 3],
    ['p9', 9],
  ]);
  const shopper = {
    sessions: [
      {
        events: [
          ['view', 'p1', 1],
          ['add_to_cart', 'p1', 2],
          ['view', 'p3', 3],
          ['view', 'p9', 4],
          ['view', 'p2', 5],
        ],
      },
    ],
  };
  const { coldExamples, warmExamples } = heldoutExamples([shopper], nOf, cold, 5);
  // p9 is past the trained vocabulary (5) and is dropped; add_to_cart is not a view.
  assert.deepEqual(coldExamples, ['3\t1']);
  assert.deepEqual(warmExamples, ['2\t1 3']);
});

test('cold ranks count only the candidates above the target, and ties are broken at random in expectation', () => {
  const nOf = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ]);
  const lines = [
    JSON.stringify({ label: 3, items: ['a', 'b', 'c', 'd'], scores: [9, 8, 7, 7] }), // b is cold and above; d ties
    JSON.stringify({ label: 2, items: ['a', 'b', 'c', 'd'], scores: [9, 8, 7, 6] }), // a is above but warm
  ];
  const places = placesAmong(lines, new Set([2, 3, 4]), nOf);
  assert.deepEqual(places, [
    { above: 1, tied: 1 },
    { above: 0, tied: 0 },
  ]);
  assert.deepEqual(placesAmong(lines, null, nOf), [
    { above: 2, tied: 1 },
    { above: 1, tied: 0 },
  ]);
  assert.throws(
    () => placesAmong([JSON.stringify({ label: 4, items: ['a'], scores: [1] })], new Set([4]), nOf),
    /missing/
  );
  // Without a catalog the model names items by decimal id.
  assert.deepEqual(
    placesAmong([JSON.stringify({ label: 7, items: ['9', '7', '8'], scores: [3, 2, 2] })], new Set([7, 8]), nOf),
    [{ above: 0, tied: 1 }]
  );

  // First example: rank 2 or 3 with equal chance; second: rank 1.
  const at2 = expectedMetrics(places, 2);
  assert.equal(at2['hr@2'], (0.5 + 1) / 2);
  assert.equal(at2['mrr@2'], (0.5 / 2 + 1) / 2);
  assert.equal(at2.mean_rank, (2.5 + 1) / 2);
  assert.equal(at2.tied_examples, 1);
  assert.equal(expectedMetrics(places, 3)['hr@3'], 1);
  // Ten twins tied at the top: a hit at 1 only one time in ten.
  assert.equal(expectedMetrics([{ above: 0, tied: 9 }], 1)['hr@1'], 0.1);
});
