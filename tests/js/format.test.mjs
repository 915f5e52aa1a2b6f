// The C++ sources follow the repository's .clang-format: clang-format --dry-run must have nothing to change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../support/paths.mjs';

const CLANG_FORMAT = process.env.CLANG_FORMAT ?? 'clang-format-14';

test('every tracked .cc and .h file is clang-formatted', () => {
  const files = spawnSync('git', ['ls-files', '*.cc', '*.h'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(files.status, 0, `git ls-files failed: ${files.stderr}`);
  const list = files.stdout.split('\n').filter(Boolean);
  assert.ok(list.length > 50, `expected the C++ sources, found ${list.length} files`);
  const run = spawnSync(CLANG_FORMAT, ['--dry-run', '--Werror', ...list], { cwd: repoRoot, encoding: 'utf8' });
  assert.ok(!run.error, `${CLANG_FORMAT} did not run (${run.error?.message}); tools/setup.sh installs it`);
  const offenders = [
    ...new Set(
      run.stderr
        .split('\n')
        .map((l) => l.match(/^([^:\s]+):\d+:\d+: (?:error|warning)/)?.[1])
        .filter(Boolean)
    ),
  ];
  assert.deepEqual(offenders, [], `not formatted (run: clang-format-14 -i <file>):\n${offenders.join('\n')}`);
  assert.equal(run.status, 0, run.stderr.slice(0, 2000));
});

// The JavaScript follows .prettierrc.json (Prettier from the npm lock file); .prettierignore leaves out what is built.
async function loadPrettier() {
  try {
    return await import('prettier');
  } catch {
    assert.fail('prettier is missing: run `npm ci --ignore-scripts` (tools/setup.sh does)');
  }
}

test('every tracked JavaScript file is formatted by Prettier', async () => {
  const prettier = await loadPrettier();
  const files = spawnSync('git', ['ls-files', '*.mjs', '*.js'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(files.status, 0, `git ls-files failed: ${files.stderr}`);
  const offenders = [];
  let checked = 0;
  for (const file of files.stdout.split('\n').filter(Boolean)) {
    const filepath = path.join(repoRoot, file);
    const info = await prettier.getFileInfo(filepath, { ignorePath: path.join(repoRoot, '.prettierignore') });
    if (info.ignored) continue;
    const options = await prettier.resolveConfig(filepath);
    assert.ok(options?.printWidth === 120, `${file}: .prettierrc.json was not found`);
    checked += 1;
    if (!(await prettier.check(readFileSync(filepath, 'utf8'), { ...options, filepath }))) offenders.push(file);
  }
  assert.ok(checked > 100, `expected the repository's JS files, checked ${checked}`);
  assert.deepEqual(offenders, [], `not formatted (run: npx prettier --write <file>):\n${offenders.join('\n')}`);
});

test('the Prettier check fails on a planted misformatting', async () => {
  const prettier = await loadPrettier();
  const filepath = path.join(repoRoot, 'js/src/planted.mjs');
  const options = await prettier.resolveConfig(filepath);
  assert.equal(await prettier.check('export const a = {b:1,c:"two"}\n', { ...options, filepath }), false);
  assert.equal(await prettier.check("export const a = { b: 1, c: 'two' };\n", { ...options, filepath }), true);
});
