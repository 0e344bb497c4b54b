import type { AuthorizerConfig } from './config/authorizer-config';
import { authorizeKeyRequest, type AuthorizerDeps } from './authorize-key-request';
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from './http/cloudfront-event';
import { CoalescingEntitlementStore } from './entitlements/coalescing-store';
import { EntitlementCache } from './entitlements/entitlement-cache';
import { jsonLineLogger } from './decision-log';
import { DynamoDbEntitlementStore } from './entitlements/entitlement-store';
import { createTokenVerifier } from './identity/jwt';
import { VerifiedTokenMemo } from './identity/verified-token-memo';
import { DynamoDbLeaseStore } from './streams/lease-store';
import { RecentRenewals, renewalSkipSeconds } from './streams/recent-renewals';
import type { GeneratedResponse } from './http/responses';

function toHeaderValues(headers: CloudFrontHeaders): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, entries] of Object.entries(headers)) out[name.toLowerCase()] = entries.map((e) => e.value);
  return out;
}

function fromHeaderValues(headers: Record<string, string[]>, original: CloudFrontHeaders): CloudFrontHeaders {
  const out: CloudFrontHeaders = {};
  for (const [name, values] of Object.entries(headers)) {
    const key = original[name]?.[0]?.key ?? name;
    out[name] = values.map((value) => ({ key, value }));
  }
  return out;
}

function toCloudFrontResponse(response: GeneratedResponse): CloudFrontResultResponse {
  const headers: CloudFrontHeaders = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name] = [{ key: name, value }];
  return { status: String(response.status), headers, body: response.body };
}

/** The deployed wiring of the authorizer (DynamoDB store and leases, caches, verifier), over a clock and a log. */
export function createAuthorizerDeps(
  config: AuthorizerConfig,
  executingRegion: string | undefined,
  { now, log }: Pick<AuthorizerDeps, 'now' | 'log'>,
): AuthorizerDeps {
  const entitlements = new DynamoDbEntitlementStore(config, executingRegion);
  return {
    config,
    // The memo holds as many tokens as the entitlement cache holds viewers.
    verifier: createTokenVerifier(config.jwt, {
      sessionIdClaim: config.streams.sessionIdClaim,
      memo: new VerifiedTokenMemo(config.cache.maxEntries),
    }),
    store: new CoalescingEntitlementStore(entitlements),
    cache: new EntitlementCache(config.cache.maxEntries),
    now,
    log,
    leases: new DynamoDbLeaseStore(config, entitlements),
    recentRenewals: new RecentRenewals(config.cache.maxEntries, renewalSkipSeconds(config.streams.leaseSeconds)),
  };
}

/** Builds the viewer-request handler over a config and the real clock, store and log. */
export function createHandler(config: AuthorizerConfig, executingRegion = process.env.AWS_REGION) {
  const deps = createAuthorizerDeps(config, executingRegion, { now: () => Date.now(), log: jsonLineLogger });
  return async (event: CloudFrontRequestEvent): Promise<CloudFrontRequest | CloudFrontResultResponse> => {
    const request = event.Records[0].cf.request;
    const outcome = await authorizeKeyRequest(
      {
        method: request.method,
        uri: request.uri,
        querystring: request.querystring ?? '',
        headers: toHeaderValues(request.headers),
        clientIp: request.clientIp,
      },
      deps,
    );
    if (outcome.kind === 'respond') return toCloudFrontResponse(outcome.response);
    return {
      ...request,
      uri: outcome.uri,
      querystring: outcome.request.querystring,
      headers: fromHeaderValues(outcome.request.headers, request.headers),
    };
  };
}
