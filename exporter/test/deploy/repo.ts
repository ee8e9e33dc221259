/**
 * Helpers for the deploy tests: reading the repository's provisioning, rules and compose files, and running the
 * Prometheus/Alertmanager command-line tools. Nothing here needs Docker or a Grafana server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

/** The repository root (this file is `exporter/test/deploy/repo.ts`). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Absolute path of a repository path given with `/`. */
export function repoPath(relative: string): string {
  return path.join(ROOT, ...relative.split('/'));
}

/** Text of a repository file. */
export function readRepoText(relative: string): string {
  return readFileSync(repoPath(relative), 'utf8');
}

/** A repository YAML file, parsed (anchors, aliases and merge keys resolved). */
export function readRepoYaml(relative: string): unknown {
  return parse(readRepoText(relative), { merge: true });
}

/** A repository JSON file, parsed. */
export function readRepoJson(relative: string): unknown {
  return JSON.parse(readRepoText(relative)) as unknown;
}

/** A plain object's entries, or a test failure naming what was expected there. */
export function obj(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what}: expected a mapping, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

/** An array, or a test failure. */
export function arr(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A string, or a test failure. */
export function str(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Result of a tool run: exit status and both outputs. */
export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a Debian-packaged tool (`promtool` from `prometheus`, `amtool` from `prometheus-alertmanager`). A missing
 * binary fails the test: these checks are the only evidence that the rules and the routing are valid.
 */
export function runTool(binary: string, args: string[], cwd = ROOT, install = 'install the Debian package (prometheus / prometheus-alertmanager)'): ToolRun {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: ${install}`);
  }
  const run = spawnSync(binary, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error) {
    throw run.error;
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The first `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export const PROMTOOL = '/usr/bin/promtool';
export const AMTOOL = '/usr/bin/amtool';

/** The data source uids every dashboard and rule refers to (dashboards/provisioning/datasources.yaml). */
export const PROMETHEUS_UID = 'schema-drift-prometheus';
export const INFINITY_UID = 'schema-drift-infinity';
