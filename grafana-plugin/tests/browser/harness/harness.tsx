/**
 * The browser tests' harness page: the plugin's own top component (`SchemaDriftPanel`) rendered with the frames of a
 * fixture, inside the real @grafana/ui theme (`ThemeContext` of @grafana/data 13 with `createTheme`), sized like a
 * dashboard panel. Query string: `fixture` (file name in `../fixtures` without `.json`), `theme` (`light`|`dark`),
 * `width`, `height`, `options` (JSON merged over the panel defaults), `publicPath` (where the layout worker is
 * looked for, default `/`, as webpack's public path is in Grafana; a wrong one tests the main-thread fallback).
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, dataFrameFromJSON, LoadingState, ThemeContext, getDefaultTimeRange } from '@grafana/data';
import type { DataFrameJSON, PanelProps } from '@grafana/data';
import { GlobalStyles, PortalContainer } from '@grafana/ui';

import { SchemaDriftPanel } from '../../../src/components/SchemaDriftPanel.tsx';
import { DEFAULT_OPTIONS } from '../../../src/types.ts';
import type { SchemaDriftOptions } from '../../../src/types.ts';

interface Fixture {
  frames: DataFrameJSON[];
}

declare global {
  interface Window {
    /** Set once the panel has been handed its frames (the tests wait for it). */
    harnessReady?: boolean;
    /** Milliseconds from receiving the fixture to the first committed render of the panel. */
    harnessRenderMs?: number;
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const mode = params.get('theme') === 'light' ? 'light' : 'dark';
  const width = Number(params.get('width') ?? 1280);
  const height = Number(params.get('height') ?? 760);
  const options: SchemaDriftOptions = { ...DEFAULT_OPTIONS, ...(JSON.parse(params.get('options') ?? '{}') as object) };
  // What webpack's `__webpack_public_path__` is in the built plugin; here a global the panel's code reads.
  (globalThis as { __webpack_public_path__?: string }).__webpack_public_path__ = params.get('publicPath') ?? '/';
  const fixtureName = params.get('fixture');
  const fixture: Fixture = fixtureName
    ? ((await (await fetch(`/fixtures/${fixtureName}.json`)).json()) as Fixture)
    : { frames: [] };
  const series = fixture.frames.map((frame) => dataFrameFromJSON(frame));
  const theme = createTheme({ colors: { mode } });

  const timeRange = getDefaultTimeRange();
  const props = {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange },
    timeRange,
    timeZone: 'utc',
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width,
    height,
    renderCounter: 0,
    title: 'Schema drift',
    eventBus: undefined,
    replaceVariables: (value: string) => value,
    onOptionsChange: () => undefined,
    onFieldConfigChange: () => undefined,
    onChangeTimeRange: () => undefined,
  } as unknown as PanelProps<SchemaDriftOptions>;

  const started = performance.now();
  const root = document.getElementById('root');
  if (!root) throw new Error('harness: no #root element');
  createRoot(root).render(
    <ThemeContext.Provider value={theme}>
      {/* Grafana's own global styles (fonts, sizes, body colours) and the portal root its overlays use. */}
      <GlobalStyles />
      <div style={{ padding: 8, background: theme.colors.background.canvas }}>
        <div
          style={{
            width,
            height,
            background: theme.colors.background.primary,
            border: `1px solid ${theme.colors.border.weak}`,
            borderRadius: theme.shape.radius.default,
          }}
        >
          <SchemaDriftPanel {...props} />
        </div>
      </div>
      <PortalContainer />
    </ThemeContext.Provider>,
  );
  requestAnimationFrame(() => {
    window.harnessRenderMs = performance.now() - started;
    window.harnessReady = true;
  });
}

void main();
