import type { AuthorizerConfig } from './config/authorizer-config';
import { findCredential, stripCredentials, type Credential, type RequestParts } from './identity/credentials';
import type { EntitlementCache } from './entitlements/entitlement-cache';
import { hashViewerId, type DecisionLogEntry, type DecisionLogger } from './decision-log';
import type { DenialReason } from './denial-reasons';
import { judgeEntitlement, type Viewer } from './entitlements/entitlement-decision';
import { MalformedItemError } from './entitlements/entitlement-records';
import { isViewerId, type EntitlementRecords } from './entitlements/entitlement-schema';
import { RequestDeadlineError, StoreUnavailableError, type EntitlementStore } from './entitlements/entitlement-store';
import { networkOf } from './http/client-network';
import { holdStream } from './streams/hold-stream';
import type { LeaseStore } from './streams/lease-store';
import type { RecentRenewals } from './streams/recent-renewals';
import { streamLimitFor } from './streams/stream-leases';
import { TokenRejectedError, type TokenVerifier } from './identity/jwt';
import { routeKeyRequest } from './http/key-path';
import { denialResponse, preflightResponse, type GeneratedResponse } from './http/responses';
import { graceKeepsStreamLimit, rememberRevocation, staleAllow } from './entitlements/stale-allow';

export interface KeyRequest extends RequestParts {
  method: string;
  uri: string;
  /** The viewer's address as CloudFront saw it: stream leases are bound to its network. */
  clientIp?: string;
}

export interface AuthorizerDeps {
  config: AuthorizerConfig;
  verifier: TokenVerifier;
  store: EntitlementStore;
  cache: EntitlementCache;
  /** Milliseconds since the epoch. */
  now: () => number;
  log: DecisionLogger;
  /** Stream limits: the session leases, and the sessions this container renewed a moment ago. */
  leases: LeaseStore;
  recentRenewals: RecentRenewals;
}

/** Forward `request` to the key bucket as `uri` (the plain key path), or answer with `response`. */
export type AuthorizationOutcome =
  { kind: 'forward'; uri: string; request: RequestParts } | { kind: 'respond'; response: GeneratedResponse };

type FetchLog = Pick<DecisionLogEntry, 'jwksFetch' | 'jwksFetchMs' | 'jwksSkippedKeys'>;
type Identification =
  | ({ viewer: Viewer; videos?: string[]; expiresAt?: number; sessionId?: string; credential: string } & FetchLog)
  | ({ reason: DenialReason; credential: string; retryAfterSeconds?: number } & FetchLog);

function storeFailure(error: unknown): Pick<DecisionLogEntry, 'storeCause' | 'storeErrors'> {
  if (error instanceof MalformedItemError) return { storeCause: 'malformed-item', storeErrors: [`${error.name}: ${error.message}`] };
  if (error instanceof StoreUnavailableError) {
    return { storeCause: 'unavailable', storeErrors: error.attempts.map((a) => `${a.region}:${a.error}`) };
  }
  return { storeCause: 'unavailable', storeErrors: ['unexpected'] };
}

/** A store that did not answer: within its own deadline, or within what was left of the request's. */
const unavailableReason = (error: unknown): DenialReason =>
  error instanceof RequestDeadlineError ? 'request-deadline' : 'store-unavailable';

type Identity = Awaited<ReturnType<TokenVerifier['verifyOrFetch']>>;

function jwksFetchLog(report: Identity['jwksFetch']): FetchLog {
  if (report === undefined) return {};
  const log: FetchLog = { jwksFetch: report.outcome, jwksFetchMs: report.ms };
  if (report.skippedKeys !== undefined) log.jwksSkippedKeys = report.skippedKeys;
  return log;
}

function identifyByToken(
  identity: Identity,
  source: Exclude<Credential, { kind: 'none' | 'uid-cookie' }>['source'],
  deps: AuthorizerDeps,
): Identification {
  const fetchLog = jwksFetchLog(identity.jwksFetch);
  // A path token is copied into logs, shared URLs and referrers: it must name its videos and expire soon.
  if (source === 'path') {
    const { maxLifetimeSeconds } = deps.config.pathToken;
    if (identity.videos === undefined || identity.videos.length === 0) return { reason: 'bad-token', credential: 'path', ...fetchLog };
    if (identity.expiresAt - identity.issuedAt > maxLifetimeSeconds) return { reason: 'bad-token', credential: 'path', ...fetchLog };
  }
  return {
    viewer: { uid: identity.uid, issuedAt: identity.issuedAt },
    videos: identity.videos,
    expiresAt: identity.expiresAt,
    sessionId: identity.sessionId,
    credential: source,
    ...fetchLog,
  };
}

