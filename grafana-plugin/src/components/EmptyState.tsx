import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, IconName } from '@grafana/data';
import { Icon, useStyles2 } from '@grafana/ui';

/** Props of {@link EmptyState}. */
export interface EmptyStateProps {
  /** `ok` for good news (no drift: success colour and a check mark), `neutral` for nothing to show. */
  tone: 'ok' | 'neutral';
  title: string;
  children?: React.ReactNode;
  testId?: string;
  /** Fill the parent and centre (a whole view), or sit inline at the top (a section of a view). */
  fill?: boolean;
}

const ICONS: Record<EmptyStateProps['tone'], IconName> = { ok: 'check-circle', neutral: 'info-circle' };

/**
 * What a view shows instead of an empty table or panel: an icon, a one-line title and why. "No drift" is good news
 * and reads as such (success colour), so an in-sync target is not mistaken for missing data.
 */
export function EmptyState({ tone, title, children, testId, fill = false }: EmptyStateProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  return (
    <div className={fill ? styles.fill : styles.inline} data-testid={testId} data-tone={tone}>
      <Icon name={ICONS[tone]} size={fill ? 'xxl' : 'lg'} className={tone === 'ok' ? styles.ok : styles.neutral} />
      <strong className={tone === 'ok' ? styles.ok : undefined}>{title}</strong>
      {children && <span className={styles.text}>{children}</span>}
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  const base = { display: 'flex', flexDirection: 'column' as const, alignItems: 'center', textAlign: 'center' as const, gap: theme.spacing(1) };
  return {
    fill: css(base, { height: '100%', justifyContent: 'center', padding: theme.spacing(2) }),
    inline: css(base, { padding: theme.spacing(3, 2) }),
    ok: css({ color: theme.colors.success.text }),
    neutral: css({ color: theme.colors.text.secondary }),
    text: css({ color: theme.colors.text.secondary, maxWidth: 480 }),
  };
}
