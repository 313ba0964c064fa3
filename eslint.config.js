// ESLint flat config. Type-aware rules (typescript-eslint recommendedTypeChecked) for the TypeScript in src/, __tests__/
// and scripts/ (all three are in tsconfig.json); the plain recommended rules for the few .js/.mjs files.
// Formatting is Prettier's job (.prettierrc.json): no stylistic rules here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The handful of Node globals the .js/.mjs files use (no `globals` package for so few).
const NODE_GLOBALS = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'performance', 'fetch'].map(
    name => [name, 'readonly']
  )
);

// @actions/core is the toolkit: only src/toolkit.ts wires it, everything else gets an injected port.
const CORE_MESSAGE = 'Only src/toolkit.ts may use @actions/core: take the ActionOutput/Runtime port you are given instead.';
const BUNDLE_MESSAGE = 'The post step and the credential_process helper are bundled on their own (dist/cleanup, dist/refresh) and must not carry the toolkit: no @actions/core here.';
const TOOLKIT_MESSAGE =
  'src/toolkit.ts wires @actions/core: importing it from the post step or the refresh helper puts the toolkit into their bundles. Use src/runtime.ts or a port (ports.ts) instead.';

const coreRestriction = {
  paths: [{ name: '@actions/core', message: CORE_MESSAGE }],
  patterns: [{ group: ['@actions/core/*'], message: CORE_MESSAGE }]
};
const bundleRestriction = {
  paths: [{ name: '@actions/core', message: BUNDLE_MESSAGE }],
  patterns: [
    { group: ['@actions/core/*'], message: BUNDLE_MESSAGE },
    { group: ['**/toolkit', '**/toolkit.js', '**/toolkit.ts'], message: TOOLKIT_MESSAGE }
  ]
};
// no-restricted-imports does not see `await import('…')`, which ncc bundles all the same.
const dynamicImport = (modules, message) => ({
  selector: `ImportExpression[source.value=/^(${modules.map(m => m.replace('/', '\\/')).join('|')})(\\/|$)/]`,
  message
});

export default defineConfig(
  { ignores: ['dist/', 'lib/', 'coverage/', 'node_modules/', '.tmp/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,

  {
    name: 'project/typescript',
    files: ['src/**/*.ts', '__tests__/**/*.ts', 'scripts/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // Every promise is awaited, returned, or explicitly discarded with `void`.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true, ignoreIIFE: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // From strictTypeChecked, where they cost nothing today (0-1 hits).
      '@typescript-eslint/no-unnecessary-condition': 'error',
      '@typescript-eslint/prefer-optional-chain': 'error',
      '@typescript-eslint/no-deprecated': 'error',
      // tsc (noUnusedLocals/noUnusedParameters) reports these too; here `_name` is the explicit opt-out.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
      // Inputs, headers and INI files are checked for NUL/CR/LF on purpose.
      'no-control-regex': 'off'
    }
  },

  {
    name: 'project/tests',
    files: ['__tests__/**/*.ts'],
    rules: {
      // Stand-ins implement async ports with synchronous bodies (async sleep() {}).
      '@typescript-eslint/require-await': 'off',
      // jest's asymmetric matchers (expect.any, expect.stringMatching, …) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off'
    }
  },

  {
    name: 'project/javascript',
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: NODE_GLOBALS }
  },

  {
    name: 'project/toolkit-only-in-toolkit',
    files: ['src/**/*.ts'],
    ignores: ['src/toolkit.ts', 'src/core/index.ts'],
    rules: {
      'no-restricted-imports': ['error', coreRestriction],
      'no-restricted-syntax': ['error', dynamicImport(['@actions/core'], CORE_MESSAGE)]
    }
  },

  {
    // After the one above, so it replaces (not merges with) its settings for these folders.
    name: 'project/no-toolkit-in-post-and-refresh-bundles',
    files: ['src/post/**/*.ts', 'src/refresh/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', bundleRestriction],
      'no-restricted-syntax': ['error', dynamicImport(['@actions/core'], BUNDLE_MESSAGE)]
    }
  }
);
