// Event kinds are defined once in C (event_kinds.h); the JS mirror must match it exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { EventKind } from '../../js/src/event_kinds.mjs';
import { repoRoot } from '../support/paths.mjs';

test('JS event kinds match event_kinds.h', () => {
  const header = readFileSync(path.join(repoRoot, 'core/include/vitrine/event_kinds.h'), 'utf8');
  const fromHeader = {};
  for (const m of header.matchAll(/X\(\w+,\s*(\d+),\s*"(\w+)"\)/g)) fromHeader[m[2]] = Number(m[1]);
  const count = Number(/VITRINE_EVENT_KIND_COUNT (\d+)/.exec(header)[1]);
  assert.equal(Object.keys(fromHeader).length, count);
  assert.deepEqual({ ...EventKind }, fromHeader);
});
