/**
 * The notification path, for real, on loopback: the agent checks a PostgreSQL target every two seconds; Prometheus
 * (Debian `prometheus`) scrapes it every second and evaluates the repo's rules; Alertmanager (Debian
 * `prometheus-alertmanager`) routes with the repo's configuration and renders the repo's templates to a local
 * Slack-compatible webhook and a local SMTP server. A drift typed by hand must reach both, naming the target and the
 * counts; the reconcile SQL the agent planned reverts it, and the resolved notification must reach both too.
 *
 * What the test changes in the repo's files, and asserts it changed nothing else: the drift rule's `for` (→ 1s),
 * Alertmanager's timers (→ 1s/1s/1h), the receivers' destinations and credentials, and template paths (made absolute).
 *
 * The steps build on each other, in order. Time bounds: start 40 s, then 20 + 30 + 30 s; every wait that runs out
 * prints what Prometheus, Alertmanager and both receivers had seen.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Report } from '../../src/core/model/report.ts';
import { DRIFT_SQL, http } from '../agent/support.ts';
import { rulesWithoutFor, TEMPLATES_DIR, TEST_TIMERS } from './alerting-config.ts';
import type { ReceivedMail } from './smtp-receiver.ts';
import { ENVIRONMENT, startNotificationStack, TARGET, TEST_FOR, waitFor, type NotificationStack } from './stack.ts';
import type { ReceivedWebhook } from './webhook-receiver.ts';

type Node = Record<string, unknown>;

/** The Slack message Alertmanager posts (the fields our receivers set). */
interface SlackAttachment {
  title: string;
  title_link: string;
  text: string;
  fallback: string;
  color: string;
}
interface SlackPayload {
  channel?: string;
  username?: string;
  attachments: SlackAttachment[];
}

let stack: NotificationStack;

beforeAll(async () => {
  stack = await startNotificationStack();
}, 40_000);

afterAll(async () => {
  await stack?.close();
}, 30_000);

async function latestReport(): Promise<Report> {
  const res = await http(stack.agent.url, `/api/v1/targets/${TARGET}/reports/latest`);
  expect(res.status, res.text).toBe(200);
  return res.json<Report>();
}

/** Prometheus' instant query result as [labels, value] pairs. */
async function promQuery(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await http(stack.prometheus.url, `/api/v1/query?query=${encodeURIComponent(query)}`);
  expect(res.status, res.text).toBe(200);
  return res.json<{ data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>().data.result;
}

async function promAlerts(): Promise<{ labels: Record<string, string>; state: string }[]> {
  const res = await http(stack.prometheus.url, '/api/v1/alerts');
  return res.json<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>().data.alerts;
}

async function amAlerts(): Promise<{ labels: Record<string, string>; status: { state: string } }[]> {
  return (await http(stack.alertmanager.url, '/api/v2/alerts')).json();
}

function slackMessages(status: 'FIRING' | 'RESOLVED'): { request: ReceivedWebhook; payload: SlackPayload }[] {
  return stack.slack.requests
    .map((request) => ({ request, payload: request.json as SlackPayload }))
    .filter(({ payload }) => payload?.attachments?.[0]?.title.startsWith(`[${status}`));
}

function mails(status: 'FIRING' | 'RESOLVED'): ReceivedMail[] {
  return stack.smtp.messages.filter((m) => m.subject.startsWith(`[${status}`));
}

/** Checks that failed during the test (a check overlapping hand-typed DDL can): shown, not failed on (see TEST_FOR). */
async function logFailedChecks(): Promise<void> {
  const rows = (await http(stack.agent.url, `/api/v1/targets/${TARGET}/reports?limit=500`)).json<Record<string, unknown>[]>();
  const failed = rows.filter((r) => r.status === 'error').map((r) => `#${String(r.report_id)} ${String(r.error_reason)}: ${String(r.error_message)}`);
  console.log(`${rows.length} checks, ${failed.length} failed${failed.length ? `:\n${failed.join('\n')}` : ''}`);
}

/** "3 changes (1 extra, 1 missing, 1 changed)", from the report: what the summary annotation must say. */
function countsText(report: Report): string {
  const { total, extra, missing, changed } = report.counts;
  return `${total} changes (${extra} extra, ${missing} missing, ${changed} changed)`;
}

/** "column changed 1, constraint missing 1, index extra 1", from the report: the description's by-kind list. */
function byKindText(report: Report): string {
  const parts: string[] = [];
  for (const [kind, counts] of Object.entries(report.counts.byKind).sort(([a], [b]) => a.localeCompare(b))) {
    for (const action of ['extra', 'missing', 'changed'] as const) if (counts[action] > 0) parts.push(`${kind} ${action} ${counts[action]}`);
  }
  return parts.join(', ');
}

/** A route tree without the timers the test shortens, for comparing routing structure. */
function withoutTimers(route: Node): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(route)) {
    if (key in TEST_TIMERS) continue;
    out[key] = key === 'routes' ? (value as Node[]).map(withoutTimers) : value;
  }
  return out;
}

