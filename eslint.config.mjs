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
    ignores: ['dist/', 'dist-bench/', 'node_modules/', 'coverage/', 'bin/', '.archipel/'],
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
    files: ['src/**/*.ts', 'src/web/**/*.tsx', 'bench/**/*.ts', 'test/**/*.ts'],
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
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'test/**/*.js'],
    rules: { 'no-console': 'off' },
  },

  // src/core/: pure code in layers (crypto → formats → governance → rules → verify), importing only
  // downward, and nothing from Node, the framework, the database or the queue (docs/architecture.md).
  ...coreLayers(),
);

function coreLayers() {
  const layers = ['crypto', 'formats', 'governance', 'rules', 'verify'];
  const builtins = ['fs', 'path', 'crypto', 'os', 'buffer', 'stream', 'util', 'events', 'net', 'http', 'https', 'url', 'child_process', 'worker_threads'];
  const edges = ['typeorm', 'bullmq', 'ioredis', 'pg', 'pino', 'nestjs-pino', 'fastify', 'jose'];
  const paths = [
    ...builtins.map((name) => ({ name, message: 'src/core/ runs in browsers too: no Node module (see src/core/crypto/crypto.ts).' })),
    ...edges.map((name) => ({ name, message: 'src/core/ is pure: frameworks, I/O and JOSE libraries stay at the edges.' })),
  ];
  const outside = [
    { group: ['node:*'], message: 'src/core/ runs in browsers too: no Node module (see src/core/crypto/crypto.ts).' },
    { group: ['@nestjs/*', '@fastify/*'], message: 'src/core/ is pure: frameworks stay at the edges.' },
    { group: ['../../*'], message: 'src/core/ imports nothing outside src/core/.' },
  ];
  return layers.map((layer, i) => ({
    files: [`src/core/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths,
          patterns: [
            ...outside,
            ...layers.slice(i + 1).map((above) => ({
              group: [`../${above}/*`],
              message: `src/core/${layer} is below src/core/${above}: imports run only downward (crypto → formats → governance → rules → verify).`,
            })),
          ],
        },
      ],
      'no-restricted-globals': ['error', 'Buffer', 'process', 'require', '__dirname', '__filename', 'setImmediate'],
    },
  }));
}
