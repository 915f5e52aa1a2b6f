// Event validation, privacy signals, web storage erasure and the pagehide journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { toRecord, validRecord, kindCode } from '../../js/src/events.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';
import {
  browserOptOutSignal,
  readOptOut,
  writeOptOut,
  eraseWebStorageKeys,
  OPT_OUT_KEY,
} from '../../js/src/privacy.mjs';
import { writeJournal, takeJournals, notYetStored, dropJournal } from '../../js/src/journal.mjs';
import { MemoryStorage } from '../support/memory_storage.mjs';

test('toRecord accepts kind names and codes and keeps only known, valid fields', () => {
  const { record } = toRecord({ kind: 'add_to_cart', item: 42, price: '19.5', qty: 2, evil: '<script>', t: 1000.4 }, 5);
  assert.deepEqual(record, { kind: EventKind.add_to_cart, t: 1000, item: '42', price: 19.5, qty: 2 });
  // A search needs its text, which is checked and then not kept.
  assert.deepEqual(toRecord({ kind: 4, query: '  red\u0000 shoes ' }, 7).record, { kind: 4, t: 7 });
  assert.match(toRecord({ kind: 'search', query: '  ' }, 7).error, /needs a non-empty query/);
  assert.equal(kindCode('category_visit'), 5);
  assert.equal(kindCode('toString'), null);
});

test('toRecord rejects events that cannot be used', () => {
  for (const bad of [
    null,
    'view',
    { kind: 'teleport', item: 'a' },
    { kind: 'view' },
    { kind: 'view', item: '' },
    { kind: 'view', item: 'x'.repeat(200) },
    { kind: 'search', query: '   ' },
    { kind: 'category_visit' },
    { kind: 'view', item: 'a', t: -5 },
    { kind: 'click', item: { id: 1 } },
  ]) {
    assert.ok(toRecord(bad, 1).error, JSON.stringify(bad));
  }
});

test('validRecord refuses stored values with string kinds or altered times', () => {
  assert.equal(validRecord({ kind: 'view', item: 'a', t: 5 }), null);
  assert.equal(validRecord({ kind: 0, item: 'a', t: 5.5 }), null);
  assert.deepEqual(validRecord({ kind: 0, item: 'a', t: 5, junk: 1 }), { kind: 0, t: 5, item: 'a' });
});

test('GPC and Do Not Track are opt-out signals', () => {
  assert.equal(browserOptOutSignal({ globalPrivacyControl: true }, {}), 'gpc');
  assert.equal(browserOptOutSignal({ doNotTrack: '1' }, {}), 'dnt');
  assert.equal(browserOptOutSignal({}, { doNotTrack: '1' }), 'dnt');
  assert.equal(browserOptOutSignal({ doNotTrack: 'unspecified', globalPrivacyControl: false }, {}), null);
  const hostile = {
    get globalPrivacyControl() {
      throw new Error('no');
    },
  };
  assert.equal(browserOptOutSignal(hostile, {}), null);
});

test('the opt-out is persisted and survives erasing the other keys', () => {
  const win = { localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage() };
  assert.equal(readOptOut(win), false);
  assert.equal(writeOptOut(true, win), true);
  win.localStorage.setItem('vitrine.journal.abc', '[]');
  win.localStorage.setItem('shop.cart', 'keep me');
  win.sessionStorage.setItem('vitrine.x', '1');
  eraseWebStorageKeys(win);
  assert.equal(win.localStorage.getItem(OPT_OUT_KEY), '1');
  assert.equal(win.localStorage.getItem('vitrine.journal.abc'), null);
  assert.equal(win.localStorage.getItem('shop.cart'), 'keep me', 'the shop’s own keys are not ours to erase');
  assert.equal(win.sessionStorage.length, 0);
  assert.equal(readOptOut(win), true);
  writeOptOut(false, win);
  assert.equal(readOptOut(win), false);
  const blocked = {
    get localStorage() {
      throw new DOMException('blocked', 'SecurityError');
    },
  };
  assert.equal(readOptOut(blocked), false);
  assert.equal(writeOptOut(true, blocked), false);
});

test('journals from earlier pages are taken once, validated, and deduplicated against the store', () => {
  const win = { localStorage: new MemoryStorage() };
  const a = { kind: 0, t: 10, item: 'a' };
  const b = { kind: 2, t: 20, item: 'b' };
  assert.equal(writeJournal(win, 'page1', [b]), true);
  assert.equal(writeJournal(win, 'page2', [a, { kind: 'bad' }]), true);
  win.localStorage.setItem('vitrine.journal.page3', '{not json');
  const taken = takeJournals(win);
  assert.deepEqual(taken, [a, b]);
  assert.equal(win.localStorage.length, 0, 'journals are removed when taken');
  assert.deepEqual(takeJournals(win), []);
  assert.deepEqual(notYetStored(taken, [{ kind: 0, t: 10, item: 'a' }]), [b]);
  writeJournal(win, 'page4', [a]);
  dropJournal(win, 'page4');
  assert.deepEqual(takeJournals(win), []);
  assert.equal(writeJournal({}, 'x', [a]), false);
});
