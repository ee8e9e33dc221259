/**
 * The `text` format of `diff`: a summary a person reads in a terminal.
 */
import { changeSubject, type Change, type ChangeAction } from '../model/change.ts';

const MARK: Record<ChangeAction, string> = { extra: '+', missing: '-', changed: '~' };
const MEANING: Record<ChangeAction, string> = {
  extra: 'in the database, not in the desired schema',
  missing: 'desired, not in the database',
  changed: 'attributes differ',
};
const MAX_VALUE = 160;

/** Counts of changes by action. */
export function countByAction(changes: readonly Change[]): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { extra: 0, missing: 0, changed: 0 };
  for (const change of changes) counts[change.action] += 1;
  return counts;
}

/** One line a change, then its differing attributes as `expected … actual …`, indented. */
export function renderChangesText(changes: readonly Change[], labels: { current: string; desired: string }): string {
  if (changes.length === 0) return `No drift: ${labels.current} matches ${labels.desired}.\n`;
  const counts = countByAction(changes);
  const lines = [
    `${changes.length} difference${changes.length === 1 ? '' : 's'} between ${labels.current} (current) and ${labels.desired} (desired): ` +
      `${counts.extra} extra, ${counts.missing} missing, ${counts.changed} changed`,
    '',
  ];
  for (const change of changes) {
    lines.push(`  ${MARK[change.action]} ${changeSubject(change)}  (${change.action}: ${MEANING[change.action]})`);
    for (const attribute of change.attributes) {
      lines.push(`      ${attribute.name}: expected ${formatValue(attribute.expected)}, actual ${formatValue(attribute.actual)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** JSON for scalars and short values; long or multi-line text is shortened, since the `json` format has it whole. */
function formatValue(value: unknown): string {
  if (value === undefined) return 'none';
  let text = JSON.stringify(value) ?? String(value);
  text = text.replace(/\\n\s*/g, ' ');
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
