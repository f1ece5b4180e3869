import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The evaluation core stays pure: no I/O, no Kubernetes client, no clock.
    files: ['src/engine/**/*.ts', 'src/checks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'node:fs',
            'fs',
            'node:net',
            'node:http',
            'node:https',
            'node:child_process',
            'winston',
            'prom-client',
          ],
          patterns: [
            { group: ['@kubernetes/client-node'], allowTypeImports: true },
            { group: ['**/controller/**', '**/cli/**', '**/report/**'] },
          ],
        },
      ],
    },
  },
);
