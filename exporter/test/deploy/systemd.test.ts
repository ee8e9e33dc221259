/**
 * The systemd unit example (`deploy/systemd/schema-drift.service`) agrees with the agent: it runs the installed
 * command's `serve` with a configuration file, stops it with the signal the agent handles and gives it longer than the
 * agent's 10 s shutdown bound before SIGKILL, writes only the state directory the README's `dataDir` names, as a user of
 * its own.
 */
import { describe, expect, it } from 'vitest';
import { readRepoText } from './repo.ts';

/** `key=value` lines by section (later values of a key appended, as systemd does for lists). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      sections[section] = {};
      continue;
    }
    const eq = line.indexOf('=');
    expect(eq, `not key=value in [${section}]: ${line}`).toBeGreaterThan(0);
    const entries = (sections[section] ??= {});
    (entries[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return sections;
}

describe('deploy/systemd/schema-drift.service', () => {
  const unit = parseUnit(readRepoText('deploy/systemd/schema-drift.service'));
  const service = unit.Service ?? {};

  it('runs `schema-drift serve --config` as its own user, restarting on failure', () => {
    expect(service.ExecStart?.[0]).toMatch(/\bschema-drift serve --config \/etc\/schema-drift\/schema-drift\.yaml$/);
    expect(service.User).toEqual(['schema-drift']);
    expect(service.Restart).toEqual(['on-failure']);
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
  });

  it('stops with SIGTERM and waits longer than the agent\'s 30 s grace for running checks', () => {
    expect(service.KillSignal).toEqual(['SIGTERM']);
    expect(Number(service.TimeoutStopSec?.[0])).toBeGreaterThan(30);
  });

  it('may write only its state directory, which is the dataDir the README tells the configuration to use', () => {
    expect(service.StateDirectory).toEqual(['schema-drift']);
    expect(service.ReadWritePaths).toEqual(['/var/lib/schema-drift']);
    expect(service.ProtectSystem).toEqual(['strict']);
    expect(service.UMask).toEqual(['0077']);
    expect(readRepoText('README.md')).toContain('dataDir: /var/lib/schema-drift');
  });
});
