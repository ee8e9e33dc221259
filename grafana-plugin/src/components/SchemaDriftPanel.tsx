import React, { useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { canShowView, exporterLinks, framesToPanelModel, missingForView } from '../data/index.ts';
import type { PanelModel } from '../data/index.ts';
import type { SchemaDriftOptions, ViewKind } from '../types.ts';
import { ChangesView } from './ChangesView.tsx';
import { ErdView } from './ErdView.tsx';
import { SchemaDriftHeader } from './SchemaDriftHeader.tsx';
import { SqlView } from './SqlView.tsx';
import { TEST_IDS } from './test-ids.ts';

const VIEWS: readonly ViewKind[] = ['erd', 'sql', 'changes'];

/** Height left for the header; the view gets the rest of the panel. */
const HEADER_HEIGHT = 40;

/**
 * The panel: frames → model (pure, memoised), then the header and the selected view. It fetches nothing: all data
 * arrives as data frames from the dashboard's queries (see README "Frame contract").
 */
export function SchemaDriftPanel(props: PanelProps<SchemaDriftOptions>): React.JSX.Element {
  const { data, options, width, height, replaceVariables } = props;
  const styles = useStyles2(getStyles);
  const wantedTarget = options.target ? replaceVariables(options.target) : '';
  const model = useMemo(
    () => framesToPanelModel(data.series, { target: wantedTarget }),
    [data.series, wantedTarget],
  );
  const exporterUrl = options.exporterUrl ? replaceVariables(options.exporterUrl) : '';
  const links = useMemo(() => exporterLinks(exporterUrl, model), [exporterUrl, model]);
  const [view, setView] = useState<ViewKind>(options.defaultView);
  // A changed default in the editor takes effect at once, as users expect from panel options.
  useEffect(() => setView(options.defaultView), [options.defaultView]);

  if (model.completeness === 'no-data') {
    return (
      <div className={styles.message} data-testid={TEST_IDS.noData} style={{ width, height }}>
        <strong>No schema-drift data</strong>
        <span>
          Add queries for the exporter&apos;s views (refIds <code>targets</code>, <code>tables</code>,{' '}
          <code>columns</code>, <code>relations</code>, <code>changes</code>, <code>sql</code>,{' '}
          <code>statements</code>); see the plugin README.
        </span>
        <Problems problems={model.problems} className={styles.problems} />
      </div>
    );
  }

  const availableViews = VIEWS.filter((v) => canShowView(model, v));
  const viewHeight = Math.max(0, height - HEADER_HEIGHT);
  return (
    <div className={styles.root} data-testid={TEST_IDS.panel} style={{ width, height }}>
      <SchemaDriftHeader
        model={model}
        view={view}
        onViewChange={setView}
        availableViews={availableViews}
        links={links}
      />
      <div className={styles.view} style={{ height: viewHeight }}>
        {availableViews.includes(view) ? (
          renderView(view, model, options, width, viewHeight)
        ) : (
          <div className={styles.message} data-testid={TEST_IDS.viewMissing}>
            This view needs the <code>{missingForView(model, view)[0] ?? view}</code> frame, which the panel&apos;s
            queries do not return.
          </div>
        )}
      </div>
      <Problems problems={model.problems} className={styles.problems} />
    </div>
  );
}

function renderView(
  view: ViewKind,
  model: PanelModel,
  options: SchemaDriftOptions,
  width: number,
  height: number,
): React.JSX.Element {
  const props = { model, options, width, height };
  switch (view) {
    case 'erd':
      return <ErdView {...props} />;
    case 'sql':
      return <SqlView {...props} />;
    case 'changes':
      return <ChangesView {...props} />;
  }
}

function Problems({ problems, className }: { problems: string[]; className: string }): React.JSX.Element | null {
  if (problems.length === 0) {
    return null;
  }
  return (
    <div className={className} data-testid={TEST_IDS.problems} title={problems.join('\n')}>
      {problems.join('; ')}
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  return {
    root: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
    view: css({ position: 'relative', overflow: 'hidden', flex: '1 1 auto' }),
    message: css({
      display: 'flex',
      flexDirection: 'column',
      gap: theme.spacing(1),
      alignItems: 'center',
      justifyContent: 'center',
      textAlign: 'center',
      color: theme.colors.text.secondary,
      padding: theme.spacing(2),
    }),
    problems: css({
      color: theme.colors.warning.text,
      fontSize: theme.typography.bodySmall.fontSize,
      whiteSpace: 'nowrap',
      overflow: 'hidden',
      textOverflow: 'ellipsis',
    }),
  };
}
