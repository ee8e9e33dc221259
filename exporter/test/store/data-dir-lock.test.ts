/**
 * The data directory's lock in one process: a lock left by a killed run that had this process's pid (in a container
 * the agent is pid 1 after every restart) is taken over; one this process holds now refuses a second taker; release
 * removes only our own record; a lock written on another host (a data directory on a network share) is never taken
 * over, even when its pid does not run here, and the refusal names that host and the file to remove.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/store/data-dir-lock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sd-lock-'));
  dirs.push(dir);
  return dir;
}

describe('lockDataDir', () => {
  it('takes over a lock that names this pid but that this process does not hold (a restarted container\'s pid 1)', () => {
    const dir = dataDir();
    const file = path.join(dir, 'agent.lock');
    writeFileSync(file, `${JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' })}\n`);
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(JSON.parse(readFileSync(file, 'utf8')).since).not.toBe('2026-01-01T00:00:00.000Z');
    lock.release();
  });

  it('refuses a second taker while this process holds it, and frees it on release', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/data directory is in use by another schema-drift agent \(pid \d+ on /);
    lock.release();
    lockDataDir(dir).release();
  });

  it('never takes over a lock of another host, whatever its pid: the refusal names the host, the pid and the file', () => {
    const dir = dataDir();
    const file = path.join(dir, 'agent.lock');
    // A pid that runs nowhere here, on a host that is not this one: it may well be alive there.
    const other = { pid: 2 ** 22 + 17, host: `${hostname()}-other-node`, since: '2026-12-01T08:00:00.000Z' };
    writeFileSync(file, `${JSON.stringify(other)}\n`);
    expect(() => lockDataDir(dir)).toThrow(
      `data directory is in use by another schema-drift agent (pid ${other.pid} on ${other.host}, since ${other.since}); ` +
        `stop it, or give this agent another dataDir (remove ${file} if that agent is gone)`,
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(other);
  });

  it('writes this host into the lock, so an agent elsewhere on a shared dataDir is named', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(path.join(dir, 'agent.lock'), 'utf8'))).toEqual({ pid: process.pid, host: hostname(), since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    lock.release();
  });
});
