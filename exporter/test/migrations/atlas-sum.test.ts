/**
 * atlas.sum: a known-answer vector from a real Atlas-generated directory, the fixture directory's sum, and every
 * kind of mismatch.
 */
import { mkdtemp, readFile, readdir, rm, writeFile, cp, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { computeAtlasSum, formatAtlasSum, parseAtlasSum, readMigrationDirectory } from '../../src/migrations/index.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations', 'atlas');

function input(name: string, text: string) {
  return { name, bytes: Buffer.from(text, 'utf8') };
}

describe('computeAtlasSum', () => {
  it('reproduces an atlas.sum written by `atlas migrate hash`', () => {
    // Known-answer vector: migrations/ of github.com/1995parham-teaching/tinyurl at commit 2c74f0c7 (Atlas output).
    const files = [
      input('20230824222826.sql', '-- atlas:delimiter -- end\n\nCREATE PROCEDURE visit(key urls.key%TYPE) LANGUAGE SQL BEGIN ATOMIC\nUPDATE\n  urls\nset\n  visits = visits + 1\nwhere\n  urls.key = key;\n\nEND;\n\n-- end\n'),
      input('20230824215746.sql', '-- Create "urls" table\nCREATE TABLE "urls" ("key" text NOT NULL, "url" text NULL, "visits" bigint NULL, "expire" timestamptz NULL, "created_at" timestamptz NULL, "updated_at" timestamptz NULL, PRIMARY KEY ("key"));\n'),
      input('20230824221251.sql', '-- Modify "urls" table\nALTER TABLE "urls" ADD CONSTRAINT "chk_urls_expire" CHECK (expire > created_at), ADD CONSTRAINT "chk_urls_visits" CHECK (visits >= 0);\n-- Create index "idx_urls_url" to table: "urls"\nCREATE INDEX "idx_urls_url" ON "urls" ("url");\n'),
    ];
    expect(formatAtlasSum(computeAtlasSum(files))).toBe(
      'h1:wZYDtCBb/e7bCrIdsXInW+0oszoa0EAXbFpkNgr7Vq0=\n' +
        '20230824215746.sql h1:bCLrrBfDa1o9dekkog8V3gdW8a2tdOHKYk/2MItd98g=\n' +
        '20230824221251.sql h1:ub5YupUvbaPjSrOtcdVblbwSSFudPCzPajZLwOfl5lE=\n' +
        '20230824222826.sql h1:TAdMYkVBxLfVBgkuL+4TKO8EMxNPz8fePcNeFj6YRdI=\n',
    );
  });

  it('chains hashes: editing the first file changes every entry, editing the last changes only the last', () => {
    const base = [input('1_a.sql', 'SELECT 1;\n'), input('2_b.sql', 'SELECT 2;\n')];
    const sum = computeAtlasSum(base);
    const firstEdited = computeAtlasSum([input('1_a.sql', 'SELECT 10;\n'), base[1]!]);
    const lastEdited = computeAtlasSum([base[0]!, input('2_b.sql', 'SELECT 20;\n')]);
    expect(firstEdited.entries.map((e) => e.hash === sum.entries.find((s) => s.name === e.name)?.hash)).toEqual([false, false]);
    expect(lastEdited.entries.map((e) => e.hash === sum.entries.find((s) => s.name === e.name)?.hash)).toEqual([true, false]);
  });

  it('leaves out a file marked atlas:sum ignore but still chains its name', () => {
    const withIgnored = computeAtlasSum([input('1_a.sql', 'SELECT 1;\n'), input('2_x.sql', '-- atlas:sum ignore\nSELECT 9;\n'), input('3_c.sql', 'SELECT 3;\n')]);
    const without = computeAtlasSum([input('1_a.sql', 'SELECT 1;\n'), input('3_c.sql', 'SELECT 3;\n')]);
    expect(withIgnored.entries.map((e) => e.name)).toEqual(['1_a.sql', '3_c.sql']);
    expect(withIgnored.entries[1]!.hash).not.toBe(without.entries[1]!.hash);
  });

  it('round-trips through parseAtlasSum and rejects malformed text', () => {
    const sum = computeAtlasSum([input('1_a.sql', 'SELECT 1;\n')]);
    expect(parseAtlasSum(formatAtlasSum(sum))).toEqual(sum);
    expect(parseAtlasSum(formatAtlasSum(sum).replaceAll('\n', '\r\n'))).toEqual(sum);
    expect(parseAtlasSum('not a sum\n')).toMatch(/first line/);
    expect(parseAtlasSum('h1:x\n1_a.sql\n')).toMatch(/line 2/);
  });
});

