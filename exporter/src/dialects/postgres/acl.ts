/**
 * PostgreSQL ACL arithmetic: parsing `aclitem` text (`grantee=privileges/grantor`), the owner placeholder, the
 * built-in default ACL of each object kind, and the per-grantee difference between two ACLs as GRANT and REVOKE steps.
 * Pure functions; the differ's hook (`hooks.ts`) and the planner (`plan-privileges.ts`) both build on them.
 *
 * The owner problem: the desired schema is replayed in a scratch database (owned by `postgres` in PGlite, or by an
 * admin role on a dev server) while the live objects belong to e.g. `app`, and an expanded ACL names the owner
 * (`app=arwdDxt/app`). So the owner's own grants and the grantor of grants the owner made are read as the placeholder
 * {@link OWNER}; grants to any other role are compared as they are. Ownership itself is not compared.
 */

/**
 * Stands for "the object's owner" in a normalised ACL. The server prints a role name holding `=` in double quotes,
 * so no real role reads like this.
 */
export const OWNER = '=OWNER';

/** Every privilege letter in the server's own order (`ACL_ALL_RIGHTS_STR` of PostgreSQL 17, MAINTAIN last). */
export const PRIVILEGE_ORDER = 'arwdDxtXUCTcsAm';

/** SQL keyword of each privilege letter. */
export const PRIVILEGE_KEYWORDS: Readonly<Record<string, string>> = {
  a: 'INSERT',
  r: 'SELECT',
  w: 'UPDATE',
  d: 'DELETE',
  D: 'TRUNCATE',
  x: 'REFERENCES',
  t: 'TRIGGER',
  m: 'MAINTAIN',
  X: 'EXECUTE',
  U: 'USAGE',
  C: 'CREATE',
  T: 'TEMPORARY',
  c: 'CONNECT',
  s: 'SET',
  A: 'ALTER SYSTEM',
};

/** One parsed ACL item. Names are unquoted; `''` is PUBLIC; {@link OWNER} is the owner once normalised. */
export interface AclItem {
  readonly grantee: string;
  readonly grantor: string;
  /** Privilege letter → held WITH GRANT OPTION. */
  readonly privileges: ReadonlyMap<string, boolean>;
}

const ACL_ITEM = /^((?:"(?:[^"]|"")*"|[^="])*)=([A-Za-z*]*)\/(.*)$/;

/** A role name as `aclitemout` prints it: double-quoted (quotes doubled) unless only letters, digits and `_`. */
function unquoteRole(text: string): string {
  return text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1).replace(/""/g, '"') : text;
}

