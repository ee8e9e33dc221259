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
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The Grafana panel: `plugin` (unit) and `plugin-dist` (built plugin, browser tests).
      ...pluginProjects,
    ],
  },
});
