// The JavaScript passes ESLint's recommended rules (eslint.config.mjs): unused variables, unreachable code, undefined
// names, duplicate keys and the like fail here, as clang-format fails the C++ (format.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { repoRoot } from '../support/paths.mjs';

test('every JavaScript file passes the linter', async () => {
  let ESLint;
  try {
    ({ ESLint } = await import('eslint'));
  } catch {
    assert.fail('eslint is missing: run `npm ci --ignore-scripts` (tools/setup.sh does)');
  }
  const results = await new ESLint({ cwd: repoRoot }).lintFiles(['.']);
  assert.ok(results.length > 100, `expected the repository's JS files, linted ${results.length}`);
  const problems = results.flatMap((r) =>
    r.messages.map(
      (m) => `${r.filePath.slice(repoRoot.length + 1)}:${m.line}:${m.column} ${m.ruleId ?? 'parse'}: ${m.message}`
    )
  );
  assert.deepEqual(problems, []);
});

test('the linter fails on a planted problem', async () => {
  const { ESLint } = await import('eslint');
  const [result] = await new ESLint({ cwd: repoRoot }).lintText(
    'const unused = 1;\nexport const y = undefinedName;\n',
    { filePath: `${repoRoot}/js/src/planted.mjs` }
  );
  assert.deepEqual(result.messages.map((m) => m.ruleId).sort(), ['no-undef', 'no-unused-vars']);
});
