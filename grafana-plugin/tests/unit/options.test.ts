import { PanelOptionsEditorBuilder, standardEditorsRegistry } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import { buildPanelOptions } from '../../src/options.ts';
import { DEFAULT_OPTIONS } from '../../src/types.ts';
import type { SchemaDriftOptions } from '../../src/types.ts';

// Grafana registers its standard option editors (React components from @grafana/ui) at start-up; the builder only
// looks them up by id, so ids with an empty editor are enough to run the real builder here.
standardEditorsRegistry.setInit(() =>
  ['radio', 'boolean', 'text', 'number'].map((id) => ({ id, name: id, editor: () => null })),
);

describe('panel options editor', () => {
  const items = buildPanelOptions(new PanelOptionsEditorBuilder<SchemaDriftOptions>()).getItems();

  it('has one editor per option, each defaulting to DEFAULT_OPTIONS', () => {
    expect(Object.fromEntries(items.map((item) => [item.path, item.defaultValue]))).toEqual(DEFAULT_OPTIONS);
  });

  it.each([
    ['defaultView', ['erd', 'sql', 'changes']],
    ['layoutDirection', ['TB', 'LR']],
    ['sqlDiffMode', ['split', 'unified']],
  ])('offers the values of %s', (path, values) => {
    const item = items.find((i) => i.path === path);
    const options = (item?.settings as { options?: Array<{ value: string }> } | undefined)?.options ?? [];
    expect(options.map((o) => o.value)).toEqual(values);
  });
});
