/**
 * The `text` format of `diff`: a summary a person reads in a terminal.
 */
import { changeSubject, type Change, type ChangeAction } from '../model/change.ts';
import { formatValue } from './value.ts';

const MARK: Record<ChangeAction, string> = { extra: '+', missing: '-', changed: '~' };
const MEANING: Record<ChangeAction, string> = {
  extra: 'in the database, not in the desired schema',
  missing: 'desired, not in the database',
  changed: 'attributes differ',
};

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
      lines.push(`      ${attribute.name}: expected ${formatValue(attribute.expected, VALUE_FORMAT)}, actual ${formatValue(attribute.actual, VALUE_FORMAT)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Values as JSON (a string's quotes show its spaces), index parts as SQL; long text is cut: `json` has it whole. */
const VALUE_FORMAT = { maxLength: 160, quoteStrings: true } as const;
