/**
 * Must be imported before `prismjs`: tells Prism not to highlight the host page by itself on load (Prism scans the
 * document for `language-*` classes unless `Prism.manual` is set first), which inside Grafana would touch
 * elements that are not ours.
 */
const g = globalThis as { Prism?: { manual?: boolean } };
g.Prism = { ...(g.Prism ?? {}), manual: true };

export {};
