import type { TestProjectInlineConfiguration } from 'vitest/config';

/** @grafana/data's ESM build imports moment-timezone (CommonJS) by named export, which Node's own loader refuses;
 * processed by vite, the interop works. */
const INLINE_GRAFANA = { deps: { inline: [/@grafana\//] } };

/**
 * The plugin's test projects, shared by the root `vitest.config.ts` (`npm test`) and `grafana-plugin/vitest.config.ts`:
 * - `plugin`: unit tests of the pure data functions, plugin.json and the zip writer (node environment, no build);
 * - `plugin-dist`: tests of the built plugin and the browser tests; their global setup builds `dist/` once per run
 *   (`tests/build-once.ts`); each browser test file builds its harness page itself (`tests/browser/session.ts`).
 */
export const pluginProjects: TestProjectInlineConfiguration[] = [
  {
    test: {
      name: 'plugin',
      root: import.meta.dirname,
      include: ['tests/unit/**/*.test.{ts,tsx}'],
      environment: 'node',
      server: INLINE_GRAFANA,
    },
  },
  {
    test: {
      name: 'plugin-dist',
      root: import.meta.dirname,
      include: ['tests/package/**/*.test.ts', 'tests/browser/**/*.test.ts'],
      environment: 'node',
      server: INLINE_GRAFANA,
      globalSetup: ['tests/build-once.ts'],
      // A webpack build and headless Chromium share 2 cores with everything else.
      testTimeout: 120_000,
      hookTimeout: 300_000,
      // One Chromium at a time.
      fileParallelism: false,
    },
  },
];
