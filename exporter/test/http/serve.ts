/**
 * Runs an express app on 127.0.0.1 with an ephemeral port for a test, and a `fetch` bound to it that records every
 * response body (so a test can assert that no secret appeared in any of them).
 */
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** A response read completely: status, headers and body text. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = unknown>(): T;
}

/** A listening app. */
export interface TestServer {
  readonly base: string;
  /** Requests `path` (relative to the server) and reads the whole body. */
  request(path: string, init?: RequestInit): Promise<TestResponse>;
  /** Every response so far, headers and body, as one string per response. */
  readonly transcript: string[];
  close(): Promise<void>;
}

export async function serve(app: Express): Promise<TestServer> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const transcript: string[] = [];
  return {
    base,
    transcript,
    async request(path, init) {
      const res = await fetch(base + path, { redirect: 'manual', ...init });
      const text = await res.text();
      transcript.push(`${init?.method ?? 'GET'} ${path} ${res.status}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`);
      return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
