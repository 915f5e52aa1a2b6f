// tools/public_logs.mjs on small generated files in both formats: fields, times, sessions and their order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { readPublicLog, sessionsOf, SESSION_GAP_MS } from '../../tools/public_logs.mjs';

function withFile(name, text, fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-public-logs-'));
  try {
    writeFileSync(path.join(dir, name), text);
    return fn(path.join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('REES46: one event per well-formed row, sessions by user_session, a row cut mid-line left out', () => {
  const text = [
    'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session',
    '2019-10-01 00:00:02 UTC,view,11,c1,,acme,9.50,u1,s1',
    '2019-10-01 00:00:01 UTC,view,12,c1,,acme,3.00,u2,s2',
    '2019-10-01 00:00:03 UTC,purchase,11,c1,,acme,9.50,u1,s1',
    '2019-10-01 00:00:04 UTC,view,13,c2',
  ].join('\n');
  withFile('rees.csv', text, (file) => {
    const events = readPublicLog('rees46', file);
    assert.equal(events.length, 3);
    assert.deepEqual(events[0], {
      t: Date.UTC(2019, 9, 1, 0, 0, 2),
      visitor: 'u1',
      session: 's1',
      item: '11',
      event: 'view',
      category: 'c1',
      brand: 'acme',
      price: '9.50',
    });
    const sessions = sessionsOf(events, 'rees46');
    assert.deepEqual(
      sessions.map((s) => s.map((e) => `${e.session}:${e.item}:${e.event}`)),
      [['s2:12:view'], ['s1:11:view', 's1:11:purchase']],
      'sessions by their first event, events in time order'
    );
  });
});

test('Taobao: seconds become milliseconds, a visitor\u2019s session ends after 30 minutes without an event', () => {
  const gap = SESSION_GAP_MS / 1000;
  const rows = [
    [1, 100, 7, 'pv', 1000],
    [1, 101, 7, 'cart', 1000 + gap],
    [1, 102, 7, 'buy', 1000 + 2 * gap + 1],
    [2, 100, 7, 'pv', 1500],
  ];
  withFile('ub.csv', rows.map((r) => r.join(',')).join('\n') + '\nbroken,row\n', (file) => {
    const events = readPublicLog('taobao', file);
    assert.equal(events.length, 4);
    assert.equal(events[0].t, 1_000_000);
    const sessions = sessionsOf(events, 'taobao');
    assert.deepEqual(
      sessions.map((s) => s.map((e) => e.item)),
      [['100', '101'], ['100'], ['102']]
    );
    assert.equal(new Set(events.map((e) => e.session)).size, 3);
  });
});
