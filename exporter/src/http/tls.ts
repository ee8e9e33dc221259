/**
 * HTTPS for the exporter (the web configuration file's `tls_server_config`) on `node:https`. Client certificates are
 * asked for and checked as the exporter toolkit's `client_auth_type` says, and the certificate, key and client CA
 * files are re-read when they change, so a renewed certificate is served without a restart (the toolkit re-reads them
 * on every handshake; we poll their modification times).
 */
import { type Stats, unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { RequestListener } from 'node:http';
import type { WebTlsConfig } from '../config/types.ts';
import { secureContextOptions } from '../config/web-config.ts';

/** Where reloads are logged. */
export interface TlsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** How often the certificate files' modification times are looked at. */
export const CERT_POLL_MS = 1_000;

/**
 * An HTTPS server for `app` (not listening yet). Stops watching the files when it closes.
 * @throws Error from OpenSSL when the certificate and key cannot be used (the configuration's loading checked them).
 */
export function createTlsServer(app: RequestListener, tls: WebTlsConfig, log: TlsLogger): Server {
  // Without a client CA Node would verify against its bundled public roots; the configuration's loading refuses that.
  if ((tls.clientAuth === 'RequireAndVerifyClientCert' || tls.clientAuth === 'VerifyClientCertIfGiven') && !tls.clientCa) {
    throw new Error(`client_auth_type ${tls.clientAuth} needs a client CA`);
  }
  const requestCert = tls.clientAuth !== 'NoClientCert';
  const server = createServer(
    { ...secureContextOptions(tls), requestCert, rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert' },
    app,
  );
  // Node either verifies and requires (rejectUnauthorized) or asks only; the two checks in between are ours.
  if (tls.clientAuth === 'RequireAnyClientCert' || tls.clientAuth === 'VerifyClientCertIfGiven') {
    server.on('secureConnection', (socket: TLSSocket) => {
      const given = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
      const refused = tls.clientAuth === 'RequireAnyClientCert' ? !given : given && !socket.authorized;
      if (refused) socket.destroy();
    });
  }
  const files = [tls.cert, tls.key, tls.clientCa].flatMap((source) => (source && 'file' in source ? [source.file] : []));
  const reload = (): void => {
    try {
      server.setSecureContext(secureContextOptions(tls));
      log.info({ files }, 'TLS certificate files changed: reloaded');
    } catch (err) {
      // Mid-renewal (a new certificate written, its key not yet) is normal: keep serving the old pair until both fit.
      log.warn({ files, err: err instanceof Error ? err.message : String(err) }, 'TLS certificate files changed but cannot be used; still serving the previous ones');
    }
  };
  const onChange = (now: Stats, before: Stats): void => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) reload();
  };
  for (const file of files) watchFile(file, { interval: CERT_POLL_MS, persistent: false }, onChange);
  server.once('close', () => {
    for (const file of files) unwatchFile(file, onChange);
  });
  return server;
}
