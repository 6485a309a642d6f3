// ESLint 9 flat config: `npm run lint` (= `eslint .`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Node's globals for the plain CommonJS scripts (jest.config.js, test/run-tests.js): the `globals`
// package is not a direct dependency, so they are listed here.
const nodeGlobals = Object.fromEntries(
  [
    'require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
    'URL', 'URLSearchParams', 'fetch', 'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder',
    'structuredClone', 'queueMicrotask', 'globalThis',
  ].map((name) => [name, 'readonly']),
);

const unusedVars = [
  'error',
  {
    args: 'after-used',
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
    ignoreRestSiblings: true,
  },
];

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'bin/', '.archipel/'],
  },

  // Plain JavaScript at the root and in test/ (CommonJS run by Node).
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: nodeGlobals },
    rules: { 'no-unused-vars': unusedVars },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: nodeGlobals },
  },

  // TypeScript: the application and its tests.
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      'no-console': 'warn',
      '@typescript-eslint/no-unused-vars': unusedVars,
      '@typescript-eslint/no-explicit-any': 'warn',
      // `require('../../package.json')` reads the version from outside src/ (rootDir) at run time.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['/package\\.json$'] }],
    },
  },

  // Command-line tools, benchmarks and tests talk to a terminal.
  {
    files: ['src/cli/**/*.ts', 'src/bench/**/*.ts', 'test/**/*.ts', 'test/**/*.js'],
    rules: { 'no-console': 'off' },
  },
);
