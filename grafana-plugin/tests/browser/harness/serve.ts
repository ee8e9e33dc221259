/**
 * A tiny static server for the browser tests, on 127.0.0.1 and a random port: the bundled harness and layout
 * worker, the fixtures,
 * and @grafana/ui's icon SVGs under the path Grafana serves them from (`public/build/img/icons/`), so icons render
 * as in Grafana. Nothing else is reachable; Chromium never needs the network.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

import { LAYOUT_WORKER_FILE } from '../../../src/components/erd/layout-protocol.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const require = createRequire(import.meta.url);
const ICONS = join(dirname(require.resolve('@grafana/ui/package.json')), 'dist/public/img/icons');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** A running harness server. */
export interface HarnessServer {
  url: string;
  close: () => Promise<void>;
}

function resolvePath(harnessDir: string, pathname: string): string | null {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  if (clean === '/' || clean === '/index.html') return join(harnessDir, 'index.html');
  if (clean === '/harness.js') return join(harnessDir, 'harness.js');
  if (clean === `/${LAYOUT_WORKER_FILE}`) return join(harnessDir, LAYOUT_WORKER_FILE);
  const fixture = /^\/fixtures\/([\w-]+\.json)$/.exec(clean);
  if (fixture?.[1]) return join(FIXTURES, fixture[1]);
  const icon = /^\/public\/build\/img\/icons\/([\w-]+\/[\w-]+\.svg)$/.exec(clean);
  if (icon?.[1]) return join(ICONS, icon[1]);
  return null;
}

/** Serves `harnessDir` (the output of `buildHarness`) and the fixtures. */
export async function serveHarness(harnessDir: string): Promise<HarnessServer> {
  const server: Server = createServer((req, res) => {
    const path = resolvePath(harnessDir, new URL(req.url ?? '/', 'http://x').pathname);
    if (!path) {
      res.writeHead(404).end();
      return;
    }
    readFile(path).then(
      (body) => {
        const ext = path.slice(path.lastIndexOf('.'));
        res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream' }).end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
