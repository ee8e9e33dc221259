import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { INFINITY_UID, PROMETHEUS_UID, PROMTOOL, arr, obj, readRepoJson, readRepoText, runTool, str } from './repo.ts';

const FILES = ['schema-drift-overview', 'schema-drift-target'];
const PLUGIN_ID = str(obj(readRepoJson('grafana-plugin/src/plugin.json'), 'plugin.json').id, 'plugin id');
/** The plugin's frame contract: one query per flat view, refId = view name (grafana-plugin/src/data/frames.ts). */
const PANEL_REF_IDS = ['targets', 'tables', 'columns', 'relations', 'changes', 'sql', 'statements'];

const dashboards = FILES.map((file) => ({ file, json: obj(readRepoJson(`dashboards/${file}.json`), file) }));
const panels = (json: Record<string, unknown>) => arr(json.panels, 'panels').map((p) => obj(p, 'panel'));
const targets = (panel: Record<string, unknown>) => arr(panel.targets ?? [], 'targets').map((t) => obj(t, 'target'));

describe.each(dashboards)('dashboards/$file.json', ({ file, json }) => {
  it('is file-provisionable: fixed uid = file name, schemaVersion 42, no __inputs, unique panel ids', () => {
    expect(json.uid).toBe(file);
    expect(json.schemaVersion).toBe(42);
    expect(json).not.toHaveProperty('__inputs');
    expect(readRepoText(`dashboards/${file}.json`)).not.toContain('${DS_');
    const ids = panels(json).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refers to data sources by the provisioned uids only', () => {
    for (const panel of panels(json)) {
      const uids = [panel.datasource, ...targets(panel).map((t) => t.datasource)].map((d) => obj(d, 'datasource').uid);
      for (const uid of uids) {
        expect([PROMETHEUS_UID, INFINITY_UID]).toContain(uid);
      }
    }
    const variables = arr(obj(json.templating, 'templating').list, 'list').map((v) => obj(v, 'variable'));
    for (const variable of variables.filter((v) => v.type === 'query')) {
      expect(obj(variable.datasource, 'datasource').uid).toBe(PROMETHEUS_UID);
    }
  });

  it('Infinity queries read exporter API paths, relative to the data source URL', () => {
    const routes = readRepoText('docs/report-format.md');
    for (const panel of panels(json)) {
      for (const target of targets(panel).filter((t) => obj(t.datasource, 'ds').uid === INFINITY_UID)) {
        const url = str(target.url, 'url');
        expect(url).toMatch(/^\/api\/v1\//);
        expect(target.parser).toBe('backend');
        expect(target.root_selector).toBe('');
        // Written as docs/report-format.md writes its routes (`:name`, `:id`), the path is a documented one.
        const route = (url.split('?')[0] ?? '').replace('$target', ':name').replace('$report', ':id');
        expect(routes).toContain(`\`${route}`);
      }
    }
  });
});

describe('the dashboards together', () => {
  const overview = dashboards[0]?.json ?? {};
  const target = dashboards[1]?.json ?? {};

  it('the overview filters by environment and target, and shows every per-target figure the issue asks for', () => {
    const names = arr(obj(overview.templating, 't').list, 'list').map((v) => obj(v, 'v').name);
    expect(names).toEqual(['environment', 'target']);
    const table = panels(overview).find((p) => p.title === 'Targets');
    const exprs = targets(table ?? {}).map((t) => str(t.expr, 'expr'));
    for (const metric of ['schema_drift_detected', 'schema_drift_changes', 'schema_drift_drift_since_timestamp_seconds', 'schema_drift_pending_migrations', 'schema_drift_last_success_timestamp_seconds']) {
      expect(exprs.some((e) => e.includes(metric))).toBe(true);
    }
    for (const expr of exprs) {
      expect(expr).toContain('target=~"$target",environment=~"$environment"');
    }
    const titles = panels(overview).map((p) => p.title);
    expect(titles).toContain('Changes over time');
    expect(titles).toContain('Check failures by reason');
  });

  it('the target dashboard feeds the plugin one Infinity query per view of the picked report', () => {
    const panel = panels(target).find((p) => p.type === PLUGIN_ID);
    expect(panel).toBeDefined();
    const refIds = targets(panel ?? {}).map((t) => t.refId);
    expect(refIds).toEqual(PANEL_REF_IDS);
    for (const t of targets(panel ?? {}).filter((q) => q.refId !== 'targets')) {
      expect(str(t.url, 'url')).toMatch(/^\/api\/v1\/targets\/\$target\/reports\/\$report\//);
    }
    const variables = arr(obj(target.templating, 't').list, 'list').map((v) => obj(v, 'v'));
    const report = variables.find((v) => v.name === 'report');
    expect(report?.query).toBe('latest');
    expect(obj(report?.current, 'current').value).toBe('latest');
    // The panel's links go to the exporter as the browser reaches it (the compose demo publishes port 9772).
    expect(obj(panel?.options, 'options').exporterUrl).toBe('$exporter_url');
    expect(variables.find((v) => v.name === 'exporter_url')?.query).toBe('http://localhost:9772');
    // Picking a report in the history table sets the variable.
    const history = panels(target).find((p) => p.title === 'Reports');
    expect(JSON.stringify(history?.fieldConfig)).toContain('var-report=${__value.raw}');
    const timeline = panels(target).find((p) => p.type === 'state-timeline');
    expect(str(targets(timeline ?? {})[0]?.url, 'url')).toBe('/api/v1/targets/$target/transitions?limit=500');
  });

  it('the status column ranks error > dirty > drift > pending > in sync > not checked, as the reports do', () => {
    const status = panels(target).find((p) => p.title === 'Status');
    const expr = str(targets(status ?? {})[0]?.expr, 'expr');
    // One target per status; promtool evaluates the dashboard's expression on them.
    const series = (metric: string, values: Record<string, number>) =>
      Object.entries(values).map(([name, value]) => ({ series: `${metric}{target="${name}"}`, values: `${value}x5` }));
    const names = { unchecked: 0, error: 0, dirty: 0, drift: 0, pending: 0, in_sync: 0 };
    const input = [
      ...series('schema_drift_last_check_timestamp_seconds', { ...names, error: 200, dirty: 100, drift: 100, pending: 100, in_sync: 100 }),
      ...series('schema_drift_last_success_timestamp_seconds', { ...names, error: 100, dirty: 100, drift: 100, pending: 100, in_sync: 100 }),
      ...series('schema_drift_migration_dirty', { ...names, error: 1, dirty: 1 }),
      ...series('schema_drift_detected', { ...names, error: 1, dirty: 1, drift: 1 }),
      ...series('schema_drift_pending_migrations', { ...names, dirty: 2, pending: 2 }),
      ...series('schema_drift_target_up', { ...names, error: 0, dirty: 1, drift: 1, pending: 1, in_sync: 1 }),
    ];
    const expected = { unchecked: -1, error: 4, dirty: 3, drift: 2, pending: 1, in_sync: 0 };
    const dir = mkdtempSync(path.join(tmpdir(), 'sd-status-'));
    try {
      writeFileSync(path.join(dir, 'empty.rules.yml'), JSON.stringify({ groups: [] }));
      const test = {
        rule_files: ['empty.rules.yml'],
        evaluation_interval: '1m',
        tests: [{
          interval: '1m',
          input_series: input,
          promql_expr_test: Object.entries(expected).map(([name, value]) => ({
            expr: expr.replaceAll('"$target"', `"${name}"`),
            eval_time: '2m',
            exp_samples: [{ labels: `{target="${name}"}`, value }],
          })),
        }],
      };
      writeFileSync(path.join(dir, 'status.test.yml'), JSON.stringify(test));
      const run = runTool(PROMTOOL, ['test', 'rules', 'status.test.yml'], dir);
      expect(run.stdout + run.stderr).toContain('SUCCESS');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every schema_drift_ series a query reads is deduplicated across replicas (max without (instance, pod))', () => {
    // N replicas export the same stored figures: a bare selector would count each N times. Counters (`_total`) count
    // what each process did, so summing them across replicas is right.
    const bare = dashboards.flatMap(({ file, json }) =>
      panels(json).flatMap((panel) =>
        targets(panel)
          .filter((t) => obj(t.datasource, 'ds').uid === PROMETHEUS_UID)
          .flatMap((t) => {
            const expr = str(t.expr, 'expr');
            const selectors = [...expr.matchAll(/\bschema_drift_(?!report_save|store_claim|build_info)[a-z_]+\b/g)];
            return selectors
              .filter((m) => !m[0].endsWith('_total') && !expr.slice(0, m.index).endsWith('max without (instance, pod) ('))
              .map((m) => `${file} panel ${String(panel.id)}: ${m[0]}`);
          }),
      ),
    );
    expect(bare).toEqual([]);
  });

  it('every PromQL query of both dashboards parses (promtool, variables replaced)', () => {
    const rules = dashboards.flatMap(({ file, json }) =>
      panels(json).flatMap((panel) =>
        targets(panel)
          .filter((t) => obj(t.datasource, 'ds').uid === PROMETHEUS_UID)
          .map((t) => ({
            record: `check:${file.replaceAll('-', '_')}_${String(panel.id)}_${String(t.refId)}`,
            expr: str(t.expr, 'expr').replaceAll('$__rate_interval', '5m').replaceAll('$environment', '.*').replaceAll('$target', 'production'),
          })),
      ),
    );
    expect(rules.length).toBeGreaterThan(10);
    const dir = mkdtempSync(path.join(tmpdir(), 'sd-promql-'));
    try {
      const file = path.join(dir, 'queries.yml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
      const run = runTool(PROMTOOL, ['check', 'rules', file]);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
