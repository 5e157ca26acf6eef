// @ts-check
// Lint enforces the layer rule of DESIGN.md: entrypoints (actions, cli) -> commands -> core,
// adapters -> core. core does no I/O and reads no clock or environment; only entrypoints
// read the environment or build adapters.
import tseslint from 'typescript-eslint';

const io = [
  'node:fs',
  'node:fs/promises',
  'node:child_process',
  'node:net',
  'node:http',
  'node:https',
  'node:os',
  'node:worker_threads',
];
const outside = ['@actions/*', '@octokit/*', 'simple-git', 'libsodium-wrappers'];

/** @param {string[]} dirs @param {string} why */
const layers = (dirs, why) =>
  dirs.map((d) => ({ group: [`**/${d}/**`, `../${d}/*`, `../../${d}/*`], message: why }));

const noClockNoEnv = [
  {
    selector: "MemberExpression[object.name='process'][property.name='env']",
    message: 'Only entrypoints read the environment; pass values in.',
  },
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'core reads no clock; pass `now` in.',
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'core reads no clock; pass `now` in.',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'schemas/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: io.map((name) => ({ name, message: 'core does no I/O.' })),
          patterns: [
            ...layers(
              ['adapters', 'commands', 'actions', 'cli', 'sandbox', 'crypto'],
              'core depends on nothing but itself.',
            ),
            { group: outside, message: 'core does no I/O.' },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...noClockNoEnv],
    },
  },
  {
    files: ['src/crypto/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: io.map((name) => ({
            name,
            message: 'crypto is pure apart from randomness; I/O lives in adapters.',
          })),
          patterns: [
            ...layers(
              ['adapters', 'commands', 'actions', 'cli', 'sandbox'],
              'crypto depends on core only.',
            ),
            { group: outside, message: 'crypto does no I/O.' },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...noClockNoEnv],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: io.map((name) => ({
            name,
            message: 'commands receive ports; I/O lives in adapters.',
          })),
          patterns: [
            ...layers(
              ['adapters', 'actions', 'cli', 'sandbox'],
              'commands receive ports built by entrypoints.',
            ),
            { group: outside, message: 'commands receive ports built by entrypoints.' },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...noClockNoEnv],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: layers(
            ['commands', 'actions', 'cli', 'sandbox'],
            'adapters implement core ports and know nothing of use cases.',
          ),
        },
      ],
      'no-restricted-syntax': ['error', noClockNoEnv[0]],
    },
  },
);
