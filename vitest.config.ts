import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/helpers/longest-first.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Repository suites share one PostgreSQL server; each test file uses its own database/schema.
    fileParallelism: true,
    // Two on the 2-core CI machine: three was tried (2026-12-06) and was slower, with Chromium and
    // ffmpeg tests failing under the load.
    maxWorkers: 2,
    // Longest files first (committed durations): CI has no result cache to order them by.
    sequence: { sequencer: LongestFirstSequencer },
    // A page or server answer that takes 1 s (the default) on a loaded 2-core CI machine is not a
    // failure: polls wait up to 10 s (a poll that succeeds returns as soon as it does).
    expect: { poll: { timeout: 10_000 } },
  },
});
