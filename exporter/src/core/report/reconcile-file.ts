/**
 * The reconcile script as a file a person downloads (`/reports/:id/reconcile.sql`): the stored SQL behind a header of
 * SQL comments that says what it is for — target, report, when, status, how many statements and which hazards — so a
 * file found later in a ticket or a pull request explains itself. A report with nothing to reconcile, or whose plan
 * failed, still gets a file that says so instead of an empty one.
 */
import type { Report } from '../model/report.ts';
import { sqlComment } from '../render/sql-comment.ts';

/** The downloadable reconcile script of `report`. */
export function reconcileFile(report: Report): string {
  const { reconcile } = report;
  const lines = [
    sqlComment(`schema-drift reconcile script for target ${report.target} (${report.engine.dialect})`),
    `-- report ${report.id}, check finished ${report.finishedAt}, status ${report.status}`,
  ];
  if (report.revision) {
    const version = report.revision.version ?? 'none';
    lines.push(`-- migrations: ${report.revision.tool} (${report.revision.table}), deployed version ${version}${report.revision.dirty ? ', DIRTY' : ''}`);
  }
  if (reconcile.error !== undefined) {
    lines.push(sqlComment(`no script: the planner could not render a change: ${reconcile.error}`));
  } else if (reconcile.statements.length === 0) {
    lines.push(report.status === 'error' ? '-- no script: the check failed (see the report\'s error)' : '-- nothing to reconcile: the database matches its migrations');
  } else {
    lines.push(
      `-- ${reconcile.statements.length} statement${reconcile.statements.length === 1 ? '' : 's'} that bring the database back to its migrations; hazards: ${hazardSummary(report)}`,
      '-- Review it before running it: nothing here has been run. Each statement is preceded by its change and hazards.',
    );
  }
  const header = `${lines.join('\n')}\n`;
  return reconcile.sql === '' ? header : `${header}\n${reconcile.sql}`;
}

/** `data_loss ×1, heavy_lock ×2`, or `none`. */
function hazardSummary(report: Report): string {
  const counts = new Map<string, number>();
  for (const statement of report.reconcile.statements) {
    for (const hazard of statement.hazards) counts.set(hazard, (counts.get(hazard) ?? 0) + 1);
  }
  if (counts.size === 0) return 'none';
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([hazard, n]) => `${hazard} ×${n}`).join(', ');
}