function quoteRole(name: string): string {
  if (name === OWNER || /^[A-Za-z0-9_]*$/.test(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** Parses one `aclitem` text; `null` when it is not one (kept verbatim by callers). */
export function parseAclItem(text: string): AclItem | null {
  const m = ACL_ITEM.exec(text);
  if (!m) return null;
  const privileges = new Map<string, boolean>();
  const letters = m[2] ?? '';
  for (let i = 0; i < letters.length; i += 1) {
    const letter = letters[i] as string;
    if (letter === '*') continue;
    privileges.set(letter, letters[i + 1] === '*');
  }
  return { grantee: unquoteRole(m[1] ?? ''), grantor: unquoteRole(m[3] ?? ''), privileges };
}

/** The item as the server prints it (letters in server order, `*` after a grantable one). */
export function formatAclItem(item: AclItem): string {
  const letters = sortLetters([...item.privileges.keys()])
    .map((l) => (item.privileges.get(l) ? `${l}*` : l))
    .join('');
  return `${quoteRole(item.grantee)}=${letters}/${quoteRole(item.grantor)}`;
}

/** Sorts privilege letters into the server's order. */
export function sortLetters(letters: readonly string[]): string[] {
  const rank = (l: string) => (PRIVILEGE_ORDER.includes(l) ? PRIVILEGE_ORDER.indexOf(l) : PRIVILEGE_ORDER.length);
  return [...letters].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Reads the owner as {@link OWNER} in an item's grantee and grantor. Without an owner the item is unchanged. */
export function withOwnerPlaceholder(item: AclItem, owner: string | undefined): AclItem {
  if (owner === undefined) return item;
  return {
    grantee: item.grantee === owner ? OWNER : item.grantee,
    grantor: item.grantor === owner ? OWNER : item.grantor,
    privileges: item.privileges,
  };
}

/** Removes privilege letters from an item (e.g. MAINTAIN against a server before 17); `null` when none is left. */
export function withoutLetters(item: AclItem, letters: string): AclItem | null {
  const privileges = new Map([...item.privileges].filter(([l]) => !letters.includes(l)));
  return privileges.size ? { ...item, privileges } : null;
}

/**
 * Parses an ACL with the owner read as {@link OWNER} and the letters in `drop` removed. Items that do not parse are
 * an error: they come from our own catalog query, so one that does not parse is a bug to hear about.
 */
export function parseAcl(acl: readonly string[], owner: string | undefined, drop = ''): AclItem[] {
  const out: AclItem[] = [];
  for (const text of acl) {
    const parsed = parseAclItem(text);
    if (!parsed) throw new Error(`postgres: cannot read the ACL item ${JSON.stringify(text)}`);
    const item = withoutLetters(withOwnerPlaceholder(parsed, owner), drop);
    if (item) out.push(item);
  }
  return out;
}

/** Object kinds with a built-in default ACL (`acldefault`), plus columns (whose default is empty). */
export type AclObjectKind = 'table' | 'sequence' | 'routine' | 'schema' | 'column';

/**
 * The ACL an object of `kind` gets when it is created (without ALTER DEFAULT PRIVILEGES), in placeholder form:
 * `acldefault` of PostgreSQL. `maintain` says whether the server has MAINTAIN (17+), which owners of tables hold.
 */
export function defaultAcl(kind: AclObjectKind, maintain: boolean): AclItem[] {
  const owner = (letters: string): AclItem => ({
    grantee: OWNER,
    grantor: OWNER,
    privileges: new Map([...letters].map((l) => [l, false])),
  });
  switch (kind) {
    case 'table':
      return [owner(maintain ? 'arwdDxtm' : 'arwdDxt')];
    case 'sequence':
      return [owner('rwU')];
    case 'routine':
      return [owner('X'), { grantee: '', grantor: OWNER, privileges: new Map([['X', false]]) }];
    case 'schema':
      return [owner('UC')];
    case 'column':
      return [];
  }
}

/** One GRANT or REVOKE of some privileges of one grantee. */
export interface AclStep {
  readonly action: 'grant' | 'revoke';
  /** Role name, `''` for PUBLIC, {@link OWNER} for the object's owner. */
  readonly grantee: string;
  /** Letters in server order. */
  readonly privileges: string[];
  /** GRANT ... WITH GRANT OPTION, or REVOKE GRANT OPTION FOR (the privilege itself stays). */
  readonly grantOption: boolean;
}

/** What {@link aclSteps} returns: the steps, and the differing items it cannot reach (granted by another role). */
export interface AclDelta {
  readonly steps: AclStep[];
  /** Items granted by a role other than the owner that differ: GRANT/REVOKE run as the owner cannot touch them. */
  readonly foreign: AclItem[];
}

function byGrantee(items: readonly AclItem[]): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  for (const item of items) {
    if (item.grantor !== OWNER) continue;
    const held = out.get(item.grantee) ?? new Map<string, boolean>();
    for (const [letter, option] of item.privileges) held.set(letter, (held.get(letter) ?? false) || option);
    out.set(item.grantee, held);
  }
  return out;
}

function sameItem(a: AclItem, b: AclItem): boolean {
  return formatAclItem(a) === formatAclItem(b);
}

/**
 * The steps that turn ACL `current` into `desired` (both parsed in placeholder form), per grantee, revokes first:
 * - a privilege held now and not wanted: REVOKE;
 * - a privilege held WITH GRANT OPTION and wanted without it: REVOKE GRANT OPTION FOR;
 * - a privilege wanted and not held: GRANT (WITH GRANT OPTION when wanted so);
 * - a privilege held without the option and wanted with it: GRANT ... WITH GRANT OPTION.
 * Only items the owner granted are reached; other differing items are returned as `foreign`. Grantees and
 * letters are in a fixed order, so the result is deterministic.
 */
export function aclSteps(current: readonly AclItem[], desired: readonly AclItem[]): AclDelta {
  const foreign = [
    ...current.filter((c) => c.grantor !== OWNER && !desired.some((d) => sameItem(c, d))),
    ...desired.filter((d) => d.grantor !== OWNER && !current.some((c) => sameItem(c, d))),
  ];
  const now = byGrantee(current);
  const want = byGrantee(desired);
  const grantees = [...new Set([...now.keys(), ...want.keys()])].sort(compareGrantees);
  const revokes: AclStep[] = [];
  const grants: AclStep[] = [];
  for (const grantee of grantees) {
    const held = now.get(grantee) ?? new Map<string, boolean>();
    const wanted = want.get(grantee) ?? new Map<string, boolean>();
    const pick = (map: ReadonlyMap<string, boolean>, test: (letter: string, option: boolean) => boolean) =>
      sortLetters([...map].filter(([l, o]) => test(l, o)).map(([l]) => l));
    const step = (action: AclStep['action'], privileges: string[], grantOption: boolean) =>
      privileges.length ? [{ action, grantee, privileges, grantOption }] : [];
    revokes.push(...step('revoke', pick(held, (l) => !wanted.has(l)), false));
    revokes.push(...step('revoke', pick(held, (l, o) => o && wanted.get(l) === false), true));
    grants.push(...step('grant', pick(wanted, (l, o) => !o && !held.has(l)), false));
    grants.push(...step('grant', pick(wanted, (l, o) => o && held.get(l) !== true), true));
  }
  return { steps: [...revokes, ...grants], foreign };
}

/** Owner first, then PUBLIC, then roles by name. */
function compareGrantees(a: string, b: string): number {
  const rank = (g: string) => (g === OWNER ? 0 : g === '' ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The common grantor of an ACL's items, when they all share one: the owner, for a snapshot without `owner`. */
export function inferOwner(acl: readonly string[] | undefined): string | undefined {
  const grantors = new Set((acl ?? []).map((text) => parseAclItem(text)?.grantor));
  const [only] = grantors;
  return grantors.size === 1 && only ? only : undefined;
}
