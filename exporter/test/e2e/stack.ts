/**
 * The whole notification path of the end-to-end test, on 127.0.0.1 with free ports: a PostgreSQL target deployed from
 * the bundled migrations (in sync), the real agent checking it every two seconds, the Slack-compatible webhook and
 * SMTP receivers, Alertmanager with the repo's routing and templates, and Prometheus with the repo's rules.
 *
 * Started in dependency order, stopped in reverse; `close()` runs every clean-up step even when one fails, and a
 * start that fails half-way cleans up what it had started before rethrowing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { VERSION } from '../../src/version.ts';
import { eventually, LogCapture, MIGRATIONS, migratedDatabase, tempDir } from '../agent/support.ts';
import type { TempDatabase } from '../support/servers.ts';
import {
  ALERTMANAGER_FILE,
  alertmanagerTestConfig,
  prometheusConfig,
  readRepoFile,
  RULES_FILE,
  shortenRuleDurations,
  type ForRewrite,
} from './alerting-config.ts';
import { startAlertmanager, startPrometheus, type Service } from './services.ts';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/** The one target of the test, and its static label. */
export const TARGET = 'production';
export const ENVIRONMENT = 'production';
/** Every two seconds (node-cron's optional seconds field): a hand-typed drift is seen within a scrape or two. */
export const SCHEDULE = '*/2 * * * * *';
/**
 * The `for` the test copy gives the alert under test. The other rules keep their production `for`: a check that
 * overlaps hand-typed DDL can fail (PostgreSQL's catalog functions read the latest catalog state, not the check's
 * snapshot: "cache lookup failed for index"), and the production `for: 5m` of SchemaDriftCheckFailing is what keeps
 * such a one-off from paging anyone; shortening it would make the test page on it.
 */
export const TEST_FOR: Readonly<Record<string, string>> = { SchemaDriftDetected: '1s' };

/** Everything running, plus the generated files' texts for assertions. */
export interface NotificationStack {
  readonly database: TempDatabase;
  readonly agent: RunningAgent;
  readonly agentLogs: LogCapture;
  readonly slack: WebhookReceiver;
  readonly smtp: SmtpReceiver;
  readonly alertmanager: Service;
  readonly prometheus: Service;
  /** The repo's files as read, and the test copies as run. */
  readonly files: { rules: string; testRules: string; alertmanager: string; testAlertmanager: string };
  readonly forRewrites: ForRewrite[];
  close(): Promise<void>;
}

/** What a test may change of the stack; the defaults are the notification test's. */
export interface StackOptions {
  /** The target's cron schedule; default {@link SCHEDULE}. */
  readonly schedule?: string;
  /** The target's `watch` interval (e.g. `5s`); default: the agent's own default. */
  readonly watch?: string;
  /** The `for` of the alerts the test copy shortens; default {@link TEST_FOR}; `{}` keeps every rule as shipped. */
  readonly ruleFor?: Readonly<Record<string, string>>;
  /** Keep Alertmanager's timers as shipped (`group_wait` ...) instead of {@link TEST_TIMERS}. */
  readonly shippedTimers?: boolean;
}

function agentYaml(url: string, dataDir: string, options: StackOptions): string {
  return `# Written by exporter/test/e2e/stack.ts
listen: 127.0.0.1:9772
dataDir: ${JSON.stringify(dataDir)}
retry: { attempts: 0 }
targets:
  - name: ${TARGET}
    url: ${JSON.stringify(url)}
    desired: { dir: ${JSON.stringify(MIGRATIONS)}, format: golang-migrate }
    schedule: "${options.schedule ?? SCHEDULE}"
    labels: { environment: ${ENVIRONMENT} }
${options.watch !== undefined ? `    watch: ${options.watch}\n` : ''}`;
}

/** Runs clean-up steps in reverse order; every step runs, the first failure is rethrown at the end. */
class Cleanup {
  readonly #steps: { what: string; fn: () => Promise<unknown> }[] = [];

  add(what: string, fn: () => Promise<unknown>): void {
    this.#steps.push({ what, fn });
  }

  async run(): Promise<void> {
    const failures: string[] = [];
    for (const { what, fn } of this.#steps.splice(0).reverse()) {
      await fn().catch((err: unknown) => failures.push(`${what}: ${String(err)}`));
    }
    if (failures.length > 0) throw new Error(`clean-up failed: ${failures.join('; ')}`);
  }
}

async function startTargetAndAgent(
  cleanup: Cleanup,
  dir: string,
  write: (name: string, text: string) => Promise<string>,
  options: StackOptions,
) {
  const database = await migratedDatabase('sde2e', 4);
  cleanup.add('drop the target database', () => database.drop());
  const configFile = await write('schema-drift.yaml', agentYaml(database.url, join(dir, 'agent-data'), options));
  // A config file cannot say port 0; the test needs a free port.
  const config = { ...(await loadConfig(configFile, process.env)), listen: { host: '127.0.0.1', port: 0 } };
  const agentLogs = new LogCapture();
  const agent = await startAgent(config, { logger: createLogger('info', agentLogs), version: VERSION, stopGraceMs: 10_000 });
  cleanup.add('stop the agent', () => agent.stop());
  return { database, agent, agentLogs };
}