/** Receivers without the destination and credential keys the test replaces. */
function withoutDestinations(receivers: Node[]): Node[] {
  const drop = new Set(['api_url', 'api_url_file', 'smarthost', 'require_tls', 'auth_username', 'auth_password', 'auth_password_file', 'auth_secret', 'auth_identity']);
  const clean = (configs: unknown) => (configs as Node[] | undefined)?.map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !drop.has(k))));
  return receivers.map((r) => ({ ...r, slack_configs: clean(r.slack_configs), email_configs: clean(r.email_configs) }));
}

describe('drift notifications through Prometheus and Alertmanager', () => {
  it("runs the repo's rules, routes and templates, changed only in timers and destinations", () => {
    const repoRules = YAML.parse(stack.files.rules) as unknown;
    const testRules = YAML.parse(stack.files.testRules) as { groups: { rules: Node[] }[] };
    const shortened = Object.keys(TEST_FOR);
    expect(rulesWithoutFor(testRules, shortened)).toEqual(rulesWithoutFor(repoRules, shortened));
    const testFor = Object.fromEntries(testRules.groups.flatMap((g) => g.rules).map((r) => [r.alert, r.for]));
    for (const [alert, duration] of Object.entries(TEST_FOR)) expect(testFor[alert], alert).toBe(duration);
    expect(stack.forRewrites.map((r) => r.alert)).toEqual(shortened);
    console.log(`rules: ${stack.forRewrites.map((r) => `${r.alert} for: ${r.from} -> ${r.to}`).join(', ')}; every other field as in the repo`);

    const repo = YAML.parse(stack.files.alertmanager) as Node;
    const test = YAML.parse(stack.files.testAlertmanager) as Node;
    expect(withoutTimers(test.route as Node)).toEqual(withoutTimers(repo.route as Node));
    expect(test.inhibit_rules).toEqual(repo.inhibit_rules);
    expect(withoutDestinations(test.receivers as Node[])).toEqual(withoutDestinations(repo.receivers as Node[]));
    // Resolved notifications are part of what this test proves: the repo's receivers must ask for them.
    for (const receiver of repo.receivers as Node[]) {
      for (const config of [...((receiver.slack_configs as Node[]) ?? []), ...((receiver.email_configs as Node[]) ?? [])]) {
        expect(config.send_resolved, `${String(receiver.name)}: send_resolved`).toBe(true);
      }
    }
    const templates = test.templates as string[];
    expect(templates.length).toBeGreaterThan(0);
    for (const glob of templates) expect(glob.startsWith(`${TEMPLATES_DIR}/`), glob).toBe(true);
    expect(existsSync(TEMPLATES_DIR)).toBe(true);
  });

  it('in sync: Prometheus scrapes the target and evaluates the rules, and nothing fires', async () => {
    expect((await latestReport()).status).toBe('in_sync');
    await waitFor(stack, 'Prometheus to scrape schema_drift_detected 0', 10_000, async () => {
      const result = await promQuery(`schema_drift_detected{target="${TARGET}"}`);
      return result[0]?.value[1] === '0' ? true : undefined;
    });
    // Three evaluations after the scrape (the test's `for` is 1s): an alert that was going to fire would have.
    const seen = Date.now();
    await waitFor(stack, 'three rule evaluations after the first scrape', 10_000, async () => {
      const res = await http(stack.prometheus.url, '/api/v1/rules?type=alert');
      const groups = res.json<{ data: { groups: { lastEvaluation: string; rules: { health: string; lastError?: string }[] }[] } }>().data.groups;
      expect(groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok' && r.health !== 'unknown')).toEqual([]);
      return groups.every((g) => Date.parse(g.lastEvaluation) > seen + 3_000) ? true : undefined;
    });
    expect(await promAlerts()).toEqual([]);
    expect(await amAlerts()).toEqual([]);
    expect(stack.slack.requests).toEqual([]);
    expect(stack.smtp.messages).toEqual([]);
  }, 20_000);

  let drifted: Report;

  it('a drift typed by hand reaches Slack and the inbox, naming the target and the counts by kind', async () => {
    await stack.database.exec(await readFile(DRIFT_SQL, 'utf8'));
    drifted = await waitFor(stack, 'a check that reports the drift', 10_000, async () => {
      const report = await latestReport();
      return report.status === 'drift' ? report : undefined;
    });
    // The example drift: a retyped column, an index added, a check constraint dropped.
    expect(byKindText(drifted)).toBe('column changed 1, constraint missing 1, index extra 1');
    const title = `[FIRING:1] Schema drift on ${TARGET}: ${countsText(drifted)} [${ENVIRONMENT}]`;

    const [slack] = await waitFor(stack, 'the firing Slack message', 20_000, () => (slackMessages('FIRING').length ? slackMessages('FIRING') : undefined));
    const [mail] = await waitFor(stack, 'the firing email', 10_000, () => (mails('FIRING').length ? mails('FIRING') : undefined));
    console.log(`Slack payload (firing), POST ${slack!.request.path}:\n${slack!.request.raw}`);
    console.log(`Email subject (firing): ${mail!.subject}\n${mail!.parts['text/plain']}`);

    // Routed by severity (the drift rule says warning) to the warning receiver, which has both Slack and email.
    expect(slack!.request.path).toBe('/slack/schema-drift-warning');
    const attachment = slack!.payload.attachments[0]!;
    expect(attachment.title).toBe(title);
    expect(attachment.color).toBe('warning');
    expect(attachment.text).toContain(`*WARNING* Schema drift on ${TARGET}: ${countsText(drifted)}`);
    expect(attachment.text).toContain(`Target: \`${TARGET}\` · environment: \`${ENVIRONMENT}\``);
    expect(attachment.text).toContain(`By kind: ${byKindText(drifted)}.`);
    // The title links to the agent's latest report, and that link works.
    expect(attachment.title_link).toBe(`${stack.agent.url}/api/v1/targets/${TARGET}/reports/latest`);
    const linked = await fetch(attachment.title_link);
    expect(((await linked.json()) as Report).status).toBe('drift');

    expect(mail!.subject).toBe(title);
    const receivers = (YAML.parse(stack.files.alertmanager) as { receivers: { name: string; email_configs?: { to: string }[] }[] }).receivers;
    const warningEmail = receivers.find((r) => r.name === 'schema-drift-warning')?.email_configs?.[0]?.to;
    expect(mail!.to).toEqual([warningEmail]);
    const text = mail!.parts['text/plain'] ?? '';
    expect(text).toContain(`WARNING: Schema drift on ${TARGET}: ${countsText(drifted)}`);
    expect(text).toMatch(new RegExp(`Target: +${TARGET}\\n +Environment: +${ENVIRONMENT}\\n +Alert: +SchemaDriftDetected`));
    expect(text).toContain(`By kind: ${byKindText(drifted)}.`);
    expect(mail!.parts['text/html']).toContain(`<h2 style="font-size: 18px;">${title}</h2>`);
  }, 30_000);

  it("the agent's reconcile SQL reverts the drift, and the resolved notification reaches Slack and the inbox", async () => {
    expect(drifted, 'the drift step ran').toBeDefined();
    // The drift report's own SQL, not `latest`: a check overlapping the drift DDL may have failed since (see TEST_FOR),
    // and a failed check's report has no reconcile SQL.
    const reconcile = await http(stack.agent.url, `/api/v1/targets/${TARGET}/reports/${drifted.id}/reconcile.sql`);
    expect(reconcile.status).toBe(200);
    // It undoes all three hand-made changes (the planner's statements; their exact text is the planner tests' job).
    for (const name of ['users', 'invoices_issued_at_idx', 'invoices_amount_positive']) expect(reconcile.text).toContain(name);
    await stack.database.exec(reconcile.text);
    await waitFor(stack, 'a check in sync again', 10_000, async () => ((await latestReport()).status === 'in_sync' ? true : undefined));

    const [slack] = await waitFor(stack, 'the resolved Slack message', 20_000, () => (slackMessages('RESOLVED').length ? slackMessages('RESOLVED') : undefined));
    const [mail] = await waitFor(stack, 'the resolved email', 10_000, () => (mails('RESOLVED').length ? mails('RESOLVED') : undefined));
    console.log(`Slack payload (resolved), POST ${slack!.request.path}:\n${slack!.request.raw}`);
    console.log(`Email subject (resolved): ${mail!.subject}\n${mail!.parts['text/plain']}`);

    const title = `[RESOLVED] Schema drift on ${TARGET}: ${countsText(drifted)} [${ENVIRONMENT}]`;
    const attachment = slack!.payload.attachments[0]!;
    expect(slack!.request.path).toBe('/slack/schema-drift-warning');
    expect(attachment.title).toBe(title);
    expect(attachment.color).toBe('good');
    expect(attachment.text).toContain(`*RESOLVED* Schema drift on ${TARGET}`);
    expect(mail!.subject).toBe(title);
    expect(mail!.parts['text/plain']).toMatch(/^RESOLVED: Schema drift on /);
    expect(mail!.parts['text/plain']).toMatch(/Resolved: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    // One firing and one resolved message each: the group was not re-sent in between.
    expect([slackMessages('FIRING').length, mails('FIRING').length]).toEqual([1, 1]);
    expect((await promAlerts()).filter((a) => a.labels.alertname === 'SchemaDriftDetected')).toEqual([]);
    await logFailedChecks();
  }, 30_000);
});
