/**
 * The Prometheus exporter toolkit's web configuration file (`--web.config.file`, or `webConfigFile` in
 * `schema-drift.yaml`): `tls_server_config`, `http_server_config.headers`, `basic_auth_users` with bcrypt hashes, and
 * `rate_limit`, in the toolkit's own format (prometheus/exporter-toolkit `docs/web-configuration.md`), so a file
 * written for node_exporter or Prometheus works here too.
 *
 * Departures, each an error naming the field rather than a silent difference: `http2: true` (we serve HTTP/1.1),
 * `client_allowed_sans`, and TLS 1.3 or non-ECDHE names in `cipher_suites`. The toolkit re-reads the file on every
 * request; we read it once at start and re-read only the certificate and key files when they change (`http/tls.ts`).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { ConfigFileError, type ConfigIssue } from './issues.ts';
import { parseDuration } from './duration.ts';
import { issueMessage } from './schema.ts';
import { secretFileProblem } from './secrets.ts';
import type { ClientAuthType, PemSource, WebConfig, WebTlsConfig } from './types.ts';
import { locate, parseYamlFile, zodIssues } from './yaml-document.ts';

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;

const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
];

/** Go's names of the TLS 1.2 suites `crypto/tls` offers, and OpenSSL's names of the same suites. */
const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/** The toolkit's curve names and OpenSSL's. */
const CURVES: Readonly<Record<string, string>> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/**
 * The headers the toolkit lets a file set, with the values it accepts (none listed: any). Its list, so a file is
 * accepted here exactly when the toolkit accepts it.
 */
const HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null,
};

/**
 * A bcrypt hash as htpasswd -B, Go's bcrypt and bcryptjs write it: `$2a$`, `$2b$` or `$2y$`, a two-digit cost from
 * 4 to 31, 53 characters of salt and hash.
 */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const text = z.string().min(1, 'must not be empty');
const file = (baseDir: string) => text.transform((p) => resolve(baseDir, p));

function webConfigSchema(baseDir: string) {
  const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]]);
  return z.strictObject({
    tls_server_config: z
      .strictObject({
        cert: text.optional(),
        key: text.optional(),
        client_ca: text.optional(),
        cert_file: file(baseDir).optional(),
        key_file: file(baseDir).optional(),
        client_ca_file: file(baseDir).optional(),
        client_auth_type: z.enum(CLIENT_AUTH_TYPES as [ClientAuthType, ...ClientAuthType[]]).optional(),
        client_allowed_sans: z.unknown().optional(),
        min_version: tlsVersion.default('TLS12'),
        max_version: tlsVersion.default('TLS13'),
        cipher_suites: z.array(text).optional(),
        prefer_server_cipher_suites: z.boolean().default(true),
        curve_preferences: z.array(z.enum(Object.keys(CURVES) as [string, ...string[]])).optional(),
      })
      .optional(),
    http_server_config: z
      .strictObject({
        http2: z.boolean().optional(),
        headers: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    basic_auth_users: z.record(z.string(), z.string()).nullish(),
    rate_limit: z
      .strictObject({
        interval: z.union([z.string(), z.number()]),
        burst: z.number().int('must be a whole number').min(1, 'must be at least 1'),
      })
      .optional(),
  });
}

type ParsedWebConfig = z.output<ReturnType<typeof webConfigSchema>>;
type ParsedTls = NonNullable<ParsedWebConfig['tls_server_config']>;

/**
 * Reads and validates a web configuration file; relative paths in it resolve against its directory. The certificate
 * and key are loaded once here, so a file that names a missing, unreadable or mismatched pair is refused at start.
 * @throws ConfigError when the file cannot be read; {@link ConfigFileError} listing every problem (`file:line: field:
 *   message`) when it is invalid.
 */
export function loadWebConfig(path: string): WebConfig {
  const absolute = resolve(path);
  const problem = secretFileProblem(absolute);
  if (problem) throw new ConfigError(`web configuration file: ${problem}`, { file: absolute });
  const yaml = parseYamlFile(readFileSync(absolute, 'utf8'), absolute);
  // An empty file is a valid one with nothing enabled, as in the toolkit.
  const result = webConfigSchema(dirname(absolute)).safeParse(yaml.tree ?? {}, { error: issueMessage });
  const issues = result.success ? semanticIssues(result.data) : zodIssues(result.error);
  if (!result.success || issues.length > 0) throw new ConfigFileError(absolute, locate(yaml, issues));
  return toWebConfig(result.data, absolute);
}

/** Every problem the schema cannot see field by field; empty when the file is usable. */
function semanticIssues(parsed: ParsedWebConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [user, hash] of Object.entries(parsed.basic_auth_users ?? {})) {
    if (!BCRYPT_HASH.test(hash)) {
      // Never the value: it may be a password pasted where its hash belongs.
      issues.push({ path: ['basic_auth_users', user], message: 'not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31); make one with htpasswd -nBC 10 "" | tr -d \':\\n\'' });
    }
  }
  const http = parsed.http_server_config;
  if (http?.http2 === true) {
    issues.push({ path: ['http_server_config', 'http2'], message: 'schema-drift serves HTTP/1.1 only; remove http2 or set it to false' });
  }
  for (const [name, value] of Object.entries(http?.headers ?? {})) {
    const allowed = HEADERS[name];
    if (allowed === undefined) {
      issues.push({ path: ['http_server_config', 'headers', name], message: `this header can not be configured (only ${Object.keys(HEADERS).join(', ')})` });
    } else if (allowed && !allowed.includes(value)) {
      issues.push({ path: ['http_server_config', 'headers', name], message: `expected one of ${allowed.join(', ')}` });
    }
  }
  const interval = parsed.rate_limit?.interval;
  if (interval !== undefined && rateInterval(interval) === null) {
    issues.push({ path: ['rate_limit', 'interval'], message: 'expected a duration with a unit, e.g. 1s or 100ms (0 turns the limit off)' });
  }
  const tls = parsed.tls_server_config;
  if (tls && tlsEnabled(tls)) issues.push(...tlsIssues(tls));
  return issues;
}

