// The status codes are defined once in C (status_codes.h); the JS mirror must match it exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Status, statusName, engineError, VitrineError } from '../../js/src/status.mjs';
import { repoRoot } from '../support/paths.mjs';

function codesFromHeader() {
  const header = readFileSync(path.join(repoRoot, 'core/include/vitrine/status_codes.h'), 'utf8');
  const codes = {};
  for (const m of header.matchAll(/X\((\w+),\s*(\d+),/g)) codes[m[1]] = Number(m[2]);
  return codes;
}

test('JS status codes match status_codes.h name by name and value by value', () => {
  const fromHeader = codesFromHeader();
  assert.ok(Object.keys(fromHeader).length >= 8, 'parsed too few codes from the header');
  assert.deepEqual({ ...Status }, fromHeader);
});

test('an engine error is a VitrineError that names its status', () => {
  const err = engineError(Status.MODEL_TRUNCATED, 'file is 10 bytes');
  assert.ok(err instanceof VitrineError);
  assert.equal(err.code, 'MODEL_TRUNCATED');
  assert.equal(err.status, Status.MODEL_TRUNCATED);
  assert.equal(err.statusName, 'MODEL_TRUNCATED');
  assert.equal(err.message, 'MODEL_TRUNCATED: file is 10 bytes');
  const other = new VitrineError('TIMEOUT', 'no answer');
  assert.equal(other.status, undefined);
  assert.equal(statusName(1234), 'UNKNOWN(1234)');
});
