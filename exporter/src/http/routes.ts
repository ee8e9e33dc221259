/**
 * The report API under `/api/v1`. Every list is a JSON array of flat objects so Grafana's Infinity data source turns
 * it into a data frame without parsing options; full reports are the stored `Report` JSON (docs/report-format.md).
 */
import express, { type Response, type Router } from 'express';
import type { TargetConfig } from '../config/types.ts';
import type { Report } from '../core/model/report.ts';
import { reconcileFile } from '../core/report/reconcile-file.ts';
import {
  changeRows,
  erdColumnRows,
  erdRelationRows,
  erdTableRows,
  sqlRows,
  statementRows,
  targetRows,
} from '../core/report/views.ts';
import type { AppDeps, FleetReader, TargetDirectory } from './deps.ts';
import { fleetRow, variantRow } from './fleet-rows.ts';
import { reportPath, SQL_FILES, sqlFileName, type SqlFile } from './links.ts';
import { ManualCheckLimiter } from './manual-checks.ts';
import { migrationFileName, migrationPathHeader, reportMigration } from './migration-download.ts';
import type { MigrationFileOut } from '../migrations/next-migration.ts';
import { HttpError, parseBefore, parseLimit, parseReportRef, parseWait, type ReportRef } from './params.ts';
import { summaryOf, summaryRow } from './summary.ts';

/** The configured target a request is about, set by the `:name` parameter handler. */
function targetOf(res: Response): TargetConfig {
  return res.locals.target as TargetConfig;
}

/** One flat view of a report, per `/reports/:id/<path>`. */
const VIEWS: Record<string, (report: Report) => readonly object[]> = {
  changes: changeRows,
  'erd/tables': erdTableRows,
  'erd/columns': erdColumnRows,
  'erd/relations': erdRelationRows,
  sql: sqlRows,
  statements: statementRows,
};

/** What each SQL download serves: the DDL of each side as stored, the reconcile script with its header. */
const SQL_TEXT: Record<SqlFile, (report: Report) => string> = {
  desired: (r) => r.ddl.desired,
  current: (r) => r.ddl.current,
  reconcile: reconcileFile,
};

/** Builds the `/api/v1` router. */
export function apiRouter(deps: AppDeps): Router {
  const { config, store, scheduler } = deps;
  const byName = new Map(config.targets.map((t) => [t.name, t]));
  const targets: TargetDirectory = deps.targets ?? { list: () => config.targets, get: (name) => byName.get(name) };
  const fleets: FleetReader = deps.fleets ?? { names: [], variants: () => [], size: () => 0 };
  const manual = new ManualCheckLimiter(scheduler, config.manualCheckIntervalMs);
  const router = express.Router();

  // Runs before every route with `:name`: an unknown name ends here, before any store read or check.
  router.param('name', (_req, res, next, name: string) => {
    const target = targets.get(name);
    if (!target) throw new HttpError(404, `unknown target ${JSON.stringify(name)}`);
    res.locals.target = target;
    next();
  });

  async function loadReport(target: string, ref: ReportRef): Promise<Report> {
    const report = ref === 'latest' ? await store.latest(target) : await store.get(target, ref);
    // The target check is defence in depth: a report of another target is never served under this name.
    if (!report || report.target !== target) {
      const what = ref === 'latest' ? 'no report yet' : `no report ${ref}`;
      throw new HttpError(404, `${what} for target ${JSON.stringify(target)}`);
    }
    return report;
  }

  router.get('/targets', async (_req, res) => {
    const list = targets.list();
    // One read of every target's newest id; each store parses only the reports its cache does not hold.
    const names = new Set(list.map((t) => t.name));
    const latest = store.latestAll
      ? (await store.latestAll()).filter((r) => names.has(r.target))
      : (await Promise.all(list.map((t) => store.latest(t.name)))).filter((r): r is Report => r !== null);
    res.json(targetRows(latest, list));
  });

  router.get('/fleets', (_req, res) => {
    res.json(fleets.names.map((fleet) => fleetRow(fleet, fleets.size(fleet), fleets.variants(fleet))));
  });

  router.get('/fleets/:fleet/variants', (req, res) => {
    const fleet = req.params.fleet;
    if (!fleets.names.includes(fleet)) throw new HttpError(404, `no discovering target named ${JSON.stringify(fleet)}`);
    res.json(fleets.variants(fleet).map(variantRow));
  });

  router.get('/targets/:name/reports', async (req, res) => {
    const options = { limit: parseLimit(req.query.limit), beforeId: parseBefore(req.query.before) };
    res.json((await store.list(targetOf(res).name, options)).map(summaryRow));
  });

  router.get('/targets/:name/transitions', async (req, res) => {
    res.json(await store.transitions(targetOf(res).name, { limit: parseLimit(req.query.limit) }));
  });

  router.get('/targets/:name/reports/:id', async (req, res) => {
    res.json(await loadReport(targetOf(res).name, parseReportRef(req.params.id)));
  });

  for (const [path, view] of Object.entries(VIEWS)) {
    router.get(`/targets/:name/reports/:id/${path}`, async (req, res) => {
      res.json(view(await loadReport(targetOf(res).name, parseReportRef(req.params.id))));
    });
  }

  for (const file of SQL_FILES) {
    router.get(`/targets/:name/reports/:id/${file}.sql`, async (req, res) => {
      const report = await loadReport(targetOf(res).name, parseReportRef(req.params.id));
      res.set('Content-Type', 'application/sql; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="${sqlFileName(report.target, report.id, file)}"`);
      res.send(SQL_TEXT[file](report));
    });
  }

  // The drift kept as the next migration of the target's directory (migration-download.ts): the migration file itself,
  // and every file it takes (down file, atlas.sum, drizzle journal) as JSON rows.
  router.get('/targets/:name/reports/:id/migration', async (req, res) => {
    const target = targetOf(res);
    const next = await reportMigration(target, await loadReport(target.name, parseReportRef(req.params.id)));
    const main = next.files[0] as MigrationFileOut;
    res.set('Content-Type', 'application/sql; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="${migrationFileName(main.path)}"`);
    res.set('X-Migration-Path', migrationPathHeader(main.path));
    res.send(main.content);
  });

  router.get('/targets/:name/reports/:id/migration/files', async (req, res) => {
    const target = targetOf(res);
    const next = await reportMigration(target, await loadReport(target.name, parseReportRef(req.params.id)));
    res.json(next.files.map((f) => ({ format: next.format, version: next.version, path: f.path, replaces: f.replaces, content: f.content })));
  });

  // A check can take minutes: by default the response waits for the report; `?wait=false` answers 202 at once and
  // points at the latest report, which the check replaces when it finishes. Rate-limited per target (manual-checks.ts).
  router.post('/targets/:name/check', async (req, res) => {
    const wait = parseWait(req.query.wait);
    const name = targetOf(res).name;
    const outcome = manual.request(name);
    if ('retryAfterSeconds' in outcome) {
      res.set('Retry-After', String(outcome.retryAfterSeconds));
      throw new HttpError(429, `a manual check of target ${JSON.stringify(name)} is already queued; retry in ${outcome.retryAfterSeconds} s`);
    }
    const running = outcome.accepted;
    if (!wait) {
      running.catch((err: unknown) => deps.log?.error({ err, target: name }, 'http: check requested over the API failed'));
      const latest = reportPath(name, 'latest');
      res.status(202).location(latest).json({ target: name, accepted: true, report_url: latest });
      return;
    }
    res.json(summaryRow(summaryOf(await running)));
  });

  return router;
}
