// Lint: typescript-eslint's recommended rules, plus the one rule this codebase cares most
// about: layers point one way (cli → commands → core → api / output / store → params → util).
// A file may import from its own layer and the layers below it, never above.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Import patterns (gitignore style, matched against the specifier) a layer may not use. */
const above = {
  // Commands use the shell's presentation (ui, output, exit codes), never its entry.
  commands: ['**/cli/main.js'],
  core: ['**/cli/**', '**/commands/**', '**/library.js'],
  low: ['**/cli/**', '**/commands/**', '**/core/**', '**/library.js'],
  params: ['**/cli/**', '**/commands/**', '**/core/**', '**/api/**', '**/output/**', '**/store/**', '**/library.js'],
};
const layer = (files, group, message) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group, message, allowTypeImports: false }] }],
  },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'completions/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `catch {}` that deliberately ignores an error says why in a comment.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  layer(['src/commands/**'], above.commands, 'commands are run by the CLI entry; they never import it.'),
  layer(['src/core/**'], above.core, 'core is below commands and the CLI: return values or emit events instead.'),
  layer(
    ['src/api/**', 'src/output/**', 'src/store/**'],
    above.low,
    'api, output and store are below core: they never call up.',
  ),
  layer(['src/params/**', 'src/util/**'], above.params, 'params and util are the bottom layer.'),
  {
    files: ['test/**', 'bin/**', '**/*.mjs', '**/*.cjs'],
    // Tests match terminal escape sequences byte for byte.
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'off',
    },
  },
);
