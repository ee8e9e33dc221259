/**
 * One agent environment for the integration tests, built the way a user would set it up: real PostgreSQL databases
 * deployed from the bundled migrations, a YAML configuration file loaded by the real `loadConfig`, and `startAgent`
 * with a pino logger whose lines the test reads.
 *
 * Targets: `production` (migrations + golang-migrate at version 4 + the hand-typed drift), `staging` (in sync), and
 * optionally `flaky`: the production database again, reached through a TCP proxy the test can stop. Their `watch` is
 * off: these tests count the checks they start by hand (the watch has its own, `watch.test.ts`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { AgentConfig } from '../../src/config/types.ts';
import { createLogger } from '../../src/log.ts';
import { VERSION } from '../../src/version.ts';
import { pgUrlFor, type TempDatabase } from '../support/servers.ts';
import { DRIFT_SQL, LogCapture, MIGRATIONS, migratedDatabase, pgAddress, TcpProxy, tempDir } from './support.ts';

/** The password put into the production target via `${ENV}`; trust auth ignores it, no output may contain it. */
export const TARGET_PASSWORD = 'pw-Agent-s3cret-7731';
export const PASSWORD_ENV = { SD_AGENT_TEST_PASSWORD: TARGET_PASSWORD };
/** A cron expression that never fires during a test (midnight, 1 January): only start and the API run checks. */
export const NEVER = '0 0 1 1 *';

export interface AgentEnvironment {
  readonly production: TempDatabase;
  readonly staging: TempDatabase;
  readonly proxy: TcpProxy | null;
  readonly configFile: string;
  readonly dataDir: string;
  /** The running agent; replaced by `restart()`. */
  agent: RunningAgent;
  /** Every log line of every agent started here. */
  readonly logs: LogCapture;
  /** Loads the configuration file again and starts a new agent on the same data directory. */
  restart(): Promise<RunningAgent>;
  /** Stops the agent and proxy, drops the databases, removes the temp dir. */
  close(): Promise<void>;
}

function configYaml(options: { production: string; staging: string; flaky: string | null; extra: string }): string {
  const { host, port } = pgAddress();
  const flaky = options.flaky
    ? `  - name: flaky
    url: ${options.flaky}
    desired: *migrations
    schedule: "${NEVER}"
    watch: 0
    connectTimeout: 2s
    labels: { environment: production }
`
    : '';
  return `# Written by exporter/test/agent/environment.ts
listen: 127.0.0.1:9772
dataDir: ./data
concurrency: 2
retry:
  attempts: 1
  initialDelay: 1s
  maxDelay: 1s
logLevel: info
${options.extra}
x-migrations: &migrations
  dir: ${JSON.stringify(MIGRATIONS)}
  format: golang-migrate

targets:
  - name: production
    url: postgres://postgres@${host}:${port}/${options.production}
    watch: 0
    password: \${SD_AGENT_TEST_PASSWORD}
    desired: *migrations
    schedule: "${NEVER}"
    labels:
      environment: production
  - name: staging
    url: ${JSON.stringify(pgUrlFor(options.staging))}
    watch: 0
    desired: *migrations
    schedule: "${NEVER}"
    labels:
      environment: staging
${flaky}`;
}

/** The configuration as the agent gets it: loaded from the file, listening on an ephemeral port of 127.0.0.1. */
async function load(file: string): Promise<AgentConfig> {
  const config = await loadConfig(file, { ...process.env, ...PASSWORD_ENV });
  // A config file cannot say port 0 (it is refused as "not an address"); tests need a free port.
  return { ...config, listen: { host: '127.0.0.1', port: 0 } };
}

/** Builds the databases and the file, and starts the agent (first checks not awaited: `agent.firstChecks`). */
export async function createAgentEnvironment(options: { proxy?: boolean; extraYaml?: string } = {}): Promise<AgentEnvironment> {
  const temp = await tempDir();
  const cleanups: (() => Promise<void>)[] = [() => temp.remove()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  try {
    const drift = await readFile(DRIFT_SQL, 'utf8');
    const production = await migratedDatabase('sdagent_prod', 4, drift);
    cleanups.push(() => production.drop());
    const staging = await migratedDatabase('sdagent_stag', 4);
    cleanups.push(() => staging.drop());
    let proxy: TcpProxy | null = null;
    if (options.proxy) {
      proxy = new TcpProxy();
      await proxy.start();
      cleanups.push(() => proxy!.stop());
    }
    const flaky = proxy ? `postgres://postgres@127.0.0.1:${proxy.port}/${production.name}` : null;
    const yaml = configYaml({ production: production.name, staging: staging.name, flaky, extra: options.extraYaml ?? '' });
    const configFile = await temp.write('schema-drift.yaml', yaml);
    const logs = new LogCapture();
    const start = async () => {
      const config = await load(configFile);
      return startAgent(config, { logger: createLogger(config.logLevel, logs), version: VERSION, stopGraceMs: 10_000 });
    };
    const env: AgentEnvironment = {
      production,
      staging,
      proxy,
      configFile,
      dataDir: join(temp.dir, 'data'),
      logs,
      agent: await start(),
      async restart() {
        await env.agent.stop();
        env.agent = await start();
        return env.agent;
      },
      async close() {
        await env.agent.stop();
        await cleanup();
      },
    };
    return env;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
