/**
 * Test copies of the repository's alerting configuration for the end-to-end notification test, changed only where a
 * test on loopback must differ from production, and each change listed so the test can assert nothing else moved:
 *
 * - the Prometheus rules: only the `for:` of the alert under test is shortened (production waits minutes before it
 *   pages; the test cannot); every other field of every rule stays what the repo ships.
 * - the Alertmanager configuration: the route tree (receivers, matchers, `group_by`, `continue`) and the inhibit
 *   rules are kept; only the timers (`group_wait`, `group_interval`, `repeat_interval`) are shortened, the Slack and
 *   email destinations point at the test's receivers, credentials are removed (the receivers ask for none), and
 *   `templates` name the repo's template files by absolute path.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

/** The repo's Prometheus rules file. */
export const RULES_FILE = fileURLToPath(new URL('../../../alerts/prometheus/schema-drift.rules.yml', import.meta.url));
/** The repo's Alertmanager configuration. */
export const ALERTMANAGER_FILE = fileURLToPath(new URL('../../../alerts/alertmanager/alertmanager.yml', import.meta.url));
/** The repo's Alertmanager message templates. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../alerts/alertmanager/templates', import.meta.url));

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rulesOf(doc: unknown): Node[] {
  if (!isNode(doc) || !Array.isArray(doc.groups)) throw new Error(`${RULES_FILE}: no "groups" list`);
  return doc.groups.flatMap((group: unknown) => (isNode(group) && Array.isArray(group.rules) ? (group.rules as Node[]) : []));
}

/** The rules with the `for` of `alerts` removed: what must be identical between the repo's file and the test copy. */
export function rulesWithoutFor(doc: unknown, alerts: readonly string[]): Node[] {
  return rulesOf(doc).map((rule) =>
    alerts.includes(String(rule.alert)) ? Object.fromEntries(Object.entries(rule).filter(([key]) => key !== 'for')) : rule,
  );
}

/** A change the test copy made, for the test output. */
export interface ForRewrite {
  readonly alert: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The rules file with the `for` of the named alerts replaced; nothing else is touched. An alert name the file does not
 * have is an error, so a renamed rule cannot silently keep its production `for` in the test.
 */
export function shortenRuleDurations(text: string, durations: Readonly<Record<string, string>>): { text: string; rewrites: ForRewrite[] } {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${RULES_FILE}: ${doc.errors[0]!.message}`);
  const rewrites: ForRewrite[] = [];
  const groups = doc.get('groups') as YAML.YAMLSeq<YAML.YAMLMap>;
  for (const group of groups.items) {
    for (const rule of (group.get('rules') as YAML.YAMLSeq<YAML.YAMLMap>).items) {
      const alert = rule.get('alert');
      if (typeof alert !== 'string' || !(alert in durations)) continue;
      const from = rule.get('for');
      rule.set('for', durations[alert]);
      rewrites.push({ alert, from: from === undefined ? '(none)' : String(from), to: durations[alert]! });
    }
  }
  const missing = Object.keys(durations).filter((alert) => !rewrites.some((r) => r.alert === alert));
  if (missing.length > 0) throw new Error(`${RULES_FILE}: no alerting rule named ${missing.join(', ')}`);
  return { text: doc.toString(), rewrites };
}

/** Where the test's Prometheus finds what it scrapes and where it sends alerts. */
export interface PrometheusEndpoints {
  /** `host:port` of the exporter. */
  readonly exporter: string;
  /** `host:port` of Alertmanager. */
  readonly alertmanager: string;
  /** The (test copy of the) rules file. */
  readonly rulesFile: string;
}

/** prometheus.yml: scrape and evaluate every second, alert to the test's Alertmanager. */
export function prometheusConfig(endpoints: PrometheusEndpoints): string {
  return YAML.stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [endpoints.rulesFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [endpoints.alertmanager] }] }] },
    scrape_configs: [{ job_name: 'schema-drift', static_configs: [{ targets: [endpoints.exporter] }] }],
  });
}

/** Where the test's Alertmanager delivers. */
export interface ReceiverEndpoints {
  /** Base URL of the Slack-compatible webhook receiver; each Slack config gets `<url>/slack/<receiver name>`. */
  readonly slackUrl: string;
  /** `host:port` of the SMTP receiver. */
  readonly smarthost: string;
}

/** Timers of the test's route tree: notifications within seconds, no repeat during a test. */
export const TEST_TIMERS = { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' } as const;

const SECRET_KEYS = ['auth_username', 'auth_password', 'auth_password_file', 'auth_secret', 'auth_identity', 'api_url_file'];

function shortenChild(route: Node): void {
  for (const [key, value] of Object.entries(TEST_TIMERS)) if (key in route) route[key] = value;
  for (const child of Array.isArray(route.routes) ? (route.routes as Node[]) : []) shortenChild(child);
}

function pointReceivers(receivers: Node[], endpoints: ReceiverEndpoints): void {
  for (const receiver of receivers) {
    const name = String(receiver.name);
    // YAML anchors share one object between receivers; each receiver gets its own copy and its own URL path.
    for (const key of ['slack_configs', 'email_configs']) if (key in receiver) receiver[key] = structuredClone(receiver[key]);
    for (const slack of Array.isArray(receiver.slack_configs) ? (receiver.slack_configs as Node[]) : []) {
      for (const key of SECRET_KEYS) delete slack[key];
      slack.api_url = `${endpoints.slackUrl}/slack/${encodeURIComponent(name)}`;
    }
    for (const email of Array.isArray(receiver.email_configs) ? (receiver.email_configs as Node[]) : []) {
      for (const key of SECRET_KEYS) delete email[key];
      email.smarthost = endpoints.smarthost;
      email.require_tls = false;
    }
  }
}

/** The repo's alertmanager.yml as the test runs it (see the file comment for what changes; `shortenTimers: false` keeps the timers). */
export function alertmanagerTestConfig(text: string, endpoints: ReceiverEndpoints, options: { shortenTimers?: boolean } = {}): string {
  const config = YAML.parse(text) as Node;
  const global: Node = isNode(config.global) ? config.global : {};
  // The sender address is content (it shows in the inbox): kept. Transport and credentials are the test's.
  for (const key of Object.keys(global)) if (/^(smtp_(?!from$)|slack_api_url)/.test(key)) delete global[key];
  global.smtp_smarthost = endpoints.smarthost;
  global.smtp_require_tls = false;
  global.smtp_from ??= 'schema-drift-alerts@example.test';
  global.slack_api_url = `${endpoints.slackUrl}/slack/global`;
  config.global = global;
  if (!isNode(config.route)) throw new Error(`${ALERTMANAGER_FILE}: no "route"`);
  if (options.shortenTimers ?? true) {
    for (const [key, value] of Object.entries(TEST_TIMERS)) config.route[key] = value;
    for (const child of Array.isArray(config.route.routes) ? (config.route.routes as Node[]) : []) shortenChild(child);
  }
  pointReceivers(Array.isArray(config.receivers) ? (config.receivers as Node[]) : [], endpoints);
  // Relative template paths resolve against the configuration file's directory; the test copy lives elsewhere.
  const templates = Array.isArray(config.templates) ? (config.templates as string[]) : [];
  config.templates = templates.map((t) => resolve(dirname(ALERTMANAGER_FILE), t));
  return YAML.stringify(config);
}

/** Reads a repo file, failing with the path when it is missing (the alerting files are part of the product). */
export async function readRepoFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}
