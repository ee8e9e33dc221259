/**
 * The data directory's lock in one process: a lock left by a killed run that had this process's pid (in a container
 * the agent is pid 1 after every restart) is taken over; one this process holds now refuses a second taker; release
 * removes only our own record.
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
});
