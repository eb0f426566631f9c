import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Repository suites share one PostgreSQL server; each test file uses its own database/schema.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
