// Lint rules: typescript-eslint strict-type-checked plus the layer rule of DESIGN.md
// (imports go one way, downward: main > cli > process > runtime > config > handlers > http > http1/net > log).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** For each layer, the layers above it that it must never import. */
const forbidden = {
  log: ['cli', 'runtime', 'config', 'handlers', 'http', 'http1', 'net', 'balance', 'forward'],
  net: ['cli', 'runtime', 'config', 'handlers', 'http', 'http1', 'balance', 'forward', 'tls'],
  http1: ['cli', 'runtime', 'config', 'handlers', 'http', 'net', 'balance', 'forward'],
  http: ['cli', 'runtime', 'config', 'handlers', 'balance', 'forward'],
  balance: ['cli', 'runtime', 'config', 'handlers', 'http', 'http1', 'forward'],
  handlers: ['cli', 'runtime', 'config'],
  forward: ['cli', 'runtime', 'config', 'handlers', 'http', 'http1'],
  config: ['cli', 'runtime', 'process', 'tls'],
  tls: ['cli', 'runtime', 'process', 'handlers', 'http', 'http1'],
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
);
