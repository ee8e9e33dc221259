/**
 * A report's drift as the next migration of the target's directory (`/reports/:id/migration`): the keep plan the
 * check stored (`Report.keep`), the reconcile plan as its down part, named after the directory as it is now. The
 * version is computed from the report's finish time. It is served only while the directory is the one the check
 * replayed (`Report.keep.directoryHash`): an older report's plan against today's directory would be wrong. Anything
 * that makes a migration wrong (no drift, pending migrations, a dirty revision table, a changed directory, a command
 * source, a format that is not written) is a 409 saying why; nothing is written on the agent's side.
 */
import type { TargetConfig } from '../config/types.ts';
import { SchemaDriftError } from '../core/errors.ts';
import type { Report } from '../core/model/report.ts';
import { keepMigration } from '../engine/keep.ts';
import { readMigrationDirectory } from '../migrations/index.ts';
import type { NextMigration } from '../migrations/next-migration.ts';
import { HttpError } from './params.ts';

/** The next migration that keeps `report`'s drift in `target`'s directory. @throws HttpError 409 with the reason. */
export async function reportMigration(target: TargetConfig, report: Report): Promise<NextMigration> {
  const refuse = (why: string): never => {
    throw new HttpError(409, `report ${report.id} of target ${JSON.stringify(target.name)}: no migration: ${why}`);
  };
  if (target.desired.command) refuse('the desired state is built by a migration command, not read from a migration directory');
  if (report.status === 'error') refuse('the check failed');
  if (report.changes.length === 0) refuse('no drift');
  if (!report.keep) refuse('the report was stored before migrations were kept in reports; run a check');
  const keep = report.keep as NonNullable<Report['keep']>;
  try {
    const directory = await readMigrationDirectory(target.desired.dir, target.desired.format ? { format: target.desired.format } : {});
    // The plan was computed from the directory as the check read it: with another directory it would be wrong.
    if (keep.directoryHash === undefined) refuse('the report does not record which migration directory it was computed from; run a check');
    if (keep.directoryHash !== directory.hash) {
      refuse('the migration directory changed since this check (a migration was added, removed or edited); run a check and download the new report\'s migration');
    }
    return await keepMigration({
      directory,
      source: `target ${target.name} (report ${report.id})`,
      keep: keep.error !== undefined ? { error: keep.error } : keep.statements,
      undo: report.reconcile.error !== undefined ? { error: report.reconcile.error } : report.reconcile.statements,
      revision: report.revision,
      pending: report.pending,
      name: 'keep_hotfix',
      now: new Date(report.finishedAt),
    });
  } catch (err) {
    // Only the message: the error's file context is a path on the agent's host.
    if (err instanceof SchemaDriftError) return refuse(err.message);
    throw err;
  }
}

/** `Content-Disposition` file name of a migration file: its base name (a Prisma folder's name joined with `_`). */
export function migrationFileName(relativePath: string): string {
  return relativePath.replace(/\//g, '_').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * `X-Migration-Path` of a migration file: its path in the directory, each segment percent-encoded as UTF-8
 * (`encodeURIComponent`, `/` kept between segments). A header value must be Latin-1 text; a folder named in another
 * script (a Sqitch `top_dir`) would otherwise throw and answer 500. Decode with `decodeURIComponent`.
 */
export function migrationPathHeader(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}
