/**
 * The statement kinds pinned beside the convergence fixtures: how SQL both planners write is named, and the
 * `expected.json` format round-trips.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatExpectedPlans, readExpectedPlans, runKey, statementKind, unknownPinnedRuns, type ExpectedPlans, type KindDialect } from './expected-plan.ts';

describe('statementKind', () => {
  it.each<[KindDialect, string, string]>([
    ['postgres', 'CREATE TABLE public.t ( id bigint NOT NULL );', 'CREATE TABLE'],
    ['postgres', 'CREATE UNIQUE INDEX CONCURRENTLY t_b ON public.t USING btree (b) WHERE (b > 0);', 'CREATE UNIQUE INDEX CONCURRENTLY'],
    ['postgres', 'DROP INDEX CONCURRENTLY public.t_a_idx;', 'DROP INDEX CONCURRENTLY'],
    ['postgres', 'ALTER TABLE public.t ALTER COLUMN n TYPE bigint USING n::bigint;', 'ALTER TABLE … ALTER COLUMN … TYPE'],
    ['postgres', 'ALTER TABLE public.t ALTER COLUMN c SET DEFAULT CURRENT_TIMESTAMP;', 'ALTER TABLE … ALTER COLUMN … SET DEFAULT'],
    ['postgres', "ALTER TABLE public.d ALTER COLUMN d SET DEFAULT ARRAY['x'::text, 'it''s'::text];", 'ALTER TABLE … ALTER COLUMN … SET DEFAULT'],
    ['postgres', 'ALTER TABLE "My"."T" ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p(id) ON DELETE CASCADE;', 'ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY'],
    ['postgres', 'ALTER TABLE public.k ADD CONSTRAINT c CHECK ((a > 0)) NOT VALID;', 'ALTER TABLE … ADD CONSTRAINT … CHECK NOT VALID'],
    ['postgres', 'ALTER TABLE public.k VALIDATE CONSTRAINT c;', 'ALTER TABLE … VALIDATE CONSTRAINT'],
    ['postgres', "ALTER TYPE public.mood ADD VALUE 'ok' AFTER 'sad';", 'ALTER TYPE … ADD VALUE'],
    ['postgres', 'ALTER TYPE public.c DROP ATTRIBUTE a, ALTER ATTRIBUTE b TYPE bigint;', 'ALTER TYPE … DROP ATTRIBUTE, ALTER ATTRIBUTE … TYPE'],
    ['postgres', 'ALTER POLICY p ON public.s TO a, b USING ((owner = CURRENT_USER));', 'ALTER POLICY … TO'],
    ['postgres', 'DROP TYPE public.t CASCADE;', 'DROP TYPE CASCADE'],
    ['postgres', "COMMENT ON COLUMN public.t.c IS 'login';", 'COMMENT ON COLUMN'],
    ['postgres', 'CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a, 1 $$;', 'CREATE OR REPLACE FUNCTION'],
    ['mysql', 'ALTER TABLE `a` DROP INDEX `x`, DROP INDEX `y`, RENAME INDEX `o` TO `n`, ADD UNIQUE KEY `u` (`s`);', 'ALTER TABLE … DROP INDEX ×2, RENAME INDEX … TO, ADD UNIQUE KEY'],
    ['mysql', "ALTER TABLE `l` MODIFY COLUMN `n` varchar(20) COLLATE utf8mb4_bin NULL DEFAULT 'a,b', DEFAULT CHARSET=utf8mb4;", 'ALTER TABLE … MODIFY COLUMN, DEFAULT CHARSET'],
    ['mysql', "ALTER TABLE `s` MODIFY COLUMN `q` varchar(9) NULL DEFAULT 'it\\'s, here';", 'ALTER TABLE … MODIFY COLUMN'],
    ['mysql', 'ALTER TABLE `o` ADD CONSTRAINT `fk` FOREIGN KEY (`c`) REFERENCES `p` (`id`);', 'ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY'],
    ['mysql', 'CREATE OR REPLACE ALGORITHM=MERGE DEFINER=`root`@`localhost` SQL SECURITY INVOKER VIEW `v` AS select 1;', 'CREATE OR REPLACE VIEW'],
    ['mysql', 'ALTER EVENT `e` ON SCHEDULE EVERY 1 DAY DO SELECT 1;', 'ALTER EVENT … SCHEDULE EVERY'],
  ])('%s: %s', (dialect, sql, kind) => {
    expect(statementKind(sql, dialect)).toBe(kind);
  });
});

describe('expected.json', () => {
  it('names runs a-to-b, b-to-a and a-to-b-concurrently', () => {
    expect([runKey('a.sql', 'b.sql'), runKey('b.sql', 'a.sql'), runKey('a.sql', 'b.sql', true)]).toEqual(['a-to-b', 'b-to-a', 'a-to-b-concurrently']);
  });

  it('round-trips one statement a line, and reports unknown runs and bad hazards', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sd-expected-'));
    try {
      const plans: ExpectedPlans = {
        'b-to-a': [{ kind: 'DROP TABLE', hazards: ['data_loss'] }],
        'a-to-b': [
          { kind: 'CREATE TABLE', hazards: [] },
          { kind: 'CREATE INDEX', hazards: ['heavy_lock'] },
        ],
      };
      const text = formatExpectedPlans(plans);
      expect(text).toContain('    { "kind": "CREATE INDEX", "hazards": ["heavy_lock"] }');
      expect(text.indexOf('"a-to-b"')).toBeLessThan(text.indexOf('"b-to-a"'));
      writeFileSync(path.join(dir, 'expected.json'), text);
      expect(readExpectedPlans(dir)).toEqual(plans);
      expect(unknownPinnedRuns(dir, ['a-to-b'])).toEqual(['b-to-a']);
      writeFileSync(path.join(dir, 'expected.json'), '{ "a-to-b": [{ "kind": "CREATE TABLE", "hazards": ["slow"] }] }');
      expect(() => readExpectedPlans(dir)).toThrow(/"a-to-b"\[0\] needs a "kind" string and "hazards" from/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
