import type { PanelModel, ReportStatus } from './model.ts';

/**
 * Links from the panel to what the exporter serves over HTTP: the report (JSON), its reconcile script and the alert
 * runbook. A panel makes no requests of its own (the data comes through Infinity, server-side), and nothing in the
 * frames says where the exporter is as the viewer's browser sees it (Infinity's URL is the one Grafana's server
 * uses, e.g. `http://schema-drift:9772` on a compose network), so the address is a panel option, with dashboard
 * variables expanded like any option (`$exporter_url`). The paths restate the exporter's routes (`exporter/src/http/
 * links.ts`, `runbook.ts`): `tests/unit/links.test.ts` builds them with the exporter's own functions.
 */

/** The three links of a report. */
export interface ExporterLinks {
  /** The stored report, `/api/v1/targets/<name>/reports/<id>`. */
  report: string;
  /** Its reconcile script with its header, `…/reconcile.sql`. */
  reconcile: string;
  /** The runbook, at the section of the alert this status raises (`/runbook#schemadriftdetected`). */
  runbook: string;
}

/** Runbook section (heading id) of each status's alert; in sync and deploying raise none, so the runbook's top. */
export const RUNBOOK_SECTIONS: Record<ReportStatus, string> = {
  drift: 'schemadriftdetected',
  error: 'schemadriftcheckfailing',
  dirty: 'schemadriftmigrationdirty',
  pending: 'schemadriftmigrationspending',
  deploying: '',
  in_sync: '',
};

/**
 * The exporter's base URL from the option's value (variables already expanded): trimmed, without trailing slashes,
 * and only `http:`/`https:` (a `javascript:` or relative value gives no links). Null when unusable.
 */
export function exporterBase(value: string): string | null {
  const trimmed = value.trim().replace(/\/+$/, '');
  if (!trimmed) return null;
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? trimmed : null;
  } catch {
    return null;
  }
}

/**
 * Links of the report the panel shows: the SQL frame's report (the one the views read, also when `$report` picks an
 * older one), else the targets row's latest. Null without a usable base URL or a target.
 */
export function exporterLinks(baseUrl: string, model: Pick<PanelModel, 'header' | 'sql'>): ExporterLinks | null {
  const base = exporterBase(baseUrl);
  const target = model.sql?.target ?? model.header?.target ?? null;
  if (!base || !target) return null;
  const id = model.sql?.reportId ?? model.header?.reportId ?? null;
  const report = `${base}/api/v1/targets/${encodeURIComponent(target)}/reports/${id ?? 'latest'}`;
  const status = model.header?.status ?? model.sql?.status ?? null;
  const section = status ? RUNBOOK_SECTIONS[status] : '';
  return { report, reconcile: `${report}/reconcile.sql`, runbook: `${base}/runbook${section ? `#${section}` : ''}` };
}