/** As the toolkit decides: any certificate, key, client CA or client auth type turns TLS on. */
function tlsEnabled(tls: ParsedTls): boolean {
  return [tls.cert, tls.key, tls.cert_file, tls.key_file, tls.client_ca, tls.client_ca_file, tls.client_auth_type].some((v) => v !== undefined);
}

function tlsIssues(tls: ParsedTls): ConfigIssue[] {
  const at = (field: string) => ['tls_server_config', field];
  const issues: ConfigIssue[] = [];
  for (const [inline, path] of [['cert', 'cert_file'], ['key', 'key_file'], ['client_ca', 'client_ca_file']] as const) {
    if (tls[inline] !== undefined && tls[path] !== undefined) issues.push({ path: at(inline), message: `give either ${inline} or ${path}, not both` });
  }
  if (tls.cert === undefined && tls.cert_file === undefined) issues.push({ path: at('cert_file'), message: 'required with TLS (or cert, inline)' });
  if (tls.key === undefined && tls.key_file === undefined) issues.push({ path: at('key_file'), message: 'required with TLS (or key, inline)' });
  for (const field of ['cert_file', 'key_file', 'client_ca_file'] as const) {
    const path = tls[field];
    const problem = path === undefined ? null : secretFileProblem(path);
    if (problem) issues.push({ path: at(field), message: problem });
  }
  const clientAuth = tls.client_auth_type ?? 'NoClientCert';
  if ((tls.client_ca !== undefined || tls.client_ca_file !== undefined) && clientAuth === 'NoClientCert') {
    issues.push({ path: at('client_auth_type'), message: 'a client CA is configured but no client certificate is asked for: set RequireAndVerifyClientCert' });
  }
  // Stricter than the toolkit, which accepts a verifying mode without a client CA: Go then verifies client certificates
  // against the host's system roots, as Node does against its bundled public root CAs. Anyone holding a publicly issued
  // client certificate would get in, so a verifying mode needs the CA that issues the clients' certificates.
  if ((clientAuth === 'RequireAndVerifyClientCert' || clientAuth === 'VerifyClientCertIfGiven') && tls.client_ca === undefined && tls.client_ca_file === undefined) {
    issues.push({ path: at('client_auth_type'), message: `${clientAuth} needs client_ca_file (or client_ca, inline): without it any certificate from a public CA would be accepted` });
  }
  if (tls.client_allowed_sans !== undefined) {
    issues.push({ path: at('client_allowed_sans'), message: 'not supported by schema-drift; verify client certificates with client_ca_file and RequireAndVerifyClientCert' });
  }
  (tls.cipher_suites ?? []).forEach((name, i) => {
    if (CIPHER_SUITES[name] !== undefined) return;
    const why = name.startsWith('TLS_AES_') || name.startsWith('TLS_CHACHA20_') ? 'TLS 1.3 suites are not configurable (as in Go)' : 'not one of the TLS 1.2 suites schema-drift can offer';
    issues.push({ path: [...at('cipher_suites'), i], message: `${why}: ${Object.keys(CIPHER_SUITES).join(', ')}` });
  });
  if (TLS_ORDER.indexOf(tls.min_version) > TLS_ORDER.indexOf(tls.max_version)) {
    issues.push({ path: at('min_version'), message: `must not be above max_version (${tls.max_version})` });
  }
  // Only once each file is readable: the pair itself (a key that does not match the certificate, text that is no PEM).
  if (issues.length === 0) {
    const problem = keyPairProblem(toTls(tls));
    if (problem) issues.push({ path: at(tls.cert_file !== undefined ? 'cert_file' : 'cert'), message: problem });
  }
  return issues;
}

