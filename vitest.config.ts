import { defineConfig } from 'vitest/config';

import { pluginProjects } from './grafana-plugin/vitest.projects.ts';

export default defineConfig({
  test: {
    // Integration tests share two real servers on a 2-core machine: a few files at a time.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'exporter',
          include: ['exporter/test/**/*.test.ts'],
          // Replays every fixture into PGlite: the version matrix runs it on each major (15 included), `npm test` not.
          exclude: process.env.SCHEMA_DRIFT_TEST_VERSION_MATRIX ? [] : ['exporter/test/postgres/replay-majors.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The Grafana panel: `plugin` (unit) and `plugin-dist` (built plugin, browser tests).
      ...pluginProjects,
    ],
  },
});
