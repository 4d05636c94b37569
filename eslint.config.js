// @ts-check
/**
 * Lint rules that `npm test` runs. Type-aware rules catch what reviews miss (a promise nobody awaits,
 * a cast the compiler already knows), and the import boundary keeps the Lambda bundles honest:
 * `functions/` and `shared/` are what Lambda loads, so they may never import the simulator, the CLI,
 * the benchmarks or the tests.
 */
const tseslint = require('typescript-eslint');

const LAMBDA_CODE = ['functions/**/*.ts', 'shared/**/*.ts'];
const OUTSIDE_LAMBDA = ['sim', 'cli', 'bench', 'test'];

/** Relative-import patterns that reach a top-level folder Lambda must not load, from any depth. */
const boundaryPatterns = OUTSIDE_LAMBDA.flatMap((folder) => [
  `**/../${folder}`,
  `**/../${folder}/**`,
  `../${folder}`,
  `../${folder}/**`,
  `../../${folder}`,
  `../../${folder}/**`,
  `../../../${folder}`,
  `../../../${folder}/**`,
]);

module.exports = tseslint.config(
  { ignores: ['node_modules/**', '.serverless/**', '.esbuild/**', 'coverage/**', '**/*.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-duplicate-imports': 'off',
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    // The state machine is typed end to end: a cast there would hide a handler given the wrong input.
    files: ['shared/domain/state-machine/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
    },
  },
  {
    files: LAMBDA_CODE,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: boundaryPatterns,
              message: 'functions/ and shared/ are what Lambda loads: they must not import sim/, cli/, bench/ or test/.',
            },
            {
              group: ['@cloud-copilot/*'],
              message: 'IAM policy evaluation is simulator-only (sim/world/iam.ts): keep it out of the Lambda bundles.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // `import type { z }` is fine (erased); a value import of the named `z` is not.
          selector:
            "ImportDeclaration[source.value=/^zod(\\/|$)/][importKind='value'] > ImportSpecifier[imported.name='z'][importKind='value']",
          message:
            "Write `import * as z from 'zod'`: the named `z` makes esbuild bundle zod's whole namespace, every locale included (~260 KB per function).",
        },
      ],
    },
  },
);
