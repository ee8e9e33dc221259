/**
 * One agent per data directory. Two agents on one `dataDir` would check every database twice and interleave their
 * reports in one history, so the second refuses to start and names the first.
 *
 * The lock is a file, `<dataDir>/agent.lock`, holding the owner's pid and host; it appears complete or not at all (a
 * temporary file hard-linked into place, which fails when the name exists). Node has no `flock`, and a file can say
 * who holds it. A lock left by a killed agent is taken over when its pid is
 * no longer alive on this host; a lock from another host (a data directory on a network share) is never taken over,
 * since we cannot see that host's processes: the message says which file to remove.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { StoreError } from './report-store.ts';

/** File name of the lock inside the data directory. */
export const DATA_DIR_LOCK_FILE = 'agent.lock';

/** Who holds a lock, as its file says. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** A held lock; `release()` removes the file (idempotent). */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the data directory's lock, creating the directory (owner-only) when missing.
 * @throws StoreError naming the holder's pid and host when another live agent holds it, or when it cannot be written.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.resolve(dataDir, DATA_DIR_LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temp, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  } catch (err) {
    throw new StoreError(`data directory lock cannot be created: ${(err as Error).message}`, { file }, { cause: err });
  }
  try {
    return takeLock(file, temp, me);
  } finally {
    rmSync(temp, { force: true });
  }
}

function takeLock(file: string, temp: string, me: LockHolder): DataDirLock {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      linkSync(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError(`data directory lock cannot be created: ${(err as Error).message}`, { file }, { cause: err });
      }
      const holder = readHolder(file);
      if (holder && !isStale(holder, file)) {
        throw new StoreError(
          `data directory is in use by another schema-drift agent (pid ${holder.pid} on ${holder.host}, since ${holder.since}); ` +
            `stop it, or give this agent another dataDir` +
            (holder.host === me.host ? '' : ` (remove ${file} if that agent is gone)`),
          { file },
        );
      }
      // Left by an agent that is gone (or unreadable): take it over.
      try {
        unlinkSync(file);
      } catch (unlinkErr) {
        if ((unlinkErr as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError(`stale data directory lock cannot be removed: ${(unlinkErr as Error).message}`, { file }, { cause: unlinkErr });
      }
      continue;
    }
    // Two agents that both judged the same dead holder stale may both have unlinked and linked: only the one whose
    // record is in the file now holds it; the other goes round again and meets a live holder.
    const now = readHolder(file);
    if (now?.pid !== me.pid || now.since !== me.since) continue;
    let released = false;
    heldHere.add(file);
    return {
      file,
      release() {
        if (released) return;
        released = true;
        heldHere.delete(file);
        // Only our own lock: never remove one another agent took over after ours was (wrongly) judged stale.
        if (readHolder(file)?.pid === me.pid) unlinkSync(file);
      },
    };
  }
  throw new StoreError('data directory lock: another agent keeps taking it over', { file });
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? 'unknown') };
  } catch {
    return null;
  }
}

/** Lock files this process holds now. */
const heldHere = new Set<string>();

/**
 * A holder on this host whose process is gone. `kill(pid, 0)` probes without signalling; EPERM means it is alive. A
 * holder with this process's own pid is stale unless this process holds the lock now: in a container the agent is
 * pid 1 after every restart, so a lock a killed run left names the new run's pid.
 */
function isStale(holder: LockHolder, file: string): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !heldHere.has(file);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
