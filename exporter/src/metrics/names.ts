/**
 * Metric names and HELP texts: fixed, pinned by the golden exposition test. The OpenTelemetry Prometheus exporter
 * appends `_total` to monotonic counters and no unit suffix to anything, so units are part of these names and the
 * counters are named without `_total`. Instruments carry no OpenTelemetry `unit`: the exporter would print it as an
 * OpenMetrics `# UNIT` line, which the Prometheus text format does not have.
 */

/** Said in every per-target HELP: a scrape reads stored results, it never queries a monitored database. */
const STORED = 'From the last stored check, not a live query.';

/** Name (as given to the SDK) and HELP text of every series. */
export const SERIES = {
  buildInfo: {
    name: 'schema_drift_build_info',
    help: 'Version of the schema-drift exporter; the value is always 1.',
  },
  up: {
    name: 'schema_drift_target_up',
    help: `1 if the last check of the target connected and read its catalogs (a failing migration replay still counts as up), else 0. ${STORED}`,
  },
  detected: {
    name: 'schema_drift_detected',
    help: `1 if the last successful check found the database schema differing from its migrations, else 0; failed checks keep the value. ${STORED}`,
  },
  changes: {
    name: 'schema_drift_changes',
    help: `Differences found by the last successful check, by object kind and action (extra: only in the database, missing: only in the migrations, changed: in both but different). ${STORED}`,
  },
  pendingMigrations: {
    name: 'schema_drift_pending_migrations',
    help: `Migrations newer than the version the migration tool recorded in the database, at the last successful check. ${STORED}`,
  },
  migrationDirty: {
    name: 'schema_drift_migration_dirty',
    help: `1 if the migration tool recorded a failed or half-applied migration at the last successful check, else 0. ${STORED}`,
  },
  deploying: {
    name: 'schema_drift_deploying',
    help: `1 if the migration tool held its lock at the last check (a deploy in flight: not compared, checked again shortly), else 0. ${STORED}`,
  },
  lastCheck: {
    name: 'schema_drift_last_check_timestamp_seconds',
    help: `Unix time the last check of the target finished, successful or not; 0 before the first check. ${STORED}`,
  },
  lastSuccess: {
    name: 'schema_drift_last_success_timestamp_seconds',
    help: `Unix time the last successful check of the target finished; 0 if there was none. ${STORED}`,
  },
  driftSince: {
    name: 'schema_drift_drift_since_timestamp_seconds',
    help: `Unix time of the first check that found the current drift (failed checks in between do not end it); 0 when in sync. ${STORED}`,
  },
  checks: {
    name: 'schema_drift_checks',
    help: 'Checks of the target run since the exporter started, successful or not.',
  },
  failures: {
    name: 'schema_drift_check_failures',
    help: 'Checks of the target that failed since the exporter started, by reason (connect, auth, timeout, replay, inspect, config, internal).',
  },
  saveFailures: {
    name: 'schema_drift_report_save_failures',
    help: 'Finished checks whose report could not be stored since the exporter started, by reason (disk_full, read_only, io, busy, closed, other); /readyz answers 503 until a save succeeds again.',
  },
  claimFailures: {
    name: 'schema_drift_store_claim_failures',
    help: 'Checks not run since the exporter started because the shared report store could not be reached to claim them, by reason (disk_full, read_only, io, busy, closed, other); /readyz answers 503 until a claim or save succeeds again.',
  },
  schemaChange: {
    name: 'schema_drift_schema_change_timestamp_seconds',
    help: 'Unix time the watch last saw the target\'s schema fingerprint change (a DDL statement ran), which starts a check at once; 0 if it has not since the exporter started.',
  },
  watchQueries: {
    name: 'schema_drift_watch_queries',
    help: 'Schema fingerprint queries the watch ran on the target since the exporter started (one short read-only session each).',
  },
  watchFullQueries: {
    name: 'schema_drift_watch_full_queries',
    help: 'Watch reads that ran the full schema fingerprint query (the rest were answered by the MySQL/MariaDB DDL-counter gate) since the exporter started.',
  },
  watchSeconds: {
    name: 'schema_drift_watch_seconds',
    help: 'Time the watch spent reading the target\'s schema fingerprint (connect, query, close) since the exporter started, in seconds.',
  },
  watchErrors: {
    name: 'schema_drift_watch_errors',
    help: 'Schema fingerprint reads that failed since the exporter started (the scheduled checks go on).',
  },
  duration: {
    name: 'schema_drift_check_duration_seconds',
    help: 'Time a check of the target took (connect, migration replay, inspection, diff and plan), in seconds.',
  },
  discoveredTargets: {
    name: 'schema_drift_discovered_targets',
    help: 'Targets the discovering entry (fleet) stands for, from its last successful listing of databases or schemas.',
  },
  discoveryUnmapped: {
    name: 'schema_drift_discovery_unmapped',
    help: 'Names the last listing of the fleet found but could not make targets of (not [A-Za-z0-9_.-]+, or a name already taken); the log names them.',
  },
  discoveryErrors: {
    name: 'schema_drift_discovery_errors',
    help: 'Listings of the fleet\'s databases or schemas that failed since the exporter started (the previous list is kept).',
  },
  fleetVariants: {
    name: 'schema_drift_fleet_variants',
    help: `Distinct live schemas (variants) among the fleet's checked targets, by the fingerprint of the inspected model with tenant names normalised. ${STORED}`,
  },
  fleetTargets: {
    name: 'schema_drift_fleet_targets',
    help: `Targets of the fleet per variant, by rank (1 = the variant with most targets, up to the top 5; other: the rest; unknown: no successful check yet) and status. ${STORED}`,
  },
} as const;

/** Variants of a fleet exported one by one in `schema_drift_fleet_targets`; the rest are summed as `other`. */
export const FLEET_TOP_VARIANTS = 5;

/**
 * Label names the exporter sets itself; a static label may not reuse them. `le` belongs to histogram buckets;
 * `instance` and `job` are Prometheus target labels (a clash would be renamed `exported_*` at scrape time).
 */
export const RESERVED_LABELS: ReadonlySet<string> = new Set(['target', 'kind', 'action', 'reason', 'le', 'instance', 'job']);
