import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_STORE_FILE, ReportStore } from '../../src/store/report-store.ts';
import { crashReport, tempDir } from './store-fixture.ts';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const ROUNDS = 5;

interface Saved {
  readonly id: number;
  readonly seq: number;
}

/**
 * Runs the writer until it has reported at least `minSaves` saves, then SIGKILLs it after a random few
 * milliseconds (so the kill lands anywhere in the next save: compressing, inside the transaction, or committing).
 */
function runAndKill(dir: string, firstSeq: number, minSaves: number): Promise<{ saved: Saved[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, String(firstSeq)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const saved: Saved[] = [];
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [id, seq] = line.split(' ').map(Number);
        saved.push({ id: id!, seq: seq! });
      }
      if (!killing && saved.length >= minSaves) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr.trim()}`));
      else resolve({ saved, signal });
    });
  });
}

function integrity(dir: string): string {
  const db = new DatabaseSync(path.join(dir, REPORT_STORE_FILE));
  try {
    const rows = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

describe('crash safety', () => {
  const tmp = tempDir('store-crash');
  afterAll(() => tmp.remove());

  it(`keeps every report whose id was returned when the writer is SIGKILLed mid-loop (${ROUNDS} rounds)`, async () => {
    const all: Saved[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { saved } = await runAndKill(tmp.dir, round * 10_000, 10 + round * 7);
      expect(saved.length).toBeGreaterThanOrEqual(10);
      all.push(...saved);
      // Open exactly as the agent would after a crash: recovery of the WAL, quick_check, then every report.
      const store = ReportStore.open(tmp.dir);
      try {
        for (const { id, seq } of all) expect(store.get('crash', id)).toEqual({ ...crashReport(seq), id });
        const listed = store.list('crash', { limit: 100_000 }).map((s) => s.id);
        expect(listed.length).toBeGreaterThanOrEqual(all.length);
        expect(listed).toEqual([...listed].sort((a, b) => b - a));
      } finally {
        store.close();
      }
      expect(integrity(tmp.dir)).toBe('ok');
    }
  });
});