describe('atlas.sum verification in readMigrationDirectory', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function copyFixture(): Promise<string> {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sd-atlas-'));
    await cp(FIXTURE, dir, { recursive: true });
    return dir;
  }

  async function readError(target: string): Promise<ReplayError> {
    const error = await readMigrationDirectory(target).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReplayError);
    return error as ReplayError;
  }

  it('accepts the fixture, whose atlas.sum was computed by the algorithm above', async () => {
    const names = (await readdir(FIXTURE)).filter((n) => n.endsWith('.sql'));
    const files = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(FIXTURE, name)) })));
    expect(await readFile(path.join(FIXTURE, 'atlas.sum'), 'utf8')).toBe(formatAtlasSum(computeAtlasSum(files)));
    const result = await readMigrationDirectory(FIXTURE);
    expect(result.format).toBe('atlas');
  });

  it.each([
    ['an edited file', async (d: string) => writeFile(path.join(d, '20240102090000_orders.sql'), '-- edited\nSELECT 1;\n'),
      /checksum of 20240102090000_orders\.sql does not match atlas\.sum/],
    ['a missing file', async (d: string) => unlink(path.join(d, '20240102090000_orders.sql')),
      /atlas\.sum lists 20240102090000_orders\.sql but it is missing/],
    ['an unlisted file', async (d: string) => writeFile(path.join(d, '20240104000000_extra.sql'), 'SELECT 1;\n'),
      /20240104000000_extra\.sql is not listed in atlas\.sum/],
    ['an edited total', async (d: string) => {
      const sum = await readFile(path.join(d, 'atlas.sum'), 'utf8');
      await writeFile(path.join(d, 'atlas.sum'), sum.replace(/^h1:./, 'h1:A'));
    }, /atlas\.sum total does not match/],
    ['no atlas.sum at all with the format named', async (d: string) => unlink(path.join(d, 'atlas.sum')), /atlas\.sum is missing/],
  ])('refuses %s', async (_name, change, message) => {
    const target = await copyFixture();
    await change(target);
    const error = await (_name.startsWith('no atlas.sum')
      ? readMigrationDirectory(target, { format: 'atlas' }).then(() => undefined, (e: unknown) => e as ReplayError)
      : readError(target));
    expect(error).toBeInstanceOf(ReplayError);
    expect(error?.message).toMatch(message);
    expect(error?.reason).toBe('replay');
  });
});

describe('Atlas file directives', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function atlasDir(files: Record<string, string>): Promise<string> {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sd-atlas-dir-'));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    const sum = computeAtlasSum(Object.entries(files).map(([name, text]) => input(name, text)));
    await writeFile(path.join(dir, 'atlas.sum'), formatAtlasSum(sum));
    return dir;
  }

  it('starts a clean replay at the last checkpoint file', async () => {
    const target = await atlasDir({
      '1_a.sql': 'CREATE TABLE a (id int);\n',
      '2_checkpoint.sql': '-- atlas:checkpoint\n\nCREATE TABLE a (id int);\n',
      '3_b.sql': 'CREATE TABLE b (id int);\n',
    });
    const result = await readMigrationDirectory(target);
    expect(result.files.map((f) => f.path)).toEqual(['2_checkpoint.sql', '3_b.sql']);
    expect(result.ignored).toEqual([{ path: '1_a.sql', reason: 'before checkpoint 2_checkpoint.sql' }]);
  });

  it('reads txmode only from a header separated by a blank line, as Atlas does', async () => {
    const target = await atlasDir({
      '1_a.sql': '-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (c);\n',
      '2_b.sql': '-- atlas:txmode none\nCREATE INDEX CONCURRENTLY j ON t (c);\n',
    });
    const result = await readMigrationDirectory(target);
    expect(result.files.map((f) => f.transaction)).toEqual([false, true]);
  });
});
