// The C++ sources follow the repository's .clang-format: clang-format --dry-run must have nothing to change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { repoRoot } from '../support/paths.mjs';

const CLANG_FORMAT = process.env.CLANG_FORMAT ?? 'clang-format-14';

test('every tracked .cc and .h file is clang-formatted', () => {
  const files = spawnSync('git', ['ls-files', '*.cc', '*.h'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(files.status, 0, `git ls-files failed: ${files.stderr}`);
  const list = files.stdout.split('\n').filter(Boolean);
  assert.ok(list.length > 50, `expected the C++ sources, found ${list.length} files`);
  const run = spawnSync(CLANG_FORMAT, ['--dry-run', '--Werror', ...list], { cwd: repoRoot, encoding: 'utf8' });
  assert.ok(!run.error, `${CLANG_FORMAT} did not run (${run.error?.message}); tools/setup.sh installs it`);
  const offenders = [...new Set(run.stderr.split('\n').map((l) => l.match(/^([^:\s]+):\d+:\d+: (?:error|warning)/)?.[1])
    .filter(Boolean))];
  assert.deepEqual(offenders, [], `not formatted (run: clang-format-14 -i <file>):\n${offenders.join('\n')}`);
  assert.equal(run.status, 0, run.stderr.slice(0, 2000));
});
