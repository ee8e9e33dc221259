/**
 * Hostile migration directories: symlinks out of the directory, FIFOs, devices and files that are not UTF-8 are
 * refused with an error naming the file, and the contents of a file outside the directory never reach a message;
 * first through the reader, then through the real command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { BIN } from '../agent/support.ts';

const SECRET = 'Outside-pw-s3cret-4711';
let root: string;
/** A password file of "another target", outside every migration directory. */
let secretFile: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sd-fault-migrations-'));
  secretFile = path.join(root, 'other-target-password');
  await writeFile(secretFile, `${SECRET}\n`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A golang-migrate directory with one good migration; `add` puts the hostile entry in. */
async function directory(name: string, add: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir);
  await writeFile(path.join(dir, '1_init.up.sql'), 'CREATE TABLE t (id int);\n');
  await add(dir);
  return dir;
}

async function refusal(dir: string): Promise<ReplayError> {
  const err = await readMigrationDirectory(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReplayError);
  return err as ReplayError;
}

describe('readMigrationDirectory refuses', () => {
  it('a symlinked migration that resolves outside the directory, naming the link, never the target or its text', async () => {
    const dir = await directory('link-out', (d) => symlink(secretFile, path.join(d, '2_steal.up.sql')));
    const err = await refusal(dir);
    expect(err.context.file).toBe(path.join(dir, '2_steal.up.sql'));
    expect(err.message).toBe('2_steal.up.sql is a symlink that resolves outside the migration directory: refused');
    expect(err.describe()).not.toContain(SECRET);
    expect(err.describe()).not.toContain('other-target-password');
  });

  it('a symlink to /etc/passwd, and a symlinked folder that leaves the directory', async () => {
    const passwd = await directory('link-passwd', (d) => symlink('/etc/passwd', path.join(d, '2_x.up.sql')));
    expect((await refusal(passwd)).message).toMatch(/^2_x\.up\.sql is a symlink that resolves outside/);
    const folder = await directory('link-folder', (d) => symlink(root, path.join(d, 'shared')));
    expect((await refusal(folder)).message).toMatch(/^shared is a symlink that resolves outside/);
  });

  it('follows a symlink that stays inside the directory', async () => {
    const dir = await directory('link-in', async (d) => {
      await writeFile(path.join(d, 'body.sql.txt'), 'CREATE TABLE u (id int);\n');
      await symlink('body.sql.txt', path.join(d, '2_u.up.sql'));
    });
    const read = await readMigrationDirectory(dir);
    expect(read.files.map((f) => [f.path, f.sql])).toEqual([
      ['1_init.up.sql', 'CREATE TABLE t (id int);\n'],
      ['2_u.up.sql', 'CREATE TABLE u (id int);\n'],
    ]);
  });

  it('a FIFO, which would block the read forever', async () => {
    const dir = await directory('fifo', async (d) => {
      execFileSync('mkfifo', [path.join(d, '2_wait.up.sql')]);
    });
    const err = await refusal(dir);
    expect([err.message, err.context.file]).toEqual(['2_wait.up.sql is a FIFO (named pipe), not a regular file: refused', path.join(dir, '2_wait.up.sql')]);
  });

  it('a character device', async () => {
    if (process.getuid?.() !== 0) throw new Error('mknod needs root');
    const dir = await directory('device', async (d) => {
      execFileSync('mknod', [path.join(d, 'zero'), 'c', '1', '5']);
    });
    expect((await refusal(dir)).message).toBe('zero is a character device, not a regular file: refused');
  });

  it('a migration that is not UTF-8, naming its line; a non-migration binary file is only ignored', async () => {
    const dir = await directory('latin1', async (d) => {
      await writeFile(path.join(d, '2_names.up.sql'), Buffer.concat([Buffer.from("-- ok\nINSERT INTO t VALUES (1); -- caf"), Buffer.from([0xe9]), Buffer.from('\n')]));
    });
    const err = await refusal(dir);
    expect([err.message, err.context.file, err.context.line]).toEqual([
      '2_names.up.sql is not valid UTF-8 text; save it as UTF-8',
      path.join(dir, '2_names.up.sql'),
      2,
    ]);
    const image = await directory('image', (d) => writeFile(path.join(d, 'diagram.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe])));
    const read = await readMigrationDirectory(image);
    expect(read.files.map((f) => f.path)).toEqual(['1_init.up.sql']);
    expect((read.ignored ?? []).map((i) => i.path)).toContain('diagram.png');
  });
});

describe('the real command', () => {
  it('refuses a directory whose migration links to another target\'s password file, without printing it', async () => {
    const dir = await directory('cli-link', (d) => symlink(secretFile, path.join(d, '2_steal.up.sql')));
    const result = spawnSync(process.execPath, [BIN, 'inspect', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${path.join(dir, '2_steal.up.sql')}: 2_steal.up.sql is a symlink that resolves outside the migration directory`);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
