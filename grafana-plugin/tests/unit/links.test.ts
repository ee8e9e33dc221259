/**
 * The panel's links to the exporter (`src/data/links.ts`) against the exporter's own routes: the report path from
 * `reportPath`, the reconcile download among `SQL_FILES`, and every runbook anchor a heading of the rendered runbook.
 */
import { describe, expect, it } from 'vitest';

import { reportPath, SQL_FILES } from '../../../exporter/src/http/links.ts';
import { renderRunbookPage } from '../../../exporter/src/http/runbook.ts';
import { exporterBase, exporterLinks, RUNBOOK_SECTIONS } from '../../src/data/links.ts';
import type { HeaderModel, ReportStatus, SqlModel } from '../../src/data/model.ts';

function header(target: string, status: ReportStatus | null, reportId: number | null): HeaderModel {
  return {
    target, status, checkedAt: null, durationMs: null, reportId, counts: null, pending: null, dirty: null,
    deployedVersion: null, migrationTool: null, error: null, displayUrl: null, source: 'targets',
  };
}

function sql(target: string, reportId: number): SqlModel {
  return {
    target, reportId, status: 'drift', desiredDdl: '', currentDdl: '', reconcileSql: '', reconcileError: null,
    statementCount: 0, hazards: [],
  };
}

describe('exporterLinks', () => {
  it('links the report the SQL frame shows, its reconcile script and the runbook section of its status', () => {
    const links = exporterLinks('https://drift.example.com/', { header: header('prod db', 'drift', 12), sql: sql('prod db', 7) });
    expect(links).toEqual({
      report: `https://drift.example.com${reportPath('prod db', 7)}`,
      reconcile: `https://drift.example.com${reportPath('prod db', 7)}/reconcile.sql`,
      runbook: 'https://drift.example.com/runbook#schemadriftdetected',
    });
    expect(SQL_FILES).toContain('reconcile');
  });

  it('without a SQL frame: the targets row\'s report, or latest before the first check', () => {
    expect(exporterLinks('http://h:9772', { header: header('a', 'error', 3), sql: null })?.report).toBe(`http://h:9772${reportPath('a', 3)}`);
    expect(exporterLinks('http://h:9772', { header: header('a', null, null), sql: null })).toMatchObject({
      report: `http://h:9772${reportPath('a', 'latest')}`,
      runbook: 'http://h:9772/runbook',
    });
  });

  it.each(['', '  ', 'schema-drift:9772', '/relative', 'javascript:alert(1)', 'ftp://h/'])('no links for base %j', (base) => {
    expect(exporterBase(base)).toBeNull();
    expect(exporterLinks(base, { header: header('a', 'drift', 1), sql: null })).toBeNull();
  });

  it('no links without a target', () => {
    expect(exporterLinks('http://h', { header: null, sql: null })).toBeNull();
  });

  it('every runbook section is a heading id of the rendered runbook', () => {
    const page = renderRunbookPage();
    for (const section of Object.values(RUNBOOK_SECTIONS).filter(Boolean)) expect(page).toContain(`id="${section}"`);
  });
});
