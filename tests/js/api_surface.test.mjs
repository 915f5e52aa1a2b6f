// The hand-written vitrine.d.ts, the ES module API and the script-tag stub describe the same methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

import { createVitrine, EventKind, fromDataset, startFromScriptTag } from '../../js/src/index.mjs';
import { repoRoot } from '../support/paths.mjs';

function declaredMembers() {
  const dts = readFileSync(path.join(repoRoot, 'js/vitrine.d.ts'), 'utf8');
  const body = dts.slice(dts.indexOf('export interface Vitrine {'));
  const block = body.slice(0, body.indexOf('\n}'));
  return [...block.matchAll(/^\s+(?:readonly\s+)?(\w+)[(:]/gm)].map((m) => m[1]).sort();
}

test('createVitrine returns exactly the members vitrine.d.ts declares', () => {
  const declared = declaredMembers();
  assert.ok(declared.includes('forget') && declared.includes('ready'), declared.join());
  const instance = createVitrine({}, { window: null });
  assert.deepEqual(Object.keys(instance).sort(), declared);
  assert.equal(typeof startFromScriptTag, 'function');
  assert.equal(EventKind.purchase, 3);
});

test('outside a browser an instance is inert and every method resolves', async () => {
  const instance = createVitrine({ model: '/m.vtm' }, { window: null, console: { warn() {} } });
  await instance.ready;
  assert.equal(await instance.track({ kind: 'view', item: 'a' }), false);
  assert.equal(await instance.explain('a'), null);
  assert.equal(await instance.profile(), null);
  assert.equal(instance.status().state, 'starting');
});

test('the script tag stub queues the same methods and reads its data-* attributes', async () => {
  const code = readFileSync(path.join(repoRoot, 'js/src/vitrine.js'), 'utf8');
  const warnings = [];
  const window = {};
  const context = vm.createContext({
    window,
    document: { currentScript: { src: 'http://127.0.0.1/vitrine/vitrine.js', dataset: { model: '/m.vtm' } } },
    URL,
    Promise,
    console: { warn: (m) => warnings.push(m) },
  });
  // Node's vm cannot import() here, so the module load fails: the stub must turn that into one warning and
  // resolve every call with its fallback.
  vm.runInContext(code, context);
  const stub = window.vitrine;
  assert.equal(stub.isVitrine, true);
  const members = Object.keys(stub)
    .filter((k) => k !== 'isVitrine')
    .sort();
  assert.deepEqual(members, declaredMembers());
  assert.equal(await stub.track({ kind: 'view', item: 'a' }), false);
  assert.equal(await stub.explain('a'), null);
  await stub.ready;
  assert.equal(stub.status().state, 'loading');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^\[vitrine\] could not start/);
});

test('data-* attributes become options; bad numbers fall back to defaults', async () => {
  const { normalizeConfig, DEFAULTS } = await import('../../js/src/config.mjs');
  const options = fromDataset({
    model: 'models/a.vtm',
    consent: 'required',
    retentionDays: '7',
    maxEvents: 'lots',
    rank: 'off',
  });
  const config = normalizeConfig(options, 'https://shop.example/catalog/');
  assert.equal(config.model, 'https://shop.example/catalog/models/a.vtm');
  assert.equal(config.consent, 'required');
  assert.equal(config.retentionDays, 7);
  assert.equal(config.maxEvents, DEFAULTS.maxEvents);
  assert.equal(config.autoRank, false);
  assert.equal(normalizeConfig({ retentionDays: -3, consent: 'maybe' }).retentionDays, 30);
  // Consent fails closed: the default, a typo and the old 'none' all require it; only 'not-required' does not.
  for (const consent of [undefined, 'maybe', 'none', 'Not-Required', '', 'required']) {
    assert.equal(normalizeConfig({ consent }).consent, 'required', String(consent));
  }
  assert.equal(normalizeConfig({ consent: 'not-required' }).consent, 'not-required');
  assert.equal(normalizeConfig({ consent: 'maybe' }).consentMisread, 'maybe');
  assert.equal(normalizeConfig({ consent: 'required' }).consentMisread, null);
  assert.equal(normalizeConfig({}).consentMisread, null);
  assert.equal(normalizeConfig({ dbName: '../../x' }).dbName, 'vitrine');
  // The ranking worker is shared unless the tag asks for one per page; an unknown value is the default.
  for (const worker of [undefined, 'shared', 'Page', 'both'])
    assert.equal(normalizeConfig({ worker }).worker, 'shared');
  assert.equal(normalizeConfig(fromDataset({ worker: 'page' })).worker, 'page');
  const limits = normalizeConfig(fromDataset({ modelTimeoutMs: '250', maxModelBytes: '2048', rankTimeoutMs: 'soon' }));
  assert.deepEqual(
    [limits.modelTimeoutMs, limits.maxModelBytes, limits.rankTimeoutMs],
    [250, 2048, DEFAULTS.rankTimeoutMs]
  );
  assert.equal(normalizeConfig({ modelTimeoutMs: 0 }).modelTimeoutMs, DEFAULTS.modelTimeoutMs);
  // data-rank-by: one of three; anything else is relevance, kept as misread for the one warning.
  assert.equal(DEFAULTS.rankBy, 'relevance');
  assert.equal(normalizeConfig(fromDataset({ rankBy: 'value' })).rankBy, 'value');
  assert.equal(normalizeConfig({ rankBy: 'Conversion' }).rankBy, 'conversion');
  for (const [rankBy, misread] of [
    [undefined, null],
    ['', null],
    ['relevance', null],
    ['revenue', 'revenue'],
    [42, '42'],
  ]) {
    const config = normalizeConfig({ rankBy });
    assert.equal(config.rankBy, 'relevance', String(rankBy));
    assert.equal(config.rankByMisread, misread, String(rankBy));
  }
});

test('a data-rank-by that is not understood warns once and ranks by relevance', () => {
  const warnings = [];
  createVitrine({ rankBy: 'revenue', model: '/m.vtm' }, { window: null, console: { warn: (m) => warnings.push(m) } });
  assert.deepEqual(warnings, [
    '[vitrine] data-rank-by="revenue" is not understood (relevance, conversion or value); ranking by relevance',
  ]);
  const quiet = [];
  createVitrine({ rankBy: 'value' }, { window: null, console: { warn: (m) => quiet.push(m) } });
  assert.deepEqual(quiet, []);
});
