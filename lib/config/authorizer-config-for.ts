import { createHash } from 'node:crypto';
import { AUTHORIZER_DEFAULTS, type AuthorizerConfig } from '../../lambda/key-authorizer/contract';
import { attemptTimeoutFor, type KeygateConfig } from './keygate-config';
import { replicaPreferenceFor } from './region-locations';

/**
 * The config baked beside the edge bundle. `local` points every replica at a loopback DynamoDB
 * and may trust a local CA for JWKS URLs (keygate dev, tests); deployments never set it.
 */
export function authorizerConfigFor(config: KeygateConfig, local?: { endpoint: string; jwksCa?: string }): AuthorizerConfig {
  const tableRegions = [config.region, ...config.replicaRegions];
  const deadlineMs = config.storeDeadlineMs;
  const authorizer: AuthorizerConfig = {
    tableName: config.tableName,
    leaseTableName: config.leaseTableName,
    replicaRegions: tableRegions,
    replicaPreference: replicaPreferenceFor(tableRegions),
    jwt: {
      issuers: config.jwt.issuers,
      maxTokenBytes: AUTHORIZER_DEFAULTS.maxTokenBytes,
      jwksFetch: local?.jwksCa ? { ...config.jwt.jwksFetch, localCa: local.jwksCa } : config.jwt.jwksFetch,
    },
    cookieName: config.cookieName,
    queryParameter: AUTHORIZER_DEFAULTS.queryParameter,
    allowUidCookie: config.allowUidCookie,
    pathToken: config.pathToken,
    allowedOrigins: config.allowedOrigins,
    cache: config.cache,
    store: { deadlineMs, attemptTimeoutMs: attemptTimeoutFor(deadlineMs), retryAfterSeconds: AUTHORIZER_DEFAULTS.retryAfterSeconds },
    requestDeadlineMs: config.requestDeadlineMs,
    staleIfErrorSeconds: config.staleIfErrorSeconds,
    // Stable across synths (a random salt would change the asset on every deploy). Derived from the
    // table and issuer unless the operator sets a secret `decisionLogSalt`; derived salts keep logs
    // pseudonymous but let someone who knows a viewer id and the config confirm a guess.
    logSalt:
      config.decisionLogSalt ??
      createHash('sha256').update(`keygate-log-salt\n${config.tableName}\n${config.jwt.issuers[0].issuer}`).digest('base64url'),
    streams: config.streams,
  };
  if (local) authorizer.endpoint = local.endpoint;
  return authorizer;
}
