/**
 * `awsIam`: RDS IAM tokens signed locally with the AWS SDK's signer, from fake static credentials in the environment
 * (nothing is sent anywhere: signing is local). The token has the documented shape, its signature verifies against
 * an independent Signature Version 4 computation written here from AWS's description of the algorithm, a second
 * connect within 10 minutes reuses it, and a later one (fake clock) signs a new one.
 */
import { createHash, createHmac } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { IAM_TOKEN_REUSE_MS, type PasswordSource, sourcedPassword } from '../../src/connection/password-source.ts';

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'eu-west-1';
const HOST = 'prod.cluster-abc123.eu-west-1.rds.amazonaws.com';
const source: PasswordSource = { kind: 'awsIam', region: REGION };

/** RFC 3986 encoding as SigV4 wants it (`encodeURIComponent` leaves `!'()*` alone). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/**
 * The signature a presigned `GET https://host:port/?<query>` must carry (AWS General Reference, "Create a signed AWS
 * API request": canonical request, string to sign, signing key derived from the secret, date, region, service).
 */
function expectedSignature(hostPort: string, query: URLSearchParams, secret: string): string {
  const params = [...query].filter(([k]) => k !== 'X-Amz-Signature').map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalQuery = params.map(([k, v]) => `${k}=${v}`).join('&');
  const emptyPayload = sha256('');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${hostPort}`, '', 'host', emptyPayload].join('\n');
  const amzDate = String(query.get('X-Amz-Date'));
  const [, date, region, service] = String(query.get('X-Amz-Credential')).split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, String(date)), String(region)), String(service)), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/** The token split into the host:port and the query. */
function parseToken(token: string): { hostPort: string; query: URLSearchParams } {
  const match = /^([^/]+)\/\?(.+)$/.exec(token);
  expect(match, token.slice(0, 80)).not.toBeNull();
  return { hostPort: String(match?.[1]), query: new URLSearchParams(String(match?.[2])) };
}

describe('awsIam tokens', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET_KEY);
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    vi.stubEnv('AWS_PROFILE', undefined);
    // The credential chain's file step must not find a real profile of the machine.
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-07T21:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('have the documented shape and a signature that verifies independently', async () => {
    const token = await sourcedPassword(source, { target: 'iam-shape', host: HOST, port: 5432, user: 'app_iam' });
    expect(token.startsWith(`${HOST}:5432/?Action=connect&DBUser=app_iam&X-Amz-Algorithm=AWS4-HMAC-SHA256&`)).toBe(true);
    const { hostPort, query } = parseToken(token);
    expect(hostPort).toBe(`${HOST}:5432`);
    expect(Object.fromEntries(query)).toMatchObject({
      Action: 'connect',
      DBUser: 'app_iam',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${ACCESS_KEY}/20261207/${REGION}/rds-db/aws4_request`,
      'X-Amz-Date': '20261207T210000Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
    });
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(query.get('X-Amz-Signature')).toBe(expectedSignature(hostPort, query, SECRET_KEY));
    // The check has teeth: another secret gives another signature.
    expect(query.get('X-Amz-Signature')).not.toBe(expectedSignature(hostPort, query, `${SECRET_KEY}x`));
    expect(token).not.toContain(SECRET_KEY);
  });

  it('is reused for 10 minutes, then signed again', async () => {
    const to = { target: 'iam-reuse', host: HOST, port: 5432, user: 'app_iam' };
    const first = await sourcedPassword(source, to);
    vi.setSystemTime(new Date(Date.now() + IAM_TOKEN_REUSE_MS - 60_000));
    expect(await sourcedPassword(source, to)).toBe(first);
    vi.setSystemTime(new Date(Date.now() + 2 * 60_000));
    const second = await sourcedPassword(source, to);
    expect(second).not.toBe(first);
    const { hostPort, query } = parseToken(second);
    expect(query.get('X-Amz-Date')).toBe('20261207T211100Z');
    expect(query.get('X-Amz-Signature')).toBe(expectedSignature(hostPort, query, SECRET_KEY));
    // Well inside the token's 15 minutes: signed at most 10 minutes before use.
    expect(IAM_TOKEN_REUSE_MS).toBeLessThan(Number(query.get('X-Amz-Expires')) * 1000);
  });

  it('without credentials: an AuthError naming the target and the region, no secret', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    // No instance metadata service here: the chain's last step must not wait for one.
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', undefined);
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', undefined);
    vi.stubEnv('AWS_WEB_IDENTITY_TOKEN_FILE', undefined);
    const err = await sourcedPassword(source, { target: 'iam-none', host: HOST, port: 5432, user: 'app_iam' }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AuthError');
    expect((err as { context: { target?: string } }).context.target).toBe('iam-none');
    expect((err as Error).message).toMatch(/awsIam: could not sign an RDS IAM token for user "app_iam" in eu-west-1/);
  });
});
