import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';
import type { GrafanaTheme2, IconName } from '@grafana/data';
import { Badge, LinkButton, RadioButtonGroup, Tooltip, useStyles2, useTheme2 } from '@grafana/ui';
import type { BadgeColor } from '@grafana/ui';

import type { ExporterLinks, HeaderModel, ReportStatus } from '../data/index.ts';
import type { ViewKind } from '../types.ts';
import type { HeaderProps } from '../view-props.ts';
import { driftPalette } from './drift-palette.ts';
import { TEST_IDS } from './test-ids.ts';

const VIEW_LABELS: Record<ViewKind, string> = { erd: 'ERD', sql: 'SQL diff', changes: 'Changes' };

/** How each report status is shown: in sync green, drift red, pending blue, deploying orange, dirty purple, error red. */
export const STATUS_BADGE: Record<ReportStatus, { text: string; color: BadgeColor; icon: IconName }> = {
  in_sync: { text: 'In sync', color: 'green', icon: 'check' },
  drift: { text: 'Drift', color: 'red', icon: 'exclamation-triangle' },
  pending: { text: 'Pending migrations', color: 'blue', icon: 'clock-nine' },
  deploying: { text: 'Deploy in flight', color: 'orange', icon: 'sync' },
  dirty: { text: 'Dirty migration', color: 'purple', icon: 'exclamation-triangle' },
  error: { text: 'Check failed', color: 'red', icon: 'times' },
};

function StatusBadge({ header }: { header: HeaderModel | null }): React.JSX.Element {
  const status = header?.status ?? null;
  const shown = status ? STATUS_BADGE[status] : { text: 'Not checked yet', color: 'darkgrey' as const, icon: 'clock-nine' as const };
  return (
    <span data-testid={TEST_IDS.statusBadge} data-status={status ?? 'none'}>
      <Badge text={shown.text} color={shown.color} icon={shown.icon} />
    </span>
  );
}

function Counts({ header }: { header: HeaderModel }): React.JSX.Element | null {
  const styles = useStyles2(getStyles);
  const palette = driftPalette(useTheme2());
  const counts = header.counts;
  if (!counts) return null;
  return (
    <span className={styles.counts} data-testid={TEST_IDS.counts} data-total={counts.total}>
      <strong>{counts.total}</strong> change{counts.total === 1 ? '' : 's'}
      {counts.total > 0 && (
        <>
          {': '}
          <span style={{ color: palette.extra.main }}>{counts.extra} extra</span>
          {' · '}
          <span style={{ color: palette.missing.main }}>{counts.missing} missing</span>
          {' · '}
          <span style={{ color: palette.changed.main }}>{counts.changed} changed</span>
        </>
      )}
      {header.pending ? ` · ${header.pending} pending migration${header.pending === 1 ? '' : 's'}` : ''}
    </span>
  );
}

/** `checked 5 minutes ago (4.2 s)`, and the time itself (in the dashboard's time zone) for the tooltip. */
function checkedAt(header: HeaderModel): { text: string; exact: string } | null {
  if (!header.checkedAt) return null;
  const took = header.durationMs === null ? '' : ` (${(header.durationMs / 1000).toFixed(1)} s)`;
  return {
    text: `checked ${dateTimeFormatTimeAgo(header.checkedAt)}${took}`,
    exact: dateTimeFormat(header.checkedAt, { format: 'YYYY-MM-DD HH:mm:ss' }),
  };
}

/** The exporter's report, its reconcile script and the runbook section of the status, each in a new tab. */
function Links({ links }: { links: ExporterLinks }): React.JSX.Element {
  const common = { size: 'sm' as const, variant: 'secondary' as const, fill: 'text' as const, target: '_blank', rel: 'noopener noreferrer' };
  return (
    <span data-testid={TEST_IDS.headerLinks}>
      <LinkButton {...common} icon="file-alt" href={links.report} tooltip="The stored report (JSON)" data-testid={TEST_IDS.linkReport}>
        Report
      </LinkButton>
      <LinkButton {...common} icon="download-alt" href={links.reconcile} tooltip="Reconcile script (SQL)" data-testid={TEST_IDS.linkReconcile}>
        Reconcile SQL
      </LinkButton>
      <LinkButton {...common} icon="book" href={links.runbook} tooltip="What to do: the alert runbook" data-testid={TEST_IDS.linkRunbook}>
        Runbook
      </LinkButton>
    </span>
  );
}

/**
 * The panel's status line: target, status badge (in sync / drift / pending / deploying / dirty / error with its
 * message), when it was checked, the counts, links to the exporter (option `exporterUrl`) and the view switch. One
 * line; it wraps in narrow panels and the error message is
 * cut with its full text as tooltip.
 */
export function SchemaDriftHeader({ model, view, onViewChange, availableViews, links }: HeaderProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const header = model.header;
  const options = (Object.keys(VIEW_LABELS) as ViewKind[]).map((value) => ({
    value,
    label: VIEW_LABELS[value],
    disabled: !availableViews.includes(value),
  }));
  const version = header?.deployedVersion ? `${header.migrationTool ?? 'version'} ${header.deployedVersion}` : null;
  const checked = header ? checkedAt(header) : null;
  return (
    <div className={styles.header} data-testid={TEST_IDS.header}>
      <span className={styles.target} title={header?.displayUrl ?? undefined}>
        {header?.target ?? 'unknown target'}
      </span>
      <StatusBadge header={header} />
      {header?.error && (
        <Tooltip content={`${header.error.reason}: ${header.error.message}`}>
          <span className={styles.error} data-testid={TEST_IDS.headerError}>
            {header.error.reason}: {header.error.message}
          </span>
        </Tooltip>
      )}
      {header && <Counts header={header} />}
      {(checked || version) && (
        <span className={styles.muted}>
          {checked && (
            <span title={checked.exact} data-testid={TEST_IDS.headerChecked}>
              {checked.text}
            </span>
          )}
          {checked && version ? ' · ' : ''}
          {version}
        </span>
      )}
      <span className={styles.spacer} />
      {links && <Links links={links} />}
      <RadioButtonGroup<ViewKind> size="sm" options={options} value={view} onChange={onViewChange} />
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  return {
    header: css({
      display: 'flex',
      alignItems: 'center',
      gap: theme.spacing(1),
      minHeight: 40,
      padding: theme.spacing(0.5, 1),
      overflow: 'hidden',
      whiteSpace: 'nowrap',
    }),
    target: css({ fontWeight: theme.typography.fontWeightMedium, fontSize: theme.typography.h5.fontSize }),
    counts: css({ fontSize: theme.typography.bodySmall.fontSize }),
    muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
    error: css({
      color: theme.colors.error.text,
      fontSize: theme.typography.bodySmall.fontSize,
      overflow: 'hidden',
      textOverflow: 'ellipsis',
      minWidth: 0,
      flex: '0 1 auto',
    }),
    spacer: css({ flex: '1 1 auto' }),
  };
}
