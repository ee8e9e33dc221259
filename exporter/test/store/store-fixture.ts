/**
 * Synthetic reports for the store tests: deterministic from their arguments (the crash test's child process and the
 * test rebuild the same report from its sequence number), with DDL and ERD sized by a table count so both the plain
 * and the compressed encodings are exercised.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckStatus, ErdTable, Report } from '../../src/core/model/report.ts';
import { emptyCounts } from '../../src/core/report/build.ts';

/** What {@link syntheticReport} varies. */
export interface SyntheticReportInput {
  readonly target: string;
  readonly status: CheckStatus;
  /** Makes the report unique (in warnings and timestamps). */
  readonly seq: number;
  /** Default: `2025-01-01T00:00:00Z` plus `seq` hours. */
  readonly finishedAt?: string;
  /** Tables in the DDL and the ERD; default 3. */
  readonly tables?: number;
}

const BASE_TIME = Date.parse('2025-01-01T00:00:00.000Z');
const HOUR_MS = 3_600_000;

/** A report of `input.status` with `input.tables` tables. */
export function syntheticReport(input: SyntheticReportInput): Report {
  const finishedAt = input.finishedAt ?? new Date(BASE_TIME + input.seq * HOUR_MS).toISOString();
  const startedAt = new Date(Date.parse(finishedAt) - 1_500).toISOString();
  const tables = Array.from({ length: input.tables ?? 3 }, (_, i) => erdTable(i, input.seq));
  const drifted = input.status === 'drift' || input.status === 'dirty';
  const counts = emptyCounts();
  return {
    formatVersion: 1,
    id: 0,
    target: input.target,
    labels: { environment: 'test' },
    status: input.status,
    startedAt,
    finishedAt,
    durationMs: 1_500,
    error: input.status === 'error' ? { reason: 'connect', message: `connection refused (seq ${input.seq})` } : null,
    revision: { tool: 'golang-migrate', table: 'public.schema_migrations', version: '20250101', dirty: input.status === 'dirty' },
    pending: input.status === 'pending' ? [{ version: '20250102', path: '20250102_add.up.sql' }] : [],
    counts: drifted
      ? { ...counts, total: 2, extra: 1, changed: 1, byKind: { ...counts.byKind, index: { extra: 1, missing: 0, changed: 0 }, column: { extra: 0, missing: 0, changed: 1 } } }
      : counts,
    changes: [],
    ddl: { desired: tables.map(ddlOf).join('\n'), current: tables.map(ddlOf).join('\n') },
    reconcile: drifted
      ? { sql: 'DROP INDEX public.t0_extra;\n', statements: [{ sql: 'DROP INDEX public.t0_extra;', comment: 'extra index', hazards: [], change: 0 }] }
      : { sql: '', statements: [] },
    erd: { tables, relations: [] },
    engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: '15.20', replayServerVersion: '18.6', cached: false },
    warnings: [`synthetic report ${input.seq}`],
  };
}

function erdTable(i: number, seq: number): ErdTable {
  return {
    id: `public.t${i}`,
    schema: 'public',
    name: `t${i}`,
    kind: 'table',
    status: 'ok',
    columns: ['id', 'name', `seq_${seq}`, 'created_at'].map((name, k) => ({
      name,
      type: k === 0 ? 'bigint' : k === 3 ? 'timestamp with time zone' : 'text',
      nullable: k !== 0,
      primaryKey: k === 0,
      foreignKey: false,
      status: 'ok' as const,
    })),
    changes: [],
  };
}

function ddlOf(table: ErdTable): string {
  const columns = table.columns.map((c) => `  ${c.name} ${c.type}${c.nullable ? '' : ' NOT NULL'}`).join(',\n');
  return `CREATE TABLE ${table.id} (\n${columns},\n  CONSTRAINT ${table.name}_pkey PRIMARY KEY (id)\n);`;
}

/** A fresh temporary directory and its removal. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `schema-drift-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The report the crash test's child saves for `seq` (large every third time). */
export function crashReport(seq: number): Report {
  const statuses: CheckStatus[] = ['in_sync', 'drift', 'drift', 'error', 'pending'];
  return syntheticReport({ target: 'crash', status: statuses[seq % statuses.length]!, seq, tables: seq % 3 === 0 ? 800 : 5 });
}