/** Starts the stack; the agent's first check has finished (in sync) before Prometheus starts scraping. */
export async function startNotificationStack(options: StackOptions = {}): Promise<NotificationStack> {
  const cleanup = new Cleanup();
  try {
    const temp = await tempDir('sd-e2e-');
    cleanup.add('remove the temp dir', () => temp.remove());
    const slack = await startWebhookReceiver();
    cleanup.add('stop the webhook receiver', () => slack.close());
    const smtp = await startSmtpReceiver();
    cleanup.add('stop the SMTP receiver', () => smtp.close());

    const { database, agent, agentLogs } = await startTargetAndAgent(cleanup, temp.dir, temp.write, options);
    // Before the first check every timestamp is 0, which the stale rule reads as "never checked": Prometheus starts
    // scraping only once a check has succeeded, as it would against an exporter that has been up for a while.
    await agent.firstChecks;

    const rules = await readRepoFile(RULES_FILE);
    const shortened = shortenRuleDurations(rules, options.ruleFor ?? TEST_FOR);
    const rulesFile = await temp.write('schema-drift.rules.yml', shortened.text);
    const alertmanagerText = await readRepoFile(ALERTMANAGER_FILE);
    const testAlertmanager = alertmanagerTestConfig(alertmanagerText, { slackUrl: slack.url, smarthost: smtp.address }, { shortenTimers: !options.shippedTimers });
    const alertmanager = await startAlertmanager(await temp.write('alertmanager.yml', testAlertmanager), join(temp.dir, 'am-data'));
    cleanup.add('stop Alertmanager', () => alertmanager.stop());

    const exporter = new URL(agent.url).host;
    const promYaml = prometheusConfig({ exporter, alertmanager: `127.0.0.1:${alertmanager.port}`, rulesFile });
    const promConfigFile = join(temp.dir, 'prometheus.yml');
    await writeFile(promConfigFile, promYaml);
    const prometheus = await startPrometheus(promConfigFile, join(temp.dir, 'prom-data'));
    cleanup.add('stop Prometheus', () => prometheus.stop());

    return {
      database,
      agent,
      agentLogs,
      slack,
      smtp,
      alertmanager,
      prometheus,
      files: { rules, testRules: shortened.text, alertmanager: alertmanagerText, testAlertmanager },
      forRewrites: shortened.rewrites,
      close: () => cleanup.run(),
    };
  } catch (err) {
    await cleanup.run().catch(() => {});
    throw err;
  }
}

/** GETs JSON; a failure becomes its message, so diagnostics never throw. */
async function fetchJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return `${res.status}: ${text}`;
    }
  } catch (err) {
    return `unreachable: ${String(err)}`;
  }
}

/** Rules API answer cut to each rule's name, state, health and last error (the templates would drown them). */
function ruleHealth(answer: unknown): unknown {
  type Rules = { data?: { groups?: { rules: Record<string, unknown>[] }[] } };
  const groups = (answer as Rules)?.data?.groups;
  if (!groups) return answer;
  return groups.flatMap((g) => g.rules).map(({ name, state, health, lastError }) => ({ name, state, health, lastError }));
}

/** What every part of the path has seen, for a failed wait: alerts in Prometheus and Alertmanager, deliveries, logs. */
export async function diagnostics(stack: NotificationStack): Promise<string> {
  const latest = (await fetchJson(`${stack.agent.url}/api/v1/targets/${TARGET}/reports?limit=3`)) as unknown;
  const sections: [string, unknown][] = [
    ['agent: latest reports', latest],
    ['prometheus /api/v1/alerts', await fetchJson(`${stack.prometheus.url}/api/v1/alerts`)],
    ['prometheus /api/v1/rules (state, health)', ruleHealth(await fetchJson(`${stack.prometheus.url}/api/v1/rules?type=alert`))],
    ['alertmanager /api/v2/alerts', await fetchJson(`${stack.alertmanager.url}/api/v2/alerts`)],
    ['slack receiver', stack.slack.requests.map((r) => ({ path: r.path, json: r.json ?? r.raw }))],
    ['smtp receiver: messages', stack.smtp.messages.map((m) => ({ subject: m.subject, to: m.to, parts: m.parts }))],
    ['smtp receiver: commands', stack.smtp.transcript],
    ['alertmanager log (last 30 lines)', stack.alertmanager.log.slice(-30)],
    ['prometheus log (last 15 lines)', stack.prometheus.log.slice(-15)],
  ];
  return sections.map(([title, value]) => `--- ${title}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}`).join('\n');
}

/**
 * Polls `check` (agent/support's `eventually`) until it returns a value; on timeout the error carries
 * `diagnostics(stack)`, so a failure says where along the path the notification stopped.
 */
export async function waitFor<T>(stack: NotificationStack, what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  try {
    return await eventually(async () => check(), timeoutMs, what);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await diagnostics(stack)}`, { cause: err });
  }
}
