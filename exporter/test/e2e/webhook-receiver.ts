/**
 * A Slack-compatible incoming-webhook endpoint for the end-to-end notification test: an HTTP server on 127.0.0.1 that
 * keeps every POSTed JSON body and answers `ok` with 200, as Slack's webhooks do. Alertmanager's `slack_configs`
 * point their `api_url` at it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST as received. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly contentType: string;
  /** The parsed JSON body (`null` when the body was not JSON: kept in `raw`, and a test assertion will say so). */
  readonly json: unknown;
  readonly raw: string;
  readonly receivedAt: Date;
}

/** A running webhook receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: ReceivedWebhook[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Starts the receiver on a free port of 127.0.0.1. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      requests.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        json: parseJson(raw),
        raw,
        receivedAt: new Date(),
      });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
