import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  AMTOOL,
  PROMETHEUS_UID,
  PROMTOOL,
  arr,
  obj,
  readRepoJson,
  readRepoText,
  readRepoYaml,
  runTool,
  str,
} from './repo.ts';

const PROM_RULES = 'alerts/prometheus/schema-drift.rules.yml';
const GRAFANA_RULES = 'alerts/grafana/alert-rules.yaml';
const ALERT_NAMES = [
  'SchemaDriftDetected',
  'SchemaDriftCheckFailing',
  'SchemaDriftCheckStale',
  'SchemaDriftMigrationDirty',
  'SchemaDriftMigrationsPending',
];

interface PromRule {
  alert: string;
  expr: string;
  labels: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

function prometheusRules(): PromRule[] {
  const groups = arr(obj(readRepoYaml(PROM_RULES), PROM_RULES).groups, 'groups');
  return groups.flatMap((group) =>
    arr(obj(group, 'group').rules, 'rules').map((raw) => {
      const rule = obj(raw, 'rule');
      return {
        alert: str(rule.alert, 'alert'),
        expr: str(rule.expr, 'expr'),
        labels: obj(rule.labels, 'labels'),
        annotations: obj(rule.annotations, 'annotations'),
      };
    }),
  );
}

function grafanaRules(): Record<string, unknown>[] {
  const groups = arr(obj(readRepoYaml(GRAFANA_RULES), GRAFANA_RULES).groups, 'groups');
  return groups.flatMap((group) => arr(obj(group, 'group').rules, 'rules').map((rule) => obj(rule, 'rule')));
}

function grafanaQueries(rule: Record<string, unknown>): Record<string, unknown>[] {
  return arr(rule.data, `${String(rule.title)}.data`).map((query) => obj(query, 'query'));
}

/** The PromQL of a Grafana rule's query A. */
function queryA(rule: Record<string, unknown>): string {
  const a = grafanaQueries(rule).find((query) => query.refId === 'A');
  return str(obj(a?.model, `${String(rule.title)} A.model`).expr, `${String(rule.title)} A.model.expr`);
}

/** GitHub-style anchors of the runbook's headings. */
function runbookAnchors(): Set<string> {
  const headings = readRepoText('docs/runbook.md').match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((line) => line.replace(/^#+ /, '').toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
}

describe('Prometheus rules and Alertmanager configuration', () => {
  it('promtool check rules accepts the rules file', () => {
    const run = runTool(PROMTOOL, ['check', 'rules', PROM_RULES]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`SUCCESS: ${ALERT_NAMES.length} rules found`);
    expect(run.status).toBe(0);
  });

  it('promtool test rules passes every unit test (fires, stays quiet, resolves)', () => {
    const run = runTool(PROMTOOL, ['test', 'rules', 'alerts/prometheus/schema-drift.rules.test.yml']);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.stdout + run.stderr).not.toContain('FAILED');
    expect(run.status).toBe(0);
  });

  it('has a unit test group for every alert', () => {
    const tests = arr(obj(readRepoYaml('alerts/prometheus/schema-drift.rules.test.yml'), 'tests').tests, 'tests');
    const tested = new Set(
      tests.flatMap((test) => arr(obj(test, 'test').alert_rule_test, 'alert_rule_test').map((t) => obj(t, 'case').alertname)),
    );
    expect([...tested].sort()).toEqual([...ALERT_NAMES].sort());
  });

  it('amtool check-config accepts the Alertmanager configuration with its templates', () => {
    const run = runTool(AMTOOL, ['check-config', 'alerts/alertmanager/alertmanager.yml']);
    expect(run.stdout).toContain('SUCCESS');
    expect(run.stdout).toContain('1 templates');
    expect(run.status).toBe(0);
  });

  describe('rendered notification templates', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sd-amtool-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const alert = {
      status: 'firing',
      labels: { alertname: 'SchemaDriftDetected', target: 'production', environment: 'production', severity: 'warning' },
      annotations: {
        summary: 'Schema drift on production: 3 changes (1 extra, 1 missing, 1 changed)',
        description: 'By kind: column changed 1, constraint missing 1, index extra 1.',
        report_url: 'http://localhost:9772/api/v1/targets/production/reports/latest',
        runbook_url: 'https://example.org/runbook.md#schemadriftdetected',
      },
      startsAt: '2025-03-01T06:15:00Z',
      endsAt: '0001-01-01T00:00:00Z',
    };
    const render = (name: string, status: 'firing' | 'resolved'): string => {
      const data = {
        receiver: 'schema-drift-warning',
        status,
        alerts: [{ ...alert, status }],
        groupLabels: { target: 'production' },
        commonLabels: alert.labels,
        commonAnnotations: {},
        externalURL: 'http://alertmanager:9093',
      };
      const file = path.join(dir, `${status}.json`);
      writeFileSync(file, JSON.stringify(data));
      const run = runTool(AMTOOL, [
        'template',
        'render',
        '--template.glob=alerts/alertmanager/templates/*.tmpl',
        `--template.data=${file}`,
        `--template.text={{ template "${name}" . }}`,
      ]);
      expect(run.stderr).toBe('');
      return run.stdout;
    };

    it.each([
      ['firing', '[FIRING:1] Schema drift on production: 3 changes (1 extra, 1 missing, 1 changed) [production]'],
      ['resolved', '[RESOLVED] Schema drift on production: 3 changes (1 extra, 1 missing, 1 changed) [production]'],
    ] as const)('the %s title (email subject, Slack title) names target, counts and environment', (status, title) => {
      expect(render('schema_drift.title', status).trim()).toBe(title);
    });

    it('the Slack text carries the summary, the environment, the description and mrkdwn links', () => {
      const text = render('schema_drift.slack.text', 'firing');
      expect(text).toContain('*WARNING* Schema drift on production: 3 changes');
      expect(text).toContain('environment: `production`');
      expect(text).toContain('By kind: column changed 1');
      expect(text).toContain('<http://localhost:9772/api/v1/targets/production/reports/latest|Report>');
    });

    it('the email bodies carry the target, the environment and the report link', () => {
      const text = render('schema_drift.email.text', 'resolved');
      expect(text).toContain('RESOLVED: Schema drift on production');
      expect(text).toMatch(/Environment: production/);
      expect(text).toContain('Report:        http://localhost:9772/api/v1/targets/production/reports/latest');
      const html = render('schema_drift.email.html', 'firing');
      expect(html).toContain('<a href="http://localhost:9772/api/v1/targets/production/reports/latest">Report</a>');
    });
  });
});

describe('Grafana alert rules against the Prometheus rules', () => {
  const prom = prometheusRules();
  const grafana = grafanaRules();

  it('define the same alerts', () => {
    expect(prom.map((rule) => rule.alert).sort()).toEqual([...ALERT_NAMES].sort());
    expect(grafana.map((rule) => rule.title).sort()).toEqual([...ALERT_NAMES].sort());
  });

  it.each(ALERT_NAMES)('%s: query A is the Prometheus expression, same severity', (name) => {
    const p = prom.find((rule) => rule.alert === name);
    const g = grafana.find((rule) => rule.title === name);
    expect(p).toBeDefined();
    expect(g).toBeDefined();
    if (!p || !g) {
      return;
    }
    expect(queryA(g)).toBe(p.expr);
    expect(obj(g.labels, 'labels').severity).toBe(p.labels.severity);
    expect(['critical', 'warning', 'info']).toContain(p.labels.severity);
  });

  it.each(ALERT_NAMES)('%s: Grafana rule is well formed (condition, expressions, data sources, no-data)', (name) => {
    const rule = grafana.find((r) => r.title === name);
    if (!rule) {
      throw new Error(`no Grafana rule ${name}`);
    }
    const queries = grafanaQueries(rule);
    const refIds = new Set(queries.map((query) => str(query.refId, 'refId')));
    expect(refIds.size).toBe(queries.length);
    expect(refIds.has(str(rule.condition, 'condition'))).toBe(true);
    for (const query of queries) {
      const model = obj(query.model, 'model');
      expect(model.refId).toBe(query.refId);
      if (query.datasourceUid === '__expr__') {
        // Every expression reads refIds that exist: reduce/threshold name one, math writes $X.
        const inputs = model.type === 'math' ? [...str(model.expression, 'math').matchAll(/\$([A-Z]+)/g)].map((m) => m[1]) : [model.expression];
        expect(['reduce', 'threshold', 'math']).toContain(model.type);
        for (const input of inputs) {
          expect(refIds.has(str(input, 'expression input'))).toBe(true);
        }
      } else {
        expect(query.datasourceUid).toBe(PROMETHEUS_UID);
        expect(obj(model.datasource, 'datasource').uid).toBe(PROMETHEUS_UID);
        expect(model.instant).toBe(true);
      }
    }
    expect(rule.noDataState).toBe('OK');
    expect(str(rule.uid, 'uid')).toMatch(/^schema-drift-[a-z-]+$/);
  });

  it.each(ALERT_NAMES)('%s: annotations in both files: summary, description, runbook section, report link', (name) => {
    const anchors = runbookAnchors();
    const p = prom.find((rule) => rule.alert === name);
    const g = grafana.find((rule) => rule.title === name);
    for (const annotations of [p?.annotations, obj(g?.annotations, 'annotations')]) {
      const a = obj(annotations, `${name} annotations`);
      expect(str(a.summary, 'summary')).toContain('$labels.target');
      expect(str(a.description, 'description')).toContain('$labels.target');
      const runbook = str(a.runbook_url, 'runbook_url');
      expect(runbook.startsWith('http://{{ $labels.instance }}/runbook#'), runbook).toBe(true);
      expect(anchors.has(runbook.split('#')[1] ?? '')).toBe(true);
      expect(str(a.report_url, 'report_url')).toContain('/api/v1/targets/{{ $labels.target }}/reports/latest');
    }
  });

  it('Grafana annotations use only values the rule computes, and link to an existing dashboard panel', () => {
    for (const rule of grafana) {
      const annotations = obj(rule.annotations, 'annotations');
      const refIds = new Set(grafanaQueries(rule).map((query) => query.refId));
      const used = Object.values(annotations).flatMap((value) => [...String(value).matchAll(/\$values\.([A-Z]+)/g)].map((m) => m[1]));
      for (const refId of used) {
        expect(refIds.has(refId)).toBe(true);
      }
      const dashboard = obj(readRepoJson(`dashboards/${str(annotations.__dashboardUid__, '__dashboardUid__')}.json`), 'dashboard');
      expect(dashboard.uid).toBe(annotations.__dashboardUid__);
      const panelIds = arr(dashboard.panels, 'panels').map((panel) => String(obj(panel, 'panel').id));
      expect(panelIds).toContain(annotations.__panelId__);
    }
  });

  it('the drift summary counts by action and the sum of the counts, in both files', () => {
    const g = obj(grafana.find((rule) => rule.title === 'SchemaDriftDetected')?.annotations, 'annotations');
    const p = prom.find((rule) => rule.alert === 'SchemaDriftDetected');
    for (const summary of [str(g.summary, 'summary'), str(p?.annotations.summary, 'summary')]) {
      expect(summary).toMatch(/^Schema drift on \{\{ \$labels\.target \}\}: .* changes \(.* extra,\s+.* missing,\s+.* changed\)$/s);
    }
  });

  it('Grafana provisioning expands only the documented environment variables', () => {
    // `$labels`/`$values` live in rule annotations (not expanded) and `$E` in math models (read raw); anything else
    // with a `$` in these files is an environment variable that docker-compose.yml must set.
    const allowed = ['SCHEMA_DRIFT_ALERT_FOR', 'SCHEMA_DRIFT_PENDING_FOR', 'SLACK_WEBHOOK_URL', 'ALERT_EMAIL_TO'];
    for (const rule of grafana) {
      expect(JSON.stringify(rule.labels)).not.toContain('$');
      const forValue = str(rule.for, 'for');
      expect(forValue === '' || /^(\d+[smhd])+$/.test(forValue) || allowed.includes(forValue.replace(/^\$/, ''))).toBe(true);
    }
    for (const file of ['alerts/grafana/contact-points.yaml', 'alerts/grafana/notification-policies.yaml', 'alerts/grafana/notification-templates.yaml']) {
      const body = readRepoText(file).replace(/^\s*#.*$/gm, '');
      const vars = [...body.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
      for (const name of vars) {
        expect(allowed).toContain(name);
      }
    }
  });

  it('contact points use defined templates; policies route to defined contact points, grouped by target', () => {
    const templates = arr(obj(readRepoYaml('alerts/grafana/notification-templates.yaml'), 'templates').templates, 'templates');
    const defined = new Set(
      templates.flatMap((t) => [...str(obj(t, 'template').template, 'template').matchAll(/define "([^"]+)"/g)].map((m) => m[1])),
    );
    const contactPoints = arr(obj(readRepoYaml('alerts/grafana/contact-points.yaml'), 'cp').contactPoints, 'contactPoints');
    const names = new Set<string>();
    const types = new Set<string>();
    for (const cp of contactPoints.map((c) => obj(c, 'contact point'))) {
      names.add(str(cp.name, 'name'));
      for (const receiver of arr(cp.receivers, 'receivers').map((r) => obj(r, 'receiver'))) {
        types.add(str(receiver.type, 'type'));
        const used = [...JSON.stringify(receiver.settings).matchAll(/template \\"([^\\]+)\\"/g)].map((m) => m[1]);
        expect(used.length).toBeGreaterThan(0);
        for (const name of used) {
          expect(defined.has(name)).toBe(true);
        }
      }
    }
    expect([...types].sort()).toEqual(['email', 'slack']);
    const policy = obj(arr(obj(readRepoYaml('alerts/grafana/notification-policies.yaml'), 'p').policies, 'policies')[0], 'policy');
    expect(policy.group_by).toEqual(['target']);
    const routes = arr(policy.routes, 'routes').map((r) => obj(r, 'route'));
    for (const receiver of [policy.receiver, ...routes.map((r) => r.receiver)]) {
      expect(names.has(str(receiver, 'receiver'))).toBe(true);
    }
    const severities = routes.map((r) => JSON.stringify(r.object_matchers));
    for (const severity of ['critical', 'warning', 'info']) {
      expect(severities.some((m) => m.includes(`"${severity}"`))).toBe(true);
    }
  });
});
