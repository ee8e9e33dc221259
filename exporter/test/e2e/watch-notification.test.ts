/**
 * From a hand-made DDL to Slack and email with the timers as shipped: the real agent with a one-day schedule and a
 * 5 s `watch` on a real PostgreSQL target, Prometheus running the repo's rules unchanged (`SchemaDriftDetected`
 * keeps its `for: 2m`), Alertmanager with the repo's routing, templates and timers (the warning route's
 * `group_wait: 15s`), delivering to a local Slack-compatible webhook and a local SMTP server. Only Prometheus' scrape
 * and evaluation intervals are the test's (1 s, `alerting-config.ts`), and the receivers' destinations.
 *
 * An `ALTER TABLE` typed by hand must reach both, naming the target. The time from the DDL to each step (the agent's
 * metric, the alert pending, firing, the Slack post, the email) is printed, not asserted: the README's timeline
 * quotes it. Bounds: start 40 s, then one deadline of 300 s for the whole path (2 min of `for` plus 15 s of
 * `group_wait` plus the watch, a check and the deliveries, on a shared machine): each wait takes what remains of it
 * and names what it waited for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { http } from '../agent/support.ts';
import { RULES_FILE } from './alerting-config.ts';
import { ENVIRONMENT, startNotificationStack, TARGET, waitFor, type NotificationStack } from './stack.ts';

/** The whole path, from the first wait to the email. */
const PATH_DEADLINE_MS = 300_000;

/** Once a day at 03:00: no scheduled check runs during the test, so only the watch can start one. */
const DAILY = '0 3 * * *';

let stack: NotificationStack;

beforeAll(async () => {
  stack = await startNotificationStack({ schedule: DAILY, watch: '5s', ruleFor: {}, shippedTimers: true });
}, 40_000);

afterAll(async () => {
  await stack?.close();
}, 30_000);

async function promAlertState(): Promise<string | undefined> {
  const res = await http(stack.prometheus.url, '/api/v1/alerts');
  const alerts = res.json<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>().data.alerts;
  return alerts.find((a) => a.labels.alertname === 'SchemaDriftDetected' && a.labels.target === TARGET)?.state;
}

async function agentDetected(): Promise<string | undefined> {
  const text = (await http(stack.agent.url, '/metrics')).text;
  return new RegExp(`^schema_drift_detected\\{[^}]*target="${TARGET}"[^}]*\\} (\\d)`, 'm').exec(text)?.[1];
}

function seconds(from: number, to: number): string {
  return `${((to - from) / 1000).toFixed(1)} s`;
}

describe('a hand-made DDL reaches Slack and email with the shipped for and group_wait', () => {
  it('runs the shipped drift rule: for 2m, nothing rewritten', () => {
    expect(stack.forRewrites).toEqual([]);
    expect(YAML.parse(stack.files.testRules)).toEqual(YAML.parse(stack.files.rules));
    const rules = (YAML.parse(stack.files.rules) as { groups: { rules: { alert?: string; for?: string }[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.find((r) => r.alert === 'SchemaDriftDetected')?.for, RULES_FILE).toBe('2m');
    const am = YAML.parse(stack.files.testAlertmanager) as { route: { routes: { matchers: string[]; group_wait?: string }[] } };
    expect(am.route.routes.find((r) => r.matchers.includes('severity = "warning"'))?.group_wait).toBe('15s');
  });

  it('ALTER TABLE → schema_drift_detected 1 → pending → firing → Slack and email, naming the target', async () => {
    const deadline = Date.now() + PATH_DEADLINE_MS;
    /** What remains of the deadline (at least one poll), for the next wait, and what the message names. */
    const until = <T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> =>
      waitFor(stack, `${what} (what remained of the ${PATH_DEADLINE_MS / 1000} s deadline)`, Math.max(1_000, deadline - Date.now()), check);
    await until('Prometheus to scrape schema_drift_detected 0', async () => {
      const res = await http(stack.prometheus.url, `/api/v1/query?query=${encodeURIComponent(`schema_drift_detected{target="${TARGET}"}`)}`);
      const result = res.json<{ data: { result: { value: [number, string] }[] } }>().data.result;
      return result[0]?.value[1] === '0' ? true : undefined;
    });
    expect(await agentDetected()).toBe('0');

    const start = Date.now();
    await stack.database.exec('ALTER TABLE invoices ADD COLUMN typed_by_hand text');
    const times: Record<string, number> = {};
    const mark = (what: string): true => {
      times[what] ??= Date.now();
      return true;
    };
    await until('the agent to export schema_drift_detected 1', async () => ((await agentDetected()) === '1' ? mark('metric') : undefined));
    await until('the alert pending in Prometheus', async () => ((await promAlertState()) ? mark('pending') : undefined));
    await until('the alert firing in Prometheus', async () => ((await promAlertState()) === 'firing' ? mark('firing') : undefined));
    const slack = await until('the Slack post', () => stack.slack.requests.find((r) => /^\[FIRING/.test(String((r.json as { attachments?: { title?: string }[] })?.attachments?.[0]?.title))));
    const mail = await until('the email', () => stack.smtp.messages.find((m) => m.subject.startsWith('[FIRING')));

    const title = (slack.json as { attachments: { title: string; text: string }[] }).attachments[0]!;
    expect(title.title).toContain(`Schema drift on ${TARGET}`);
    expect(title.text).toContain(`Target: \`${TARGET}\` · environment: \`${ENVIRONMENT}\``);
    expect(slack.path).toBe('/slack/schema-drift-warning');
    expect(mail.subject).toContain(`Schema drift on ${TARGET}`);
    expect(mail.parts['text/plain']).toMatch(new RegExp(`Target: +${TARGET}\\n`));

    const timeline = [
      ['schema_drift_detected 1 on /metrics', times.metric!],
      ['alert pending in Prometheus', times.pending!],
      ['alert firing in Prometheus', times.firing!],
      ['Slack post received', slack.receivedAt.getTime()],
      ['email received', mail.receivedAt.getTime()],
    ] as const;
    console.log(
      `DDL → notification (watch 5s, schedule daily, scrape/eval 1s, for 2m, group_wait 15s), from the ALTER TABLE:\n` +
        timeline.map(([what, at]) => `  ${seconds(start, at).padStart(8)}  ${what}`).join('\n'),
    );
  }, PATH_DEADLINE_MS + 30_000); // the deadline, plus the diagnostics a failed wait gathers
});
