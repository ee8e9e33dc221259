/**
 * The web configuration file (the Prometheus exporter toolkit's format) as `loadWebConfig` and `webConfigFile` read
 * it: a valid file becomes TLS options, basic auth users, headers and a rate limit; every field we do not know or do
 * not support, a hash that is not bcrypt, and a certificate that cannot be used are refused with `file:line: field`.
 * Certificates are made with the real openssl in a temp dir.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigFileError } from '../../src/config/load.ts';
import { loadWebConfig } from '../../src/config/web-config.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { createConfigFixture, type ConfigFixture } from './config-fixture.ts';

let dir: string;
let pki: TestPki;
let fixture: ConfigFixture;
// Cost 4: the test checks formats, not bcrypt's speed. htpasswd -B writes the `$2y$` prefix.
const HASH = bcrypt.hashSync('s3cret', 4).replace(/^\$2b\$/, '$2y$');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sd-webcfg-'));
  pki = makeTestPki(dir);
  fixture = createConfigFixture();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  fixture?.remove();
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The `describe()` lines of the error the file must produce, with the directory stripped. */
function problems(text: string): string[] {
  const file = write('web.yml', text);
  try {
    loadWebConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    return err.describe().split('\n').map((line) => line.replaceAll(`${dir}/`, ''));
  }
  throw new Error('expected the web configuration to be refused');
}

