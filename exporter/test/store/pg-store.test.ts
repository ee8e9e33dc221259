/**
 * What only the PostgreSQL store has: its schema created and migrated once when replicas start together, a schema that
 * is not ours refused, the desired cache shared between stores, and the claims on checks (one replica per round, no two
 * checks of a target at once, a dead replica's target freed when its connection drops).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { PG_STORE_SCHEMA_VERSION } from '../../src/store/pg-migrations.ts';
import { PgStore, pgStorePoolConfig } from '../../src/store/pg-store.ts';
import { StoreError } from '../../src/store/report-store.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { syntheticReport } from './store-fixture.ts';

let db: TempDatabase;
const schema = (): string => `store_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await createTempPgDatabase('sdstore');
});
afterAll(async () => {
  await db?.drop();
});

async function openAll(n: number, name: string): Promise<PgStore[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => PgStore.open({ url: db.url, schema: name, replica: `r${i}` })));
}

async function closeAll(stores: readonly PgStore[]): Promise<void> {
  await Promise.all(stores.map((s) => s.close()));
}

describe('opening', () => {
  it('creates and migrates its schema once when several replicas start at once', async () => {
    const name = schema();
    const stores = await openAll(5, name);
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${name}".store_version`);
      await client.end();
      expect(rows).toEqual([{ version: PG_STORE_SCHEMA_VERSION }]);
      // Every one of them reads and writes the same history.
      const id = await stores[0]!.save(syntheticReport({ target: 'a', status: 'drift', seq: 1 }));
      for (const store of stores) expect((await store.latest('a'))?.id).toBe(id);
    } finally {
      await closeAll(stores);
    }
  });

  it('refuses a schema holding tables of something else, and names the store without its password', async () => {
    const name = schema();
    await db.exec(`CREATE SCHEMA "${name}"; CREATE TABLE "${name}".orders (id int)`);
    const url = new URL(db.url);
    url.password = 'hunter2-secret';
    const opening = PgStore.open({ url: url.toString(), schema: name });
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(/is not a schema-drift store/);
    await opening.catch((err: Error) => expect(err.message).not.toContain('hunter2'));
  });

  it('bounds how long a lost replica keeps its locks: its sessions carry keepalive and user timeouts', async () => {
    const pool = new pg.Pool(pgStorePoolConfig(new URL(db.url), 1));
    try {
      const show = async (name: string): Promise<string> => (await pool.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
      expect(await show('tcp_keepalives_idle')).toBe('10');
      expect(await show('tcp_keepalives_interval')).toBe('5');
      expect(await show('tcp_keepalives_count')).toBe('3');
      expect(await show('tcp_user_timeout')).toBe('30000');
    } finally {
      await pool.end();
    }
  });

  it('opens in a schema its user owns without CREATE on the database', async () => {
    const suffix = randomBytes(4).toString('hex');
    const role = `storefix_owner_${suffix}`;
    const dbName = `storefix_db_${suffix}`;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      await admin.query(`CREATE DATABASE ${dbName}`);
      const url = new URL(db.url);
      url.pathname = `/${dbName}`;
      const inDb = new pg.Client({ connectionString: url.toString() });
      await inDb.connect();
      try {
        await inDb.query(`REVOKE CREATE ON DATABASE ${dbName} FROM PUBLIC`);
        await inDb.query(`CREATE SCHEMA owned AUTHORIZATION ${role}`);
        const { rows } = await inDb.query<{ ok: boolean }>(`SELECT has_database_privilege($1, $2, 'CREATE') AS ok`, [role, dbName]);
        expect(rows[0]?.ok).toBe(false);
      } finally {
        await inDb.end();
      }
      url.username = role;
      const store = await PgStore.open({ url: url.toString(), schema: 'owned' });
      try {
        const id = await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }));
        expect((await store.latest('a'))?.id).toBe(id);
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await admin.end();
    }
  });

  it('refuses a schema name that is not a lower-case identifier', async () => {
    await expect(PgStore.open({ url: db.url, schema: 'Bad"Name' })).rejects.toThrow(/not a lower-case identifier/);
  });

  it('fails, naming the display URL, when the server cannot be reached', async () => {
    const opening = PgStore.open({ url: 'postgres://app:s3cret@127.0.0.1:1/nowhere' });
    await expect(opening).rejects.toThrow(/report store postgres:\/\/app@127\.0\.0\.1:1\/nowhere cannot be opened/);
    await opening.catch((err: Error) => expect(err.message).not.toContain('s3cret'));
  });
});

describe('the desired cache', () => {
  it('is shared: a second store finds what the first replayed', async () => {
    const name = schema();
    const [one, two] = await openAll(2, name);
    try {
      const key = { directoryHash: 'abc', engine: 'postgresql 17' };
      let replays = 0;
      const replay = async () => ({ replayed: ++replays });
      const first = new DesiredCache<{ replayed: number }>({ backend: one!.desiredCache });
      const second = new DesiredCache<{ replayed: number }>({ backend: two!.desiredCache });
      expect(await first.getOrReplay(key, replay)).toEqual({ replayed: 1 });
      expect(await second.getOrReplay(key, replay)).toEqual({ replayed: 1 });
      expect(await second.getOrReplay({ ...key, directoryHash: 'def' }, replay)).toEqual({ replayed: 2 });
      expect(replays).toBe(2);
    } finally {
      await closeAll([one!, two!]);
    }
  });
});

describe('claims', () => {
  const T0 = new Date('2026-01-01T00:00:00.000Z');
  const T1 = new Date('2026-01-01T00:00:20.000Z');
  const T2 = new Date('2026-01-01T00:00:40.000Z');

  it('gives each round of a target to exactly one replica, and the next round once it is due', async () => {
    const stores = await openAll(3, schema());
    try {
      const round = async (now: Date, nextDue: Date) =>
        Promise.all(stores.map((s) => s.claims.claim('t', 'due', { now, nextDue })));
      const first = await round(T0, T1);
      expect(first.filter(Boolean)).toHaveLength(1);
      await Promise.all(first.map((lease) => lease?.release()));
      // The same round again (a late tick): nobody.
      expect((await round(T0, T1)).filter(Boolean)).toHaveLength(0);
      const second = await round(T1, T2);
      expect(second.filter(Boolean)).toHaveLength(1);
      await Promise.all(second.map((lease) => lease?.release()));
    } finally {
      await closeAll(stores);
    }
  });

  it('a due claim without the next round keeps the schedule going: the following round is still claimed', async () => {
    const [a] = await openAll(1, schema());
    try {
      const first = await a!.claims.claim('t', 'due', { now: T0 });
      expect(first).not.toBeNull();
      await first!.release();
      expect(await a!.claims.claim('t', 'due', { now: T0 })).toBeNull();
      const next = await a!.claims.claim('t', 'due', { now: T1, nextDue: T2 });
      expect(next).not.toBeNull();
      await next!.release();
    } finally {
      await closeAll([a!]);
    }
  });

  it('a manual claim waiting for the target ends when its signal aborts', async () => {
    const [a, b] = await openAll(2, schema());
    try {
      const held = await a!.claims.claim('t', 'now', { now: T0 });
      expect(held).not.toBeNull();
      const controller = new AbortController();
      const waiting = b!.claims.claim('t', 'now', { now: T0, waitMs: 600_000, signal: controller.signal });
      controller.abort(new Error('stopping'));
      await expect(waiting).rejects.toThrow();
      await held!.release();
      // The cancelled wait left no lock behind: the target can be claimed.
      const after = await b!.claims.claim('t', 'now', { now: T1 });
      expect(after).not.toBeNull();
      await after!.release();
    } finally {
      await closeAll([a!, b!]);
    }
  });

  it('never lets two checks of a target run at once: a due round and a manual check wait for the running one', async () => {
    const [a, b] = await openAll(2, schema());
    try {
      const held = await a!.claims.claim('t', 'now', { now: T0 });
      expect(held).not.toBeNull();
      // The round is due, but the target's check runs elsewhere: not claimed (and the round stays due).
      expect(await b!.claims.claim('t', 'due', { now: T1, nextDue: T2 })).toBeNull();
      expect(await b!.claims.claim('t', 'now', { now: T1, waitMs: 0 })).toBeNull();
      const waiting = b!.claims.claim('t', 'now', { now: T1, waitMs: 30_000 });
      await held!.release();
      const lease = await waiting;
      expect(lease).not.toBeNull();
      await lease!.release();
      const due = await b!.claims.claim('t', 'due', { now: T1, nextDue: T2 });
      expect(due).not.toBeNull();
      await due!.release();
    } finally {
      await closeAll([a!, b!]);
    }
  });

  it("frees a dead replica's target at once: its connection drops and the lock goes with it", async () => {
    const name = schema();
    const warnings: string[] = [];
    const logger = { info: () => {}, warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };
    const [survivor] = await openAll(1, name);
    const dying = await PgStore.open({ url: db.url, schema: name, replica: 'dying', logger });
    try {
      const held = await dying.claims.claim('t', 'due', { now: T0, nextDue: T1 });
      expect(held).not.toBeNull();
      expect(await survivor!.claims.claim('t', 'now', { now: T0, waitMs: 0 })).toBeNull();
      // The server ends the dying replica's sessions, as when its process is killed.
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      await admin.end();
      // Its claimed round is over; the next one is the survivor's.
      const next = await survivor!.claims.claim('t', 'due', { now: T1, nextDue: T2 });
      expect(next).not.toBeNull();
      await next!.release();
      // Giving back a claim whose connection is gone fails, and says so (the lock went with the session anyway).
      await held!.release();
      expect(warnings).toContain('report store: releasing a check claim failed; its connection is closed instead');
    } finally {
      await closeAll([dying, survivor!]);
    }
  });
});
