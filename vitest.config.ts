import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['node_modules/**', '.venv/**', 'data/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // the runtime's request log is noise in test output; warnings and errors still show
    env: { SPARKPLANE_LOG_LEVEL: 'warn' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // unit tests live next to the code; the architecture test reads the whole tree
          include: [
            'runtime/**/*.test.ts',
            'components/**/*.test.ts',
            'stacks/**/*.test.ts',
            'examples/**/*.test.ts',
            'test/architecture/**/*.test.ts',
            'ui/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // real Spark, PostgreSQL, HTTP and Chromium: two cores, so one file at a time
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/faults/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
        },
      },
    ],
  },
});
