/**
 * Small builders for the HTTP tests: a valid agent config (with a secret in every secret field, so tests can grep
 * responses for it) and a drifted report shaped like the ones `buildReport` stores.
 */
import { METRIC_KINDS, type MetricKind } from '../../src/core/model/change.ts';
import type { AgentConfig, TargetConfig } from '../../src/config/types.ts';
import type { ActionCounts, CheckStatus, Report } from '../../src/core/model/report.ts';

/** Secrets planted in the config; no response may contain any of them. */
export const SECRETS = { password: 'hunter2-s3cret', devPassword: 'dev-pw-0xdead', token: 'tok-9f8e7d6c5b4a' } as const;

/** A target whose URL carries a password; `displayUrl` is the redacted form the config loader would produce. */
export function targetConfig(name: string, overrides: Partial<TargetConfig> = {}): TargetConfig {
  return {
    name,
    dialect: 'postgres',
    url: `postgres://app:${SECRETS.password}@db.internal:5432/${name}`,
    displayUrl: `postgres://app@db.internal:5432/${name}`,
    desired: { dir: '/srv/migrations', devUrl: `postgres://dev:${SECRETS.devPassword}@dev.internal/dev` },
    exclude: {},
    schedule: '0 6,18 * * *',
    labels: { environment: name },
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
    checkTimeoutMs: 300_000,
    watchMs: 0,
    deployingRetryMs: 15_000,
    deployingLimitMs: 1_800_000,
    checkColumnOrder: false,
    ignoreExtensionVersions: false,
    privileges: false,
    ...overrides,
  };
}

/** An agent config over the given targets. */
export function agentConfig(targets: TargetConfig[], overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    file: '/etc/schema-drift.yaml',
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: '/var/lib/schema-drift',
    concurrency: 2,
    // No interval: these tests check one report after another; the limit has its own tests.
    manualCheckIntervalMs: 0,
    retention: { maxAgeDays: 30, maxReportsPerTarget: 500 },
    retry: { attempts: 2, initialDelayMs: 100, maxDelayMs: 1_000 },
    logLevel: 'error',
    labelNames: ['environment'],
    targets,
    ...overrides,
  };
}

function zeroCounts(): Record<MetricKind, ActionCounts> {
  return Object.fromEntries(METRIC_KINDS.map((k) => [k, { extra: 0, missing: 0, changed: 0 }])) as Record<MetricKind, ActionCounts>;
}

/** A stored-shape report: `drift` has one changed column, one extra index and a missing FK; others have none. */
export function makeReport(target: string, status: CheckStatus = 'drift', startedAt = '2025-01-02T06:00:00.000Z'): Report {
  const drift = status === 'drift';
  const byKind = zeroCounts();
  if (drift) {
    byKind.column = { extra: 0, missing: 0, changed: 1 };
    byKind.index = { extra: 1, missing: 0, changed: 0 };
    byKind.foreign_key = { extra: 0, missing: 1, changed: 0 };
  }
  const desiredDdl = 'CREATE TABLE public.users (\n  id bigint NOT NULL,\n  email text NOT NULL\n);\n';
  const currentDdl = 'CREATE TABLE public.users (\n  id bigint NOT NULL,\n  email character varying(255) NOT NULL\n);\n';
  const reconcileSql = drift ? 'DROP INDEX public.users_email_idx;\nALTER TABLE public.users ALTER COLUMN email TYPE text;\n' : '';
  return {
    formatVersion: 1,
    id: 0,
    target,
    labels: { environment: target },
    status,
    startedAt,
    finishedAt: startedAt.replace('00.000Z', '02.500Z'),
    durationMs: 2_500,
    error: status === 'error' ? { reason: 'connect', message: 'connecting to postgres://app@db.internal:5432/x: refused' } : null,
    revision: { tool: 'golang-migrate', table: 'public.schema_migrations', version: '4', dirty: false },
    pending: [],
    counts: { extra: drift ? 1 : 0, missing: drift ? 1 : 0, changed: drift ? 1 : 0, total: drift ? 3 : 0, byKind },
    changes: drift
      ? [
          { type: 'column', action: 'changed', schema: 'public', table: 'users', name: 'email', attributes: [{ name: 'type', expected: 'text', actual: 'character varying(255)' }] },
          { type: 'index', action: 'extra', schema: 'public', table: 'users', name: 'users_email_idx', attributes: [] },
          { type: 'foreign_key', action: 'missing', schema: 'public', table: 'orders', name: 'orders_user_id_fkey', attributes: [] },
        ]
      : [],
    ddl: status === 'error' ? { desired: '', current: '' } : { desired: desiredDdl, current: drift ? currentDdl : desiredDdl },
    reconcile: {
      sql: reconcileSql,
      statements: drift
        ? [
            { sql: 'DROP INDEX public.users_email_idx;', comment: 'drop extra index', hazards: [], change: 1 },
            { sql: 'ALTER TABLE public.users ALTER COLUMN email TYPE text;', comment: 'change column type', hazards: ['table_rewrite'], change: 0 },
          ]
        : [],
    },
    erd: {
      tables: [
        {
          id: 'public.users',
          schema: 'public',
          name: 'users',
          kind: 'table',
          status: drift ? 'changed' : 'ok',
          columns: [
            { name: 'id', type: 'bigint', nullable: false, primaryKey: true, foreignKey: false, status: 'ok' },
            drift
              ? { name: 'email', type: 'text', nullable: false, primaryKey: false, foreignKey: false, status: 'changed', attributes: [{ name: 'type', expected: 'text', actual: 'character varying(255)' }] }
              : { name: 'email', type: 'text', nullable: false, primaryKey: false, foreignKey: false, status: 'ok' },
          ],
          changes: drift ? [0, 1] : [],
        },
        {
          id: 'public.orders',
          schema: 'public',
          name: 'orders',
          kind: 'table',
          status: drift ? 'changed' : 'ok',
          columns: [{ name: 'user_id', type: 'bigint', nullable: false, primaryKey: false, foreignKey: true, status: 'ok' }],
          changes: drift ? [2] : [],
        },
      ],
      relations: [
        { id: 'public.orders.orders_user_id_fkey', name: 'orders_user_id_fkey', source: 'public.orders', target: 'public.users', sourceColumns: ['user_id'], targetColumns: ['id'], status: drift ? 'missing' : 'ok' },
      ],
    },
    engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: '15.20', replayServerVersion: '18.6', cached: false },
    warnings: [],
  };
}