function tokenRejected(error: unknown, source: string): Identification {
  if (!(error instanceof TokenRejectedError)) return { reason: 'bad-token', credential: source };
  const retryAfterSeconds = error.reason === 'jwks-unavailable' ? error.jwksFetch?.nextFetchInSeconds : undefined;
  return { reason: error.reason, credential: source, retryAfterSeconds, ...jwksFetchLog(error.jwksFetch) };
}

/** Synchronous unless the token's key must first be fetched from its issuer: a held key costs no await. */
function identify(
  request: KeyRequest,
  pathToken: string | undefined,
  deps: AuthorizerDeps,
  nowSeconds: number,
): Identification | Promise<Identification> {
  // A token in the path is the credential of that URL: nothing else the request carries is judged.
  const credential: Credential =
    pathToken !== undefined ? { kind: 'jwt', token: pathToken, source: 'path' } : findCredential(request, deps.config);
  switch (credential.kind) {
    case 'none':
      return { reason: 'no-credentials', credential: 'none' };
    case 'uid-cookie':
      if (!isViewerId(credential.uid)) return { reason: 'bad-token', credential: 'uid-cookie' };
      return { viewer: { uid: credential.uid, issuedAt: undefined }, credential: 'uid-cookie' };
    case 'jwt':
      try {
        const identity = deps.verifier.verifyOrFetch(credential.token, nowSeconds);
        if (identity instanceof Promise) {
          return identity.then(
            (fetched) => identifyByToken(fetched, credential.source, deps),
            (error: unknown) => tokenRejected(error, credential.source),
          );
        }
        return identifyByToken(identity, credential.source, deps);
      } catch (error) {
        return tokenRejected(error, credential.source);
      }
  }
}

/**
 * Decides one request to the /keys/* behavior: forward it (credentials stripped) to the origin
 * that holds the key, or answer it here. Everything that is not proven entitled is answered here.
 */
