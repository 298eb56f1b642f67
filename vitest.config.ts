import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Test files in parallel on every core: vitest's default leaves one core idle, half of a two-core machine.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
