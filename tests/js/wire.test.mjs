// The wasm boundary's byte layouts: js/src/wire.mjs against core/include/vitrine/wire_format.h, and the engine
// reading what the encoder writes (the engine is the one that judges values, so a wrong type must reach it and be
// refused there, naming the field).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { FACTOR_KINDS, RANK_BY, STAGES, Wire, encodeRankRequest } from '../../js/src/wire.mjs';
import { createNodeEngine } from '../support/node_engine.mjs';
import { engineWasmPath, repoRoot } from '../support/paths.mjs';
import { tinyModel } from '../support/test_model.mjs';

const header = readFileSync(path.join(repoRoot, 'core/include/vitrine/wire_format.h'), 'utf8');

function xList(macro) {
  const body = new RegExp(`#define ${macro}\\(X\\)([^]*?)\\n\\n`).exec(header)[1];
  const names = [];
  for (const m of body.matchAll(/X\(\w+,\s*(\d+),\s*"(\w*)"\)/g)) names[Number(m[1])] = m[2];
  return names;
}

test('every VT_WIRE_* value and name list of wire_format.h is mirrored in wire.mjs', () => {
  const fromHeader = {};
  for (const m of header.matchAll(/^#define VT_WIRE_(\w+) (0x[0-9A-Fa-f]+|\d+)/gm)) fromHeader[m[1]] = Number(m[2]);
  assert.ok(Object.keys(fromHeader).length > 50, 'the header was read');
  assert.deepEqual({ ...Wire }, fromHeader);
  assert.deepEqual([...RANK_BY], xList('VT_WIRE_RANK_BY'));
  assert.deepEqual([...FACTOR_KINDS], xList('VT_WIRE_FACTOR_KINDS'));
  assert.deepEqual([...STAGES], xList('VT_WIRE_STAGES'));
});

test('encodeRankRequest writes each field at its offset and each string once', () => {
  const bytes = encodeRankRequest({
    nowMs: 1733000000000,
    blend: 2.5,
    rankBy: 'value',
    events: [{ kind: 2, t: 1732999990000, item: 'sku-1', category: 'shoes', price: 49.5, dwellMs: 4200 }],
    candidates: [
      { id: 'sku-1', category: 'shoes', brand: 'acme', position: 3, boost: -1.5, available: false },
      { id: 'sku-2', category: 'shoes' },
    ],
  });
  const v = new DataView(bytes.buffer);
  const u32 = (at) => v.getUint32(at, true);
  assert.equal(u32(0), Wire.REQUEST_MAGIC);
  assert.equal(u32(Wire.REQUEST_N_EVENTS), 1);
  assert.equal(u32(Wire.REQUEST_N_CANDIDATES), 2);
  assert.equal(u32(Wire.REQUEST_N_STRINGS), 4, 'sku-1, shoes, acme, sku-2: each once');
  assert.equal(v.getFloat64(Wire.REQUEST_NOW, true), 1733000000000);
  assert.equal(v.getFloat32(Wire.REQUEST_BLEND, true), 2.5);
  assert.equal(u32(Wire.REQUEST_RANK_BY), 2);
  const e = Wire.REQUEST_HEADER;
  assert.equal(v.getFloat64(e + Wire.EVENT_TIME, true), 1732999990000);
  assert.equal(v.getFloat32(e + Wire.EVENT_DWELL, true), 4200);
  assert.equal(v.getFloat32(e + Wire.EVENT_PRICE, true), 49.5);
  assert.equal(u32(e + Wire.EVENT_KIND), 2);
  assert.equal(u32(e + Wire.EVENT_ITEM), 1);
  assert.equal(u32(e + Wire.EVENT_CATEGORY), 2);
  assert.equal(u32(e + Wire.EVENT_BRAND), 0, 'absent');
  const c0 = e + Wire.EVENT_BYTES;
  const c1 = c0 + Wire.CANDIDATE_BYTES;
  assert.equal(u32(c0 + Wire.CANDIDATE_ID), 1, 'the event item and the candidate id share a string');
  assert.equal(u32(c0 + Wire.CANDIDATE_BRAND), 3);
  assert.equal(v.getInt32(c0 + Wire.CANDIDATE_POSITION, true), 3);
  assert.equal(v.getFloat32(c0 + Wire.CANDIDATE_BOOST, true), -1.5);
  assert.equal(u32(c0 + Wire.CANDIDATE_AVAILABLE), 0);
  // Defaults of an absent field.
  assert.equal(u32(c1 + Wire.CANDIDATE_ID), 4);
  assert.equal(v.getFloat32(c1 + Wire.CANDIDATE_PRICE, true), -1);
  assert.equal(v.getInt32(c1 + Wire.CANDIDATE_POSITION, true), -1);
  assert.equal(u32(c1 + Wire.CANDIDATE_AVAILABLE), 1);
  const ends = c1 + Wire.CANDIDATE_BYTES;
  const text = new TextDecoder().decode(bytes.subarray(ends + 16));
  assert.equal(text, 'sku-1shoesacmesku-2');
  assert.deepEqual(
    [0, 1, 2, 3].map((k) => u32(ends + 4 * k)),
    [5, 10, 14, 19]
  );
  assert.equal(bytes.length, ends + 16 + 19, 'the message ends with the last string');
});

test('a value of the wrong type reaches the engine, which refuses it naming the field', async () => {
  const engine = await createNodeEngine();
  try {
    engine.loadModel(tinyModel().bytes);
    const event = { kind: 1, t: 1000, item: 'sku-1' };
    const cases = [
      [{ events: [{ ...event, kind: 'click' }] }, /events\[0\]\.kind/],
      [{ events: [{ ...event, t: undefined }] }, /events\[0\]\.t/],
      [{ events: [{ ...event, item: 7 }] }, /events\[0\]\.item: expected a string/],
      [{ events: [{ ...event, price: '12' }] }, /events\[0\]\.price/],
      [{ candidates: [{ id: 5 }] }, /candidates\[0\]\.id: expected a string/],
      [{ candidates: [{ id: 'a', position: 1.5 }] }, /candidates\[0\]\.position/],
      [{ candidates: [{ id: 'a', boost: 101 }] }, /candidates\[0\]\.boost/],
      [{ candidates: [{ id: 'a', available: 'no' }] }, /candidates\[0\]\.available/],
      [{ blend: -1 }, /request\.blend/],
      [{ rankBy: 'price' }, /request\.rank_by/],
      [{ nowMs: 'now' }, /request\.now/],
    ];
    for (const [request, message] of cases) {
      const full = { events: [event], candidates: [{ id: 'sku-2' }], nowMs: 2000, ...request };
      assert.throws(
        () => engine.rank(full),
        (e) => e.statusName === 'BAD_INPUT' && message.test(e.message),
        message
      );
    }
    // The same fields well typed rank, and each reaches the ranker: boosted above the other, the out-of-stock
    // product is then sunk below it, and its factors name both.
    const ok = engine.rank({
      events: [event],
      candidates: [{ id: 'a', position: 1, boost: 50, available: false }, { id: 'sku-2' }],
      nowMs: 2000,
      blend: 0,
    });
    assert.equal(ok.scores.length, 2);
    const kinds = ok.reasons[0].factors.map((f) => f.kind);
    assert.ok(kinds.includes('unavailable') && kinds.includes('boost'), kinds.join());
  } finally {
    engine.release();
  }
});

test('the shipped engine links no JSON library', () => {
  // nlohmann/json's exception texts are in its data section whenever any of its parser or serializer is linked.
  const wasm = readFileSync(engineWasmPath).toString('latin1');
  assert.ok(wasm.startsWith('\0asm'), 'a wasm module was read');
  for (const text of ['[json.exception.', 'parse_error', 'syntax error while parsing'])
    assert.ok(!wasm.includes(text), `vitrine-engine.wasm contains "${text}"`);
});