export async function authorizeKeyRequest(request: KeyRequest, deps: AuthorizerDeps): Promise<AuthorizationOutcome> {
  const { config } = deps;
  const startedMs = deps.now();
  // One budget for the whole request: the JWKS fetch (bounded by its own timeout, which config
  // validation keeps within it) and then every store call, each getting what is left.
  const budget = AbortSignal.timeout(config.requestDeadlineMs);
  const nowSeconds = Math.floor(startedMs / 1000);
  const origin = request.headers.origin?.[0];
  const log: Omit<DecisionLogEntry, 'decision' | 'reason' | 'status' | 'ms'> = { cache: 'none' };

  const route = routeKeyRequest(request.method, request.uri, config.pathToken.prefix);
  const finish = (reason: DenialReason | 'entitled' | 'stale-allow' | 'preflight', response?: GeneratedResponse): AuthorizationOutcome => {
    const allowed = response === undefined;
    const status = allowed ? 200 : response.status;
    deps.log({ decision: allowed || reason === 'preflight' ? 'allow' : 'deny', reason, status, ...log, ms: deps.now() - startedMs });
    if (!allowed || route.kind !== 'key') return { kind: 'respond', response: response as GeneratedResponse };
    // The key bucket is asked for the plain key path: a path token reaches neither S3 nor the cache key.
    return { kind: 'forward', uri: route.keyPath, request: stripCredentials(request, config) };
  };
  const deny = (reason: DenialReason, retryAfterSeconds?: number): AuthorizationOutcome =>
    finish(reason, denialResponse(reason, origin, config, retryAfterSeconds));

  if (route.kind === 'not-found') return deny('not-found');
  if (route.kind === 'method-not-allowed') return deny('method-not-allowed');
  log.videoId = route.videoId;
  if (route.kind === 'preflight') {
    if (origin === undefined || !config.allowedOrigins.includes(origin)) return deny('origin-not-allowed');
    return finish('preflight', preflightResponse(origin, config));
  }

  const pending = identify(request, route.pathToken, deps, nowSeconds);
  const identification = pending instanceof Promise ? await pending : pending;
  log.credential = identification.credential;
  const { jwksFetch, jwksFetchMs, jwksSkippedKeys } = identification;
  if (jwksFetch !== undefined) Object.assign(log, { jwksFetch, jwksFetchMs }, jwksSkippedKeys && { jwksSkippedKeys });
  if ('reason' in identification) return deny(identification.reason, identification.retryAfterSeconds);
  const { viewer, videos } = identification;
  log.viewer = hashViewerId(viewer.uid, config.logSalt);
  if (videos !== undefined && !videos.includes(route.videoId)) return deny('out-of-scope');

  const { sessionId } = identification;
  const stream = { uid: viewer.uid, sessionId, network: networkOf(request.clientIp, config.logSalt) };
  const limitOf = (allowed: EntitlementRecords, via: 'video' | 'all-access') =>
    streamLimitFor(allowed, via, config.streams.defaultMaxStreams ?? undefined);
  // The opt-in grace when every replica failed: never for a viewer not allowed here moments ago, and
  // for a limited viewer only to a session whose live lease this container wrote (stale-allow.ts).
  const graceAllows = (error: unknown, limit: () => number | undefined): boolean =>
    error instanceof StoreUnavailableError &&
    config.staleIfErrorSeconds > 0 &&
    graceKeepsStreamLimit(limit(), stream, deps.recentRenewals, config.streams.leaseSeconds, deps.now());

  let records: EntitlementRecords | undefined = deps.cache.get(viewer.uid, route.videoId, startedMs);
  const cached = records !== undefined;
  log.cache = cached ? 'hit' : 'miss';
  if (records === undefined) {
    const storeStartedMs = deps.now();
    try {
      const lookup = await deps.store.lookup(viewer.uid, route.videoId, budget);
      records = lookup.records;
      log.replica = lookup.replica;
      log.storeMs = deps.now() - storeStartedMs;
    } catch (error) {
      // Whatever failed, the answer is "not now" and nothing is cached. The one exception is the opt-in
      // grace for a viewer allowed here moments ago; a malformed item is never an outage to ride out.
      Object.assign(log, storeFailure(error), { storeMs: deps.now() - storeStartedMs });
      const stale = staleAllow(deps.cache, viewer, route.videoId, identification.expiresAt, deps.now());
      if (stale !== undefined && graceAllows(error, () => limitOf(stale.records, stale.via))) return finish('stale-allow');
      return deny(unavailableReason(error));
    }
  }
  const verdict = judgeEntitlement(records, viewer, nowSeconds);
  if (!cached) {
    const ttl = verdict.allowed ? config.cache.allowTtlSeconds : config.cache.denyTtlSeconds;
    deps.cache.set(viewer.uid, route.videoId, records, ttl, startedMs, verdict.allowed ? config.staleIfErrorSeconds : 0);
    if (config.staleIfErrorSeconds > 0) rememberRevocation(deps.cache, viewer.uid, records, startedMs, config);
  }
  if (!verdict.allowed) return deny(verdict.reason);

  // Stream limits: a viewer without one pays nothing more; a limited playback renews its lease.
  const limit = limitOf(records, verdict.via);
  if (limit === undefined) return finish('entitled');
  if (sessionId === undefined) return deny('session-required');
  try {
    const session = { ...stream, sessionId, videoId: route.videoId, limit };
    const held = await holdStream(deps.leases, deps.recentRenewals, session, config.streams, deps.now(), budget);
    log.lease = held.allowed ? held.lease : 'refused';
    if (held.allowed) return finish('entitled');
    // Refused (over the limit, or ended): no grace may serve this session during a later outage.
    deps.recentRenewals.forget(viewer.uid, sessionId, stream.network);
    return deny(held.reason);
  } catch (error) {
    Object.assign(log, storeFailure(error));
    if (graceAllows(error, () => limit)) return finish('stale-allow');
    return deny(unavailableReason(error));
  }
}
