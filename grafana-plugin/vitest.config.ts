import { defineConfig } from 'vitest/config';

import { pluginProjects } from './vitest.projects.ts';

/** The plugin's tests alone (`npx vitest run` in grafana-plugin/); the root config runs them with the exporter's. */
export default defineConfig({ test: { projects: pluginProjects } });
