/**
 * Concurrent DDL on an inspected database can make `pg_get_indexdef` & co. fail with XX000 "cache lookup failed"
 * (they read the current catalog, not the transaction's snapshot; seen in the end-to-end test's stress runs). Such a
 * read is retried in a new snapshot; any other error is not. The race cannot be forced on demand, so the decision and
 * the retry loop are tested on the error shapes the driver and the inspector produce.
 */
import { describe, expect, it } from 'vitest';
import { AuthError, InspectError } from '../../src/core/errors.ts';
import { isCatalogRace, withCatalogRaceRetry } from '../../src/dialects/postgres/inspect.ts';

const raceError = () => Object.assign(new Error('cache lookup failed for index 3664571'), { code: 'XX000' });

describe('catalog races during inspection', () => {
  it.each([
    ['the driver error itself', raceError(), true],
    ['wrapped by the inspector', new InspectError('inspecting constraints: cache lookup failed for index 1', {}, { cause: raceError() }), true],
    ['another internal error', Object.assign(new Error('could not open file'), { code: 'XX000' }), false],
    ['an auth error', new AuthError('permission denied for table t'), false],
    ['a plain message without the code', new Error('cache lookup failed for relation 5'), false],
  ])('%s: retried = %s', (_what, err, expected) => {
    expect(isCatalogRace(err)).toBe(expected);
  });

  it('reads again after a race and returns the second result', async () => {
    let calls = 0;
    const result = await withCatalogRaceRetry(async () => {
      calls += 1;
      if (calls === 1) throw new InspectError('inspecting indexes', {}, { cause: raceError() });
      return 'snapshot';
    });
    expect(result).toBe('snapshot');
    expect(calls).toBe(2);
  });

  it('gives up after the attempts, and never retries another error', async () => {
    let races = 0;
    await expect(withCatalogRaceRetry(async () => {
      races += 1;
      throw raceError();
    }, 3)).rejects.toThrow('cache lookup failed');
    expect(races).toBe(3);
    let others = 0;
    await expect(withCatalogRaceRetry(async () => {
      others += 1;
      throw new AuthError('password authentication failed');
    })).rejects.toBeInstanceOf(AuthError);
    expect(others).toBe(1);
  });
});
