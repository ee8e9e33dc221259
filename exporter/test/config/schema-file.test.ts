/**
 * `desired.dir` may name a single `.sql` schema file (format `schema`); another format on it, or a file that is not
 * `.sql`, is refused at load time, naming the line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
writeFileSync(join(fx.dir, 'structure.sql'), 'CREATE TABLE a (id int);\n');
afterAll(() => fx.remove());

const target = (desired: string) => `targets:
  - name: prod
    url: postgres://app@db/prod
    desired: ${desired}
`;

describe('a schema file as desired.dir', () => {
  it('is accepted, with or without format schema', async () => {
    for (const desired of ['{ dir: ./structure.sql }', '{ dir: structure.sql, format: schema }']) {
      const config = await fx.parse(target(desired));
      expect(config.targets[0]?.desired.dir).toBe(join(fx.dir, 'structure.sql'));
    }
  });

  it('a missing one is named as a schema file', async () => {
    expect(await fx.problems(target('{ dir: ./db/structure.sql }'))).toEqual([
      'schema-drift.yaml:4: targets[0].desired.dir: schema file does not exist: db/structure.sql',
    ]);
  });

  it('with another format, the format is refused', async () => {
    expect(await fx.problems(target('{ dir: structure.sql, format: flyway }'))).toEqual([
      `schema-drift.yaml:4: targets[0].desired.format: structure.sql is a single file, read as format schema; flyway needs a migration directory`,
    ]);
  });
});
