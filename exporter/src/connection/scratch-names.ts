/**
 * Names of the temporary databases replays and migration commands create on dev servers:
 * `schema_drift_tmp_<created>_<random>`, `<created>` the creation time in seconds, base 36. Every path drops its own
 * database, but a process killed with SIGKILL (or a lost connection to the dev server) cannot: the name says how old a
 * leftover is, so the next replay on that server drops the ones older than {@link STALE_SCRATCH_MS}, which no replay or
 * check runs for (a check's limit is minutes). Names without the time (written by older versions) are left alone: their
 * age cannot be told.
 */
import { randomBytes } from 'node:crypto';

/** The common prefix, also what a `LIKE` lists them by. */
export const SCRATCH_DATABASE_PREFIX = 'schema_drift_tmp_';

/** Age after which a leftover temporary database is dropped by the next replay on the same server. */
export const STALE_SCRATCH_MS = 60 * 60 * 1000;

const NAME = /^schema_drift_tmp_([0-9a-z]{1,10})_[0-9a-f]+$/;

/** A fresh name, created now. */
export function scratchDatabaseName(now: number = Date.now()): string {
  return `${SCRATCH_DATABASE_PREFIX}${Math.floor(now / 1000).toString(36)}_${randomBytes(6).toString('hex')}`;
}

/** True for one of our names created more than {@link STALE_SCRATCH_MS} before `now`. */
export function isStaleScratch(name: string, now: number = Date.now()): boolean {
  const created = NAME.exec(name)?.[1];
  if (created === undefined) return false;
  return now - Number.parseInt(created, 36) * 1000 > STALE_SCRATCH_MS;
}
