// The JS linter of the test command (tools/test.sh, suite "lint"): ESLint's recommended rules over every JS file
// of the repository, with the globals each place runs with. Layout is Prettier's (.prettierrc.json); what fails
// here is a likely bug.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['build/**', 'node_modules/**', '**/*.min.js'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
    rules: {
      // An unused argument documents a callback's shape; an unused variable is a leftover.
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
      // `catch {}` with a comment saying why is how this code base swallows a failure on purpose.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The one-tag loader runs as a classic script, before any module: ES5 apart from the import() of the modules.
    files: ['js/src/vitrine.js'],
    languageOptions: { ecmaVersion: 2020, sourceType: 'script', globals: { ...globals.browser } },
  },
];
