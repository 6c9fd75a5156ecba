// Lint rules: typescript-eslint strict-type-checked plus the layer rule of DESIGN.md
// (imports go one way, downward: main > cli > process > runtime > config > handlers | http1 | http2
// > http > net > log;
// shared (server-wide state) sits under handlers, over balance).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** For each layer, the layers above it (or beside it) that it must never import. */
const forbidden = {
  // Counters every layer bumps: they import nothing of porta's.
  metrics: [
    'cli',
    'runtime',
    'config',
    'handlers',
    'http',
    'http1',
    'http2',
    'net',
    'log',
    'balance',
    'forward',
    'shared',
    'process',
  ],
  log: [
    'cli',
    'runtime',
    'config',
    'handlers',
    'http',
    'http1',
    'http2',
    'net',
    'balance',
    'forward',
  ],
  net: [
    'cli',
    'runtime',
    'config',
    'handlers',
    'http',
    'http1',
    'http2',
    'balance',
    'forward',
    'tls',
  ],
  // The protocol engines turn bytes into the protocol-neutral Exchange of src/http; neither
  // knows the other (the runtime picks one per connection).
  http1: ['cli', 'runtime', 'config', 'handlers', 'http2', 'net', 'balance', 'forward'],
  http2: ['cli', 'runtime', 'config', 'handlers', 'http1', 'net', 'balance', 'forward'],
  http: ['cli', 'runtime', 'config', 'handlers', 'http1', 'http2', 'balance', 'forward'],
  balance: ['cli', 'runtime', 'config', 'handlers', 'http', 'http1', 'http2', 'forward', 'shared'],
  // Server-wide state (src/shared/): the primary loads it, so it must stay small: no engine, no zod.
  shared: [
    'cli',
    'runtime',
    'config',
    'handlers',
    'http',
    'http1',
    'http2',
    'net',
    'forward',
    'process',
  ],
  // Handlers see src/http only: they never know which protocol carries the exchange.
  handlers: ['cli', 'runtime', 'config', 'http1', 'http2'],
  forward: ['cli', 'runtime', 'config', 'handlers', 'http', 'http1', 'http2'],
  config: ['cli', 'runtime', 'process', 'tls'],
  tls: ['cli', 'runtime', 'process', 'handlers', 'http', 'http1', 'http2'],
  runtime: ['cli', 'process'],
  process: ['cli'],
};

const layerRules = Object.entries(forbidden).map(([layer, above]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: above.map((name) => ({
          group: [`**/${name}/*`, `../${name}/*`, `../../${name}/*`],
          message: `src/${layer} sits below src/${name}: imports go downward only (DESIGN.md).`,
        })),
      },
    ],
  },
}));

/**
 * The modules a cluster primary runs (the command line, the supervisor, signals, the pid file):
 * they may load only what the primary uses. Everything a worker or a config check needs (the
 * YAML parser, zod, the plan, the engine, handlers) is imported lazily (`await import()`) where
 * one process or a check child needs it, or as types only. test/e2e/light-primary.test.ts
 * checks what a real primary loads.
 */
const primaryFiles = [
  'src/main.ts',
  'src/cli/*.ts',
  'src/process/config-check.ts',
  'src/process/config-request.ts',
  'src/process/config-thread.ts',
  'src/process/messages.ts',
  'src/process/pid-file.ts',
  'src/process/primary-state.ts',
  'src/process/reload-status.ts',
  'src/process/signals.ts',
  'src/process/supervisor.ts',
  'src/process/udp-split.ts',
  'src/runtime/fd-limit.ts',
];

/** A rule that lets `files` import the `group` modules only lazily (await import()) or as types. */
function lazyOnly(files, ignores, group, message) {
  return {
    files,
    ignores,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group, allowTypeImports: true, message }] },
      ],
    },
  };
}

const primaryRule = lazyOnly(
  primaryFiles,
  ['**/*.test.ts', 'src/cli/check-file.ts'],
  [
    'zod',
    'zod/*',
    'yaml',
    '**/config/*',
    '!**/config/config-file-name.js',
    '!**/config/units.js',
    '**/runtime/*',
    '!**/runtime/fd-limit.js',
    '**/handlers/*.js',
    '**/handlers/*/*.js',
    '**/handlers/proxy/client/*',
    '!**/handlers/directives/password-hash.js',
    '**/http/*',
    '**/http1/*',
    '**/http2/*',
    '**/forward/*',
    '!**/forward/port-mapping.js',
    '**/process/worker.js',
    '**/process/config-source.js',
    '**/process/config-child.js',
    '**/process/config-thread-main.js',
  ],
  'a cluster primary loads this module: import what only workers or a config check need lazily (await import()) or as a type.',
);

/**
 * What serves (a worker, or a single process's main thread) never loads the config stack: a
 * check child or a config check thread validates, and hands over plain JSON.
 */
const servingRule = lazyOnly(
  [
    'src/runtime/**/*.ts',
    'src/handlers/**/*.ts',
    'src/http/**/*.ts',
    'src/http1/**/*.ts',
    'src/http2/**/*.ts',
    'src/net/**/*.ts',
    'src/tls/**/*.ts',
    'src/forward/**/*.ts',
    'src/balance/**/*.ts',
    'src/shared/**/*.ts',
    'src/log/**/*.ts',
    'src/metrics/**/*.ts',
    'src/process/worker.ts',
  ],
  // fd-limit.ts is the primary's too: primaryRule (stricter) covers it.
  ['**/*.test.ts', 'src/runtime/fd-limit.ts'],
  [
    'zod',
    'zod/*',
    'yaml',
    '**/config/schema.js',
    '**/config/*-schema.js',
    '**/config/validate.js',
    '**/config/load.js',
    '**/process/config-source.js',
  ],
  'a worker or a single process serves without the config stack: validate in a check (child or thread), import it lazily or as a type.',
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'site/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: false },
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        WebAssembly: 'readonly',
      },
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'fuzz/**/*.ts'],
    rules: {
      // node:test's describe/it return promises that the runner awaits itself.
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  ...layerRules,
  primaryRule,
  servingRule,
  {
    // The proxy's upstream client speaks HTTP/1.1 to backends: it may use the HTTP/1 codec
    // pieces (chars, chunked decoding, head fields, parse errors), never the server engine.
    files: ['src/handlers/proxy/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['cli', 'runtime', 'config', 'http2'].map((name) => ({
              group: [`**/${name}/*`],
              message: `src/handlers sits below src/${name}: imports go downward only (DESIGN.md).`,
            })),
            {
              group: [
                '**/http1/connection*',
                '**/http1/server-exchange*',
                '**/http1/http1-server*',
              ],
              message: 'the upstream client may use the HTTP/1 codec, not the server engine.',
            },
          ],
        },
      ],
    },
  },
);