describe('loadWebConfig', () => {
  it('reads TLS, basic auth, headers and a rate limit; relative paths resolve against the file', () => {
    const file = write(
      'good.yml',
      `tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]
  curve_preferences: [X25519, CurveP256]
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: ${HASH}
rate_limit:
  interval: 100ms
  burst: 20
`,
    );
    expect(loadWebConfig(file)).toEqual({
      file,
      tls: {
        cert: { file: pki.serverCert },
        key: { file: pki.serverKey },
        clientCa: { file: pki.caCert },
        clientAuth: 'RequireAndVerifyClientCert',
        minVersion: 'TLSv1.3',
        maxVersion: 'TLSv1.3',
        ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305',
        ecdhCurve: 'X25519:P-256',
        honorCipherOrder: true,
      },
      headers: { 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' },
      basicAuthUsers: { alice: HASH },
      rateLimit: { intervalMs: 100, burst: 20 },
    });
  });

  it('inline PEM, and an empty file (nothing enabled) are accepted; basic auth alone means plain HTTP', () => {
    const inline = loadWebConfig(
      write('inline.yml', `tls_server_config:\n  cert: |\n${indent(readFileSync(pki.serverCert, 'utf8'))}\n  key: |\n${indent(readFileSync(pki.serverKey, 'utf8'))}\n`),
    );
    expect(inline.tls?.cert).toEqual({ inline: readFileSync(pki.serverCert, 'utf8') });
    expect(inline.tls).toMatchObject({ clientAuth: 'NoClientCert', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(loadWebConfig(write('empty.yml', ''))).toEqual({ file: path.join(dir, 'empty.yml'), headers: {}, basicAuthUsers: {} });
    expect(loadWebConfig(write('basic.yml', `basic_auth_users:\n  bob: ${HASH}\n`)).tls).toBeUndefined();
  });

  it.each([
    ['an unknown top-level key', 'tls_config:\n  cert_file: server.crt\n', ['web.yml:1: tls_config: unknown option']],
    [
      'an unknown TLS key',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  certfile: x\n',
      ['web.yml:4: tls_server_config.certfile: unknown option'],
    ],
    ['http2: true', 'http_server_config:\n  http2: true\n', ['web.yml:2: http_server_config.http2: schema-drift serves HTTP/1.1 only; remove http2 or set it to false']],
    [
      'client_allowed_sans',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [prometheus]\n',
      [expect.stringMatching(/^web\.yml:6: tls_server_config\.client_allowed_sans: not supported by schema-drift/)],
    ],
    [
      'a TLS 1.3 cipher suite, and an unknown one',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n    - TLS_AES_128_GCM_SHA256\n    - TLS_RSA_WITH_RC4_128_SHA\n',
      [
        expect.stringMatching(/^web\.yml:5: tls_server_config\.cipher_suites\[0\]: TLS 1\.3 suites are not configurable/),
        expect.stringMatching(/^web\.yml:6: tls_server_config\.cipher_suites\[1\]: not one of the TLS 1\.2 suites .*TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/),
      ],
    ],
    ['an unknown TLS version', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS14\n', ['web.yml:4: tls_server_config.min_version: expected one of TLS10, TLS11, TLS12, TLS13']],
    ['min above max', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n', ['web.yml:4: tls_server_config.min_version: must not be above max_version (TLS12)']],
    ['a certificate without its key', 'tls_server_config:\n  cert_file: server.crt\n', ['web.yml:1: tls_server_config.key_file: required with TLS (or key, inline)']],
    ['a missing certificate file', 'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n', [expect.stringMatching(/^web\.yml:2: tls_server_config\.cert_file: cannot read .*nope\.crt \(ENOENT\)$/)]],
    [
      'a key that is not the certificate\'s',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n',
      [expect.stringMatching(/^web\.yml:2: tls_server_config\.cert_file: certificate and key unusable: .*key values mismatch/)],
    ],
    [
      'a client CA without asking for client certificates',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n',
      [expect.stringMatching(/^web\.yml:1: tls_server_config\.client_auth_type: a client CA is configured but no client certificate is asked for/)],
    ],
    [
      'RequireAndVerifyClientCert without a client CA (Node would trust its public roots)',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n',
      ['web.yml:4: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file (or client_ca, inline): without it any certificate from a public CA would be accepted'],
    ],
    [
      'VerifyClientCertIfGiven without a client CA',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: VerifyClientCertIfGiven\n',
      [expect.stringMatching(/^web\.yml:4: tls_server_config\.client_auth_type: VerifyClientCertIfGiven needs client_ca_file/)],
    ],
    ['an unknown client_auth_type', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Always\n', [expect.stringMatching(/^web\.yml:4: tls_server_config\.client_auth_type: expected one of NoClientCert, RequestClientCert/)]],
    [
      'a header that cannot be set, and a bad value',
      'http_server_config:\n  headers:\n    Server: x\n    X-Frame-Options: allow\n',
      [
        expect.stringMatching(/^web\.yml:3: http_server_config\.headers\.Server: this header can not be configured/),
        'web.yml:4: http_server_config.headers["X-Frame-Options"]: expected one of deny, sameorigin',
      ],
    ],
    ['a rate limit without unit', 'rate_limit:\n  interval: 10\n  burst: 5\n', [expect.stringMatching(/^web\.yml:2: rate_limit\.interval: expected a duration with a unit/)]],
  ])('refuses %s, naming file, line and field', (_what, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('refuses a password that is not a bcrypt hash, naming the user but never the value', () => {
    const lines = problems(`basic_auth_users:\n  alice: ${HASH}\n  bob: plain-password-123\n  carol: $2x$10$${'a'.repeat(53)}\n`);
    expect(lines).toEqual([
      expect.stringMatching(/^web\.yml:3: basic_auth_users\.bob: not a bcrypt hash \(\$2a\$, \$2b\$ or \$2y\$, cost 04-31\); make one with htpasswd/),
      expect.stringMatching(/^web\.yml:4: basic_auth_users\.carol: not a bcrypt hash/),
    ]);
    expect(lines.join('\n')).not.toContain('plain-password-123');
  });

  it('a file that cannot be read is a ConfigError naming it', () => {
    expect(() => loadWebConfig(path.join(dir, 'missing.yml'))).toThrow(ConfigError);
    expect(() => loadWebConfig(path.join(dir, 'missing.yml'))).toThrow(/web configuration file: cannot read .*missing\.yml \(ENOENT\)/);
  });
});

describe('webConfigFile in schema-drift.yaml', () => {
  const target = (f: ConfigFixture) => `targets:\n  - name: app\n    url: postgres://app@db/app\n    desired: { dir: ${f.dir}/migrations }\n`;

  it('loads the file it names, relative to the configuration', async () => {
    writeFileSync(path.join(fixture.dir, 'web.yml'), `basic_auth_users:\n  alice: ${HASH}\n`);
    const config = await fixture.parse(`webConfigFile: web.yml\n${target(fixture)}`);
    expect(config.web).toEqual({ file: path.join(fixture.dir, 'web.yml'), headers: {}, basicAuthUsers: { alice: HASH } });
  });

  it('a missing file is a problem of the configuration at its line; a bad one names its own file', async () => {
    expect(await fixture.problems(`webConfigFile: nope.yml\n${target(fixture)}`)).toEqual([
      expect.stringMatching(/^schema-drift\.yaml:1: webConfigFile: cannot read .*nope\.yml \(ENOENT\)$/),
    ]);
    writeFileSync(path.join(fixture.dir, 'bad-web.yml'), 'basic_auth_users:\n  alice: hunter2\n');
    const err = await fixture.parse(`webConfigFile: bad-web.yml\n${target(fixture)}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigFileError);
    expect((err as ConfigFileError).describe()).toBe(`${path.join(fixture.dir, 'bad-web.yml')}:2: basic_auth_users.alice: ${(err as ConfigFileError).issues[0]?.message}`);
    expect((err as ConfigFileError).issues[0]?.message).toMatch(/^not a bcrypt hash/);
  });
});

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => `    ${line}`).join('\n');
}
