// First: where the plugin's files are served from, before anything needs it.
import './public-path.ts';

import { PanelPlugin } from '@grafana/data';

import { SchemaDriftPanel } from './components/SchemaDriftPanel.tsx';
import { buildPanelOptions } from './options.ts';
import type { SchemaDriftOptions } from './types.ts';

/** The plugin Grafana loads from `module.js`: the panel component and its options editor. */
export const plugin = new PanelPlugin<SchemaDriftOptions>(SchemaDriftPanel).setPanelOptions(buildPanelOptions);
