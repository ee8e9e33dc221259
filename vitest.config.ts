import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['exporter/test/**/*.test.ts'],
    // Integration tests share two real servers on a 2-core machine: a few files at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
