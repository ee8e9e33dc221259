/**
 * The alert rules' runbook_url points at the exporter's /runbook#<alertname>: the page must exist and carry an anchor
 * for every alert of both rule files.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { headingId, renderRunbookPage } from '../../src/http/runbook.ts';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

interface PromRules {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}

describe('runbook page', () => {
  const page = renderRunbookPage();

  it('renders headings with the anchors the rules link to', () => {
    expect(headingId('SchemaDriftDetected')).toBe('schemadriftdetected');
    expect(page).toContain('<h2 id="schemadriftdetected">SchemaDriftDetected</h2>');
  });

  it('has a section for every alert, and every runbook_url points at /runbook#<its anchor>', () => {
    const rules = parse(readFileSync(root('alerts/prometheus/schema-drift.rules.yml'), 'utf8')) as PromRules;
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThanOrEqual(5);
    for (const rule of alerts) {
      const anchor = headingId(rule.alert!);
      expect(page, rule.alert).toContain(`id="${anchor}"`);
      expect(rule.annotations?.runbook_url).toBe(`http://{{ $labels.instance }}/runbook#${anchor}`);
    }
    const grafana = readFileSync(root('alerts/grafana/alert-rules.yaml'), 'utf8');
    const urls = [...grafana.matchAll(/runbook_url: (.+)/g)].map((m) => m[1]!.trim().replace(/^['"]|['"]$/g, ''));
    expect(urls.length).toBe(alerts.length);
    for (const url of urls) expect(page).toContain(`id="${url.split('#')[1]}"`);
  });
});
