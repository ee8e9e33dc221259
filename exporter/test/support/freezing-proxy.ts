/**
 * A TCP proxy on 127.0.0.1 that can stall the network mid-conversation, for fault tests on the real servers.
 *
 * Until it freezes it forwards bytes both ways. It freezes when a chunk from the client matches `freezeOn` (that
 * chunk still reaches the server, so the server runs the query) or when `freeze()` is called. Frozen, it forwards
 * nothing in either direction and passes on no close: the server's answers are read and dropped (the server's writes
 * succeed, as into a network that swallows packets), the client hears nothing, and neither side learns that the other
 * went away. That is what a stalled route or a frozen peer looks like to each end.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect } from 'node:net';

/** A running proxy; see {@link startFreezingProxy}. */
export interface FreezingProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlThrough(url: string): string;
  /** Local ports of the proxy's connections to the server (the server sees them as its clients' ports). */
  upstreamPorts(): number[];
  /** Resolves with `performance.now()` at the moment the proxy froze. */
  readonly frozen: Promise<number>;
  freeze(): void;
  /** Stops listening and destroys every connection (the server then sees its clients go). */
  close(): Promise<void>;
}

/** Starts a proxy to `upstream`; `freezeOn` picks the client chunk at which it freezes. */
export async function startFreezingProxy(
  upstream: { host: string; port: number },
  freezeOn?: (chunkFromClient: Buffer) => boolean,
): Promise<FreezingProxy> {
  const sockets = new Set<Socket>();
  const upstreams: Socket[] = [];
  let isFrozen = false;
  let resolveFrozen: (at: number) => void = () => {};
  const frozen = new Promise<number>((resolve) => (resolveFrozen = resolve));
  const freeze = (): void => {
    if (isFrozen) return;
    isFrozen = true;
    resolveFrozen(performance.now());
  };
  const server: Server = createServer((client) => {
    const server = connect(upstream.port, upstream.host);
    upstreams.push(server);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('error', () => {});
    }
    client.on('data', (chunk: Buffer) => {
      if (isFrozen) return;
      server.write(chunk);
      if (freezeOn?.(chunk)) freeze();
    });
    server.on('data', (chunk: Buffer) => {
      if (!isFrozen) client.write(chunk);
    });
    client.on('close', () => {
      if (!isFrozen) server.destroy();
    });
    server.on('close', () => {
      if (!isFrozen) client.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    urlThrough(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(address.port);
      return u.toString();
    },
    upstreamPorts: () => upstreams.map((s) => s.localPort).filter((p): p is number => p !== undefined),
    frozen,
    freeze,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
