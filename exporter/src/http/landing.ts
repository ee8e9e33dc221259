/**
 * The landing page at `/`, like node_exporter's and postgres_exporter's: what this is, which version, and links to
 * everything. Every printed value is HTML-escaped. With credentials configured (bearer token, basic auth) the page
 * stays open but lists no targets (their names and latest status are API data, and the API is then protected). Open to the network without
 * a token, it lists them without their connection details (`exposure.ts`).
 */
import { stat } from 'node:fs/promises';
import type { TargetConfig } from '../config/types.ts';
import { migrationFormatOf, type MigrationFormat } from '../migrations/index.ts';
import { WRITABLE_FORMATS } from '../migrations/next-migration.ts';
import type { ReportSummary } from '../store/report-store.ts';
import type { AppDeps } from './deps.ts';
import { requiresCredentials } from './auth.ts';
import { HIDDEN, openToTheNetwork } from './exposure.ts';
import { API_PREFIX, reportPath, REPORT_VIEWS, SQL_FILES, targetPath } from './links.ts';

/** The document that describes the report JSON and the flat views. */
export const REPORT_FORMAT_DOC = 'docs/report-format.md';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

/** Detected formats per directory (and configured format), kept while the directory's modification time stays. */
const detected = new Map<string, { readonly mtimeMs: number; readonly format: MigrationFormat | undefined }>();

/**
 * Whether `target`'s next migration can be written at all (a directory in a format {@link WRITABLE_FORMATS} lists):
 * Liquibase, schema files and drizzle-kit folders always answer 409, so they get no link. The format is the
 * configured one, else detected from the directory's listing (cached until a file is added, removed or renamed).
 * An unreadable or undetectable directory gets no link either.
 */
async function writesMigrations(target: TargetConfig): Promise<boolean> {
  if (target.desired.command) return false;
  const { dir, format: configured } = target.desired;
  const mtimeMs = (await stat(dir).catch(() => undefined))?.mtimeMs;
  if (mtimeMs === undefined) return false;
  const key = `${configured ?? ''}\0${dir}`;
  let entry = detected.get(key);
  if (entry?.mtimeMs !== mtimeMs) {
    entry = { mtimeMs, format: await migrationFormatOf(dir, configured).catch(() => undefined) };
    detected.set(key, entry);
  }
  return entry.format !== undefined && WRITABLE_FORMATS.includes(entry.format);
}

function targetItem(target: TargetConfig, latest: ReportSummary | undefined, hideDetails: boolean, writable: boolean): string {
  const status = latest ? `${latest.status}, checked ${latest.finishedAt}` : 'not checked yet';
  const base = reportPath(target.name, 'latest');
  const views = Object.entries(REPORT_VIEWS).map(([path, label]) => link(`${base}/${path}`, label));
  const files = SQL_FILES.map((file) => link(`${base}/${file}.sql`, `${file}.sql`));
  // The drift kept as the next migration (a 409 that says why when there is none): writable directory formats only.
  if (writable) files.push(link(`${base}/migration`, 'next migration (keeps the drift)'));
  return [
    `<li><strong>${escapeHtml(target.name)}</strong> <code>${escapeHtml(hideDetails ? HIDDEN : target.displayUrl)}</code> — ${escapeHtml(status)}<br>`,
    `${link(base, 'latest report (JSON)')} · ${link(`${targetPath(target.name)}/reports`, 'history')}`,
    ` · ${link(`${targetPath(target.name)}/transitions`, 'transitions')}<br>`,
    `views: ${views.join(' · ')}<br>downloads: ${files.join(' · ')}</li>`,
  ].join('');
}

async function targetSection(deps: AppDeps): Promise<string> {
  const { bearerToken, web } = deps.config;
  // The targets checked now: discovered ones included, a discovering entry (a template) not.
  const targets = deps.targets?.list() ?? deps.config.targets;
  const basic = Object.keys(web?.basicAuthUsers ?? {}).length > 0;
  if (requiresCredentials({ bearerToken, basicAuthUsers: web?.basicAuthUsers })) {
    const what = bearerToken && basic ? 'a bearer token or basic auth' : bearerToken ? 'a bearer token' : 'basic auth';
    return `<p>${targets.length} target(s) configured. The API and <code>/metrics</code> require ${what}.</p>`;
  }
  if (targets.length === 0) return '<p>No targets configured.</p>';
  // The newest summary row, not the report itself: a full report can be megabytes of compressed JSON to inflate and
  // parse, per target, on every page view, for two fields the summary has.
  const hideDetails = openToTheNetwork(deps.config);
  const items = await Promise.all(
    targets.map(async (t) => targetItem(t, (await deps.store.list(t.name, { limit: 1 }))[0], hideDetails, await writesMigrations(t))),
  );
  return `<ul>${items.join('\n')}</ul>`;
}

/** Renders the landing page. */
export async function renderLandingPage(deps: AppDeps): Promise<string> {
  const targets = await targetSection(deps);
  const demo = deps.demo ? ' <span class="demo">DEMO</span>' : '';
  const title = `schema-drift exporter${deps.demo ? ' (DEMO)' : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}.demo{background:#c4162a;color:#fff;padding:0 .4em;border-radius:3px}li{margin-bottom:.8em}</style>
</head>
<body>
<h1>schema-drift exporter${demo}</h1>
<p>Version ${escapeHtml(deps.version)}. Compares each database with its migration directory on a schedule.${
    deps.demo ? ' This is the embedded demo: its databases are in-process PGlite instances.' : ''
  }</p>
<ul>
<li>${link('/metrics', 'Metrics')}</li>
<li>${link(`${API_PREFIX}/targets`, 'Targets (JSON)')}</li>${
    (deps.fleets?.names.length ?? 0) > 0 ? `\n<li>${link(`${API_PREFIX}/fleets`, 'Fleets and their variants (JSON)')}</li>` : ''
  }
<li>${link('/healthz', 'Health')} · ${link('/readyz', 'Readiness')}</li>
<li>${link('/runbook', 'Alert runbook')}</li>
</ul>
<h2>Targets</h2>
${targets}
<p>Report format: <code>${escapeHtml(REPORT_FORMAT_DOC)}</code> (formatVersion 1).</p>
</body>
</html>
`;
}
