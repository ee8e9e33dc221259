/**
 * `schema-drift serve [--config FILE] [--web.config.file FILE]`: runs the agent until SIGTERM or SIGINT. Without a configuration file it runs
 * the demo on embedded databases, clearly labelled as such.
 */
import type { CliIo } from '../cli/io.ts';
import { loadConfig } from '../config/load.ts';
import { loadWebConfig } from '../config/web-config.ts';
import { DEFAULT_PORT } from '../config/types.ts';
import { assertCanListen, startAgent, type RunningAgent } from './agent.ts';
import { createDemoEnvironment, DEMO_HOST } from './demo.ts';
import { createLogger } from '../log.ts';
import { VERSION } from '../version.ts';

/**
 * SIGTERM or SIGINT ends the process within this long (README): running checks get {@link SHUTDOWN_CHECK_GRACE_MS} to
 * finish, then are stopped (a replay's child process killed, a dev server's statement cancelled and its temporary
 * database dropped, a migration command's process group killed); whatever still holds on is cut off at the bound.
 */
export const SHUTDOWN_BOUND_MS = 10_000;

/** How long running checks may go on after SIGTERM before they are stopped. */
export const SHUTDOWN_CHECK_GRACE_MS = 5_000;

/**
 * How long stopped checks then have to wind down: a replay's child is killed at once, a dev server's statement gets
 * CANCEL_GRACE_MS (2 s) and its temporary database a DROP ... WITH (FORCE). Grace + this + margin fit the bound.
 */
export const SHUTDOWN_ABORT_GRACE_MS = 3_000;

/** Kept free of the bound for closing the server, the store and the process itself. */
const SHUTDOWN_MARGIN_MS = 1_000;

/** Options of `schema-drift serve`. */
export interface ServeOptions {
  readonly config?: string;
  /** Overrides the configuration's listen port (tests, and a demo next to a running agent). */
  readonly port?: number;
  /** `--web.config.file`: overrides the configuration's `webConfigFile` (relative to the working directory). */
  readonly webConfigFile?: string;
}

/** Starts the agent (or the demo) and resolves once it has stopped after a signal. */
export async function runServe(options: ServeOptions, io: CliIo): Promise<number> {
  // The demo takes seconds to deploy its databases: an address in use is said before, not after.
  if (!options.config) await assertCanListen(DEMO_HOST, options.port ?? DEFAULT_PORT);
  // Read before the demo deploys its databases: a bad file is said at once, and nothing is left to close.
  const web = options.webConfigFile !== undefined ? loadWebConfig(options.webConfigFile) : undefined;
  const demo = options.config ? null : await createDemoEnvironment({ port: options.port });
  let config = demo ? demo.config : await loadConfig(options.config!);
  if (options.port !== undefined) config = { ...config, listen: { ...config.listen, port: options.port } };
  if (web) config = { ...config, web };
  const logger = createLogger(config.logLevel);
  let agent: RunningAgent;
  try {
    agent = await startAgent(config, {
      logger,
      version: VERSION,
      demo: Boolean(demo),
      openSession: demo?.openSession,
      stopGraceMs: SHUTDOWN_CHECK_GRACE_MS,
      stopAbortGraceMs: SHUTDOWN_ABORT_GRACE_MS,
    });
  } catch (err) {
    await demo?.close();
    throw err;
  }
  if (demo) {
    io.stderr(
      [
        '',
        'schema-drift DEMO: two embedded PGlite databases deployed from exporter/examples/migrations;',
        '"staging" is in sync, "production" was hot-fixed by hand (a retyped column, an extra index, a dropped check).',
        `  landing page  ${agent.url}/`,
        `  metrics       ${agent.url}/metrics`,
        `  API           ${agent.url}/api/v1/targets`,
        `  drift         ${agent.url}/api/v1/targets/production/reports/latest/reconcile.sql`,
        'Stop with Ctrl-C. With your own databases: schema-drift serve --config schema-drift.yaml',
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        // A second signal: the operator does not want to wait for the checks to wind down.
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      received = true;
      logger.info({ signal, boundMs: SHUTDOWN_BOUND_MS }, 'signal received');
      // The bound holds whatever a check or a connection does; exit handlers still kill replay child processes.
      setTimeout(() => {
        logger.error({ boundMs: SHUTDOWN_BOUND_MS }, 'shutdown did not finish within its bound: exiting');
        process.exit(1);
      }, SHUTDOWN_BOUND_MS - SHUTDOWN_MARGIN_MS).unref();
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await agent.stop();
  await demo?.close();
  return 0;
}
