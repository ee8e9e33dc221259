/**
 * `GET /runbook`: the alert runbook (`docs/runbook.md`) rendered as a page, so the `runbook_url` of every alert rule
 * points at the exporter that raised it (`http://<instance>/runbook#<alertname>`) instead of a site that may not
 * exist. Headings get ids of their text lower-cased without spaces (`## SchemaDriftDetected` → `#schemadriftdetected`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Marked } from 'marked';

/**
 * Where the runbook is: beside the package in the npm package (`docs/runbook.md`, copied there when it is packed), else
 * in the repository and the Docker image (`/app/docs/runbook.md`).
 */
export const RUNBOOK_FILE = [new URL('../../docs/runbook.md', import.meta.url), new URL('../../../docs/runbook.md', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((file) => existsSync(file)) ?? fileURLToPath(new URL('../../../docs/runbook.md', import.meta.url));

/** The anchor of a heading: its text, lower-case, with everything but letters, digits and `-` removed. */
export function headingId(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9-]/g, '');
}

const STYLE = 'body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code,pre{background:#f4f4f4}pre{padding:.5rem;overflow:auto}';

/** Renders the runbook once (the file does not change while the agent runs). */
export function renderRunbookPage(markdown: string = readFileSync(RUNBOOK_FILE, 'utf8')): string {
  const marked = new Marked({
    renderer: {
      heading({ tokens, depth, text }) {
        return `<h${depth} id="${headingId(text)}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
  });
  const body = marked.parse(markdown, { async: false });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>schema-drift runbook</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}