const TLS_ORDER: readonly TlsVersionName[] = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];

/** Why the certificate, key and client CA cannot make a TLS context, or null. OpenSSL's reason, never the key. */
function keyPairProblem(tls: WebTlsConfig): string | null {
  try {
    createSecureContext(secureContextOptions(tls));
    return null;
  } catch (err) {
    return `certificate and key unusable: ${(err as Error).message}`;
  }
}

/** The PEM text of a source (read now, for a file). */
function readPem(source: PemSource): string {
  return 'file' in source ? readFileSync(source.file, 'utf8') : source.inline;
}

/** What `tls.createSecureContext` and `https.createServer` take, with the files read now. */
export function secureContextOptions(tls: WebTlsConfig): {
  cert: string;
  key: string;
  ca?: string;
  minVersion: WebTlsConfig['minVersion'];
  maxVersion: WebTlsConfig['maxVersion'];
  ciphers?: string;
  ecdhCurve?: string;
  honorCipherOrder: boolean;
} {
  return {
    cert: readPem(tls.cert),
    key: readPem(tls.key),
    ...(tls.clientCa ? { ca: readPem(tls.clientCa) } : {}),
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    ...(tls.ciphers ? { ciphers: tls.ciphers } : {}),
    ...(tls.ecdhCurve ? { ecdhCurve: tls.ecdhCurve } : {}),
    honorCipherOrder: tls.honorCipherOrder,
  };
}

function pem(inline: string | undefined, file: string | undefined): PemSource | undefined {
  if (file !== undefined) return { file };
  return inline !== undefined ? { inline } : undefined;
}

function toTls(tls: ParsedTls): WebTlsConfig {
  const clientCa = pem(tls.client_ca, tls.client_ca_file);
  const ciphers = (tls.cipher_suites ?? []).map((name) => CIPHER_SUITES[name]).filter((n): n is string => n !== undefined);
  const curves = (tls.curve_preferences ?? []).map((name) => CURVES[name]).filter((n): n is string => n !== undefined);
  return {
    cert: pem(tls.cert, tls.cert_file) ?? { inline: '' },
    key: pem(tls.key, tls.key_file) ?? { inline: '' },
    ...(clientCa ? { clientCa } : {}),
    clientAuth: tls.client_auth_type ?? 'NoClientCert',
    minVersion: TLS_VERSIONS[tls.min_version],
    maxVersion: TLS_VERSIONS[tls.max_version],
    ...(ciphers.length > 0 ? { ciphers: ciphers.join(':') } : {}),
    ...(curves.length > 0 ? { ecdhCurve: curves.join(':') } : {}),
    honorCipherOrder: tls.prefer_server_cipher_suites,
  };
}

/** Milliseconds of `rate_limit.interval` (Prometheus-style duration, or 0), or null when it is neither. */
function rateInterval(value: string | number): number | null {
  if (value === 0 || value === '0') return 0;
  return typeof value === 'string' ? parseDuration(value) : null;
}

function toWebConfig(parsed: ParsedWebConfig, file: string): WebConfig {
  const tls = parsed.tls_server_config && tlsEnabled(parsed.tls_server_config) ? toTls(parsed.tls_server_config) : undefined;
  const intervalMs = parsed.rate_limit ? rateInterval(parsed.rate_limit.interval) : null;
  return {
    file,
    ...(tls ? { tls } : {}),
    headers: parsed.http_server_config?.headers ?? {},
    basicAuthUsers: parsed.basic_auth_users ?? {},
    ...(parsed.rate_limit && intervalMs ? { rateLimit: { intervalMs, burst: parsed.rate_limit.burst } } : {}),
  };
}
