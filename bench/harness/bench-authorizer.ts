import { join } from 'node:path';
import type { AuthorizerConfig } from '../../lambda/key-authorizer/contract';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { mintToken } from '../../lib/admin/tokens';
import { buildAuthorizerBundle } from '../../lib/build/authorizer-bundle';
import { authorizerConfigFor } from '../../lib/config/authorizer-config-for';
import { defaultLeaseTableName, parseKeygateConfig } from '../../lib/config/keygate-config';
import { viewerRequestEvent } from '../../lib/dev/cloudfront-emulator';

export const BENCH_REGION = 'us-east-1';
export const BENCH_TABLE = 'keygate-bench';
/** The lease table of stream limits, named as a deployment names it by default. */
export const BENCH_LEASE_TABLE = defaultLeaseTableName(BENCH_TABLE);
export const BENCH_ISSUER = 'https://keygate.bench.local';
export const BENCH_AUDIENCE = 'keygate-bench';
export const BENCH_COOKIE = 'keygate_token';

/** What a benchmark may change from the defaults an operator deploys with. */
export interface BenchAuthorizerOptions {
  cacheMaxEntries?: number;
  allowTtlSeconds?: number;
  denyTtlSeconds?: number;
  allowUidCookie?: boolean;
  /** Further issuers (cdk.json `trustedIssuers`), and the local CA their JWKS URLs need. */
  trustedIssuers?: unknown[];
  jwksCa?: string;
  staleIfErrorSeconds?: number;
}

/** The deployable config, from the same cdk.json parser an operator's goes through, on a loopback table. */
export function benchAuthorizerConfig(endpoint: string, key: SigningKey, options: BenchAuthorizerOptions = {}): AuthorizerConfig {
  const config = parseKeygateConfig({
    region: BENCH_REGION,
    tableName: BENCH_TABLE,
    jwtIssuer: BENCH_ISSUER,
    jwtAudience: [BENCH_AUDIENCE],
    jwks: { keys: [key.jwk] },
    ...(options.cacheMaxEntries !== undefined ? { cacheMaxEntries: options.cacheMaxEntries } : {}),
    ...(options.allowTtlSeconds !== undefined ? { allowTtlSeconds: options.allowTtlSeconds } : {}),
    ...(options.denyTtlSeconds !== undefined ? { denyTtlSeconds: options.denyTtlSeconds } : {}),
    ...(options.allowUidCookie ? { allowUidCookie: true } : {}),
    ...(options.trustedIssuers ? { trustedIssuers: options.trustedIssuers } : {}),
    ...(options.staleIfErrorSeconds !== undefined ? { staleIfErrorSeconds: options.staleIfErrorSeconds } : {}),
  });
  return authorizerConfigFor(config, { endpoint, ...(options.jwksCa ? { jwksCa: options.jwksCa } : {}) });
}

/** Builds the bundle exactly as `cdk synth` does, into `dir`; gives the file to load. */
export function buildBenchAuthorizer(dir: string, endpoint: string, key: SigningKey, options: BenchAuthorizerOptions = {}): string {
  return buildAuthorizerBundle(benchAuthorizerConfig(endpoint, key, options), join(dir)).bundleFile;
}

/** The viewer-request event CloudFront would send for a GET of `uri` carrying one credential header. */
export const benchKeyEvent = (uri: string, header: [name: string, value: string]) =>
  viewerRequestEvent({
    rawUrl: uri,
    method: 'GET',
    rawHeaders: ['Host', 'bench', ...header],
    clientIp: '127.0.0.1',
    host: 'bench',
    requestId: 'bench',
  });

export const benchToken = (key: SigningKey, uid: string) =>
  mintToken({ key, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, uid, ttlSeconds: 6 * 3600, nowSeconds: Date.now() / 1000 });
