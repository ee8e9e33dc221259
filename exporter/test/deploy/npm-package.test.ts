/**
 * The installable package, as a user outside the repository gets it: `npm pack` of the exporter (its prepack compiles
 * the sources to dist/), `npm install -g` of the tarball into a temporary prefix (dependencies from the npm cache
 * `npm ci` filled, else the registry), then the `schema-drift` command run from an unrelated directory, with paths
 * relative to it. A Node older than 22.15 gets one line naming the Node it needs.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './repo.ts';

/** The npm that runs the tests (the one on PATH, which runs on the Node first on PATH). */
function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

describe('the npm package of the exporter', () => {
  let work: string;
  let tarball: string;
  let bin: string;
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'exporter/package.json'), 'utf8')) as { version: string }).version;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'sd-npm-package-'));
    npm(['pack', '--workspace', 'exporter', '--pack-destination', work], ROOT);
    tarball = path.join(work, `schema-drift-${version}.tgz`);
    npm(['install', '-g', '--prefix', path.join(work, 'prefix'), tarball, '--prefer-offline', '--no-audit', '--no-fund'], work);
    bin = path.join(work, 'prefix', 'bin', 'schema-drift');
    cpSync(path.join(ROOT, 'exporter/examples/migrations'), path.join(work, 'project', 'migrations'), { recursive: true });
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the compiled JavaScript, the examples and the runbook, not the TypeScript sources or the tests', () => {
    const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(listing).toContain('package/dist/cli/cli.js');
    expect(listing).toContain('package/dist/dialects/postgres/replay-child.js');
    expect(listing).toContain('package/docs/runbook.md');
    expect(listing).toContain('package/LICENSE');
    expect(listing.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/') || f.endsWith('.ts'))).toEqual([]);
  });

  it('runs from any directory, with paths relative to it, and replays in a child process of the compiled code', () => {
    const project = path.join(work, 'project');
    expect(spawnSync(bin, ['--version'], { cwd: project, encoding: 'utf8' }).stdout.trim()).toBe(version);
    const diff = spawnSync(bin, ['diff', '--from', './migrations', '--to', 'migrations'], { cwd: project, encoding: 'utf8', timeout: 180_000 });
    expect({ status: diff.status, stderr: diff.stderr }).toEqual({ status: 0, stderr: '' });
    expect(diff.stdout).toMatch(/^No drift: \.\/migrations matches migrations\.$/m);
    const installed = path.join(work, 'prefix', 'lib', 'node_modules', 'schema-drift');
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
    expect(readdirSync(path.join(installed, 'dist'))).toContain('cli');
  }, 240_000);

  it('on a Node older than 22.15, says which Node it needs and exits 2', (ctx) => {
    // Debian's own Node (20 on these machines), when it is there and old: the check runs before any import.
    const old = '/usr/bin/node';
    const versionOf = existsSync(old) ? spawnSync(old, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim() : '';
    const [major, minor] = versionOf.split('.').map(Number);
    if (!versionOf || (major ?? 0) > 22 || ((major ?? 0) === 22 && (minor ?? 0) >= 15)) ctx.skip();
    const run = spawnSync(old, [path.join(work, 'prefix', 'lib', 'node_modules', 'schema-drift', 'bin', 'schema-drift.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`schema-drift: needs Node.js >= 22.15 (this is v${versionOf}); scripts/with-node24 in the repository runs it on Node 24\n`);
  });
});
