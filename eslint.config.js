// @ts-check
import js from '@eslint/js';
import pulumi from '@pulumi/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.venv/', 'data/', 'coverage/', 'runtime/ui/dist/', '.sparkplane/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['components/**/*.ts', 'stacks/**/*.ts', 'examples/pulumi/**/*.ts'],
    // the Pulumi rules need type information: an Output in a template literal is a bug
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@pulumi': pulumi },
    rules: {
      '@pulumi/no-output-in-template-literal': 'error',
      '@pulumi/no-output-instance-in-template-literal': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // programs that talk to a terminal
    files: ['runtime/cli/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'scripts/**/*.mjs', 'bin/**/*.js'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
