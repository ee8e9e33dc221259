import './prism-manual.ts';
import Prism from 'prismjs';
import 'prismjs/components/prism-sql.js';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/**
 * SQL syntax highlighting with Prism (its `sql` grammar), one line at a time so each diff row highlights on its own.
 * Prism escapes the text it returns, so the HTML is safe to insert.
 */
export function highlightSqlLine(text: string): string {
  const grammar = Prism.languages['sql'];
  return grammar ? Prism.highlight(text, grammar, 'sql') : escapeHtml(text);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Token colours from the theme's visualization palette (readable on light and dark backgrounds). */
export function tokenStyles(theme: GrafanaTheme2): string {
  const color = (name: string) => theme.visualization.getColorByName(name);
  const dark = theme.isDark;
  return css({
    '.token.comment': { color: theme.colors.text.secondary, fontStyle: 'italic' },
    '.token.keyword': { color: color(dark ? 'blue' : 'dark-blue'), fontWeight: 500 },
    '.token.string': { color: color(dark ? 'green' : 'dark-green') },
    '.token.number, .token.boolean': { color: color(dark ? 'orange' : 'dark-orange') },
    '.token.function': { color: color(dark ? 'purple' : 'dark-purple') },
    '.token.operator, .token.punctuation': { color: theme.colors.text.secondary },
    '.token.identifier': { color: theme.colors.text.primary },
  });
}
