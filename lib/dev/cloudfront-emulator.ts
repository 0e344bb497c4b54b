import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  AUTHORIZER_DEFAULTS,
  type CloudFrontRequest,
  type CloudFrontRequestEvent,
  type CloudFrontResultResponse,
  EXPOSED_KEY_HEADERS,
  KEYS_PATH_PATTERN,
  pathTokenKeysPattern,
  pathTokenMediaPattern,
} from '../../lambda/key-authorizer/contract';
import { stripPathTokenFunctionCode } from '../../lambda/path-token-function/strip-path-token';
import { loadCloudFrontFunction } from './cloudfront-function';
import { hostNameOf } from './dev-binding';
import { normalizeForBehaviorMatching, pathPatternMatcher } from './cloudfront-paths';
import { serveS3Object, type S3BucketModel } from './s3-bucket-model';

export type EdgeHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequest | CloudFrontResultResponse>;

/** What the emulator saw, for tests and benchmarks: Keygate's authorizer runs only on /keys/*. */
export interface EmulatorStats {
  /** Requests per behavior: the default (media) behavior, /keys/*, and the dev site's own routes. */
  requests: { media: number; keys: number; other: number };
  /** Lambda@Edge invocations, on every behavior that has one. */
  edgeInvocations: number;
  /** CloudFront Function invocations (the path-token rewrite): billed apart, at a small fraction of Lambda@Edge. */
  functionInvocations: number;
  keyRequests: { uri: string; status: number }[];
  /** Media requests (default behavior) that carried an Authorization header (should stay 0). */
  mediaRequestsWithAuthorization: number;
  /**
   * Requests per media cache key (the path after any viewer-request function; the cache policy
   * adds no header, cookie or query string): one entry per segment, however many viewers and tokens ask.
   */
  mediaCacheKeys: Record<string, number>;
}

export interface EmulatorOptions {
  /** The default behavior's origin: every path that no other behavior matches is read from it. */
  mediaBucket: S3BucketModel;
  /** The keys behavior's origin. */
  keyBucket: S3BucketModel;
  /** The deployed bundle's handler, loaded from the built file: the keys behavior's viewer-request function. */
  handler: EdgeHandler;
  /** The CORS origins of the distribution's response-headers policies. */
  allowedOrigins: string[];
  /**
   * A viewer-request function on the default behavior too. Keygate never has one; the
   * benchmark's gate-everything baseline does, as per-segment token schemes do.
   */
  mediaHandler?: EdgeHandler;
  /** The first path segment of path-token URLs (`/<prefix>/<token>/…`), as the deployed config sets it. */
  pathTokenPrefix?: string;
  /**
   * The Host names the distribution answers for (its domain and alternate names): any other Host
   * gets a 421, as CloudFront refuses a name it does not serve. Absent: every Host is answered.
   */
  hostNames?: string[];
  /** The dev site (demo page, sign-in, stats) under DEV_SITE_PATTERNS; return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
}

/**
 * The dev site's behaviors: on a real deployment your own website lives elsewhere; here it is
 * a behavior of its own, matched before the default one like any other.
 */
const DEV_SITE_PATTERNS = ['/', '/__keygate/*'];
export const STATS_PATH = '/__keygate/stats';
const EMULATED_DISTRIBUTION_ID = 'KEYGATEDEV';

const emptyStats = (): EmulatorStats => ({
  requests: { media: 0, keys: 0, other: 0 },
  edgeInvocations: 0,
  functionInvocations: 0,
  keyRequests: [],
  mediaRequestsWithAuthorization: 0,
  mediaCacheKeys: {},
});

/** What of an incoming request the viewer-request event is made of. */
export interface ViewerRequest {
  /** The request target as sent: path and query string, nothing decoded. */
  rawUrl: string;
  method: string;
  /** Alternating names and values, as node's `rawHeaders`. */
  rawHeaders: string[];
  clientIp: string;
  host: string;
  requestId: string;
}

/** The exact Lambda@Edge viewer-request event CloudFront would send for this request. */
export function viewerRequestEvent(viewer: ViewerRequest): CloudFrontRequestEvent {
  const queryAt = viewer.rawUrl.indexOf('?');
  const headers: CloudFrontRequest['headers'] = {};
  for (let i = 0; i < viewer.rawHeaders.length; i += 2) {
    const key = viewer.rawHeaders[i];
    (headers[key.toLowerCase()] ??= []).push({ key, value: viewer.rawHeaders[i + 1] });
  }
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: viewer.host,
            distributionId: EMULATED_DISTRIBUTION_ID,
            eventType: 'viewer-request',
            requestId: viewer.requestId,
          },
          request: {
            clientIp: viewer.clientIp,
            method: viewer.method,
            uri: queryAt < 0 ? viewer.rawUrl : viewer.rawUrl.slice(0, queryAt),
            querystring: queryAt < 0 ? '' : viewer.rawUrl.slice(queryAt + 1),
            headers,
          },
        },
      },
    ],
  };
}

/** The CORS part of a response-headers policy: credentials allowed for the configured origins only. */
function corsHeaders(origin: string | undefined, allowedOrigins: string[], exposeHeaders: string[]): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    ...(exposeHeaders.length > 0 ? { 'access-control-expose-headers': exposeHeaders.join(', ') } : {}),
    vary: 'Origin',
  };
}

type BehaviorName = 'keys' | 'dev-site' | 'path-token-media' | 'media';

/**
 * A local stand-in for the CloudFront distribution, as strict as the real one: each request goes to
 * the first behavior whose path pattern matches its RFC 3986-normalised path (the default behavior,
 * `*`, last), that behavior's viewer-request function (if any) sees the raw request, and its origin
 * maps the raw path to an object key as S3 does. The emulator never decides anything itself.
 */
export function createCloudFrontEmulator(options: EmulatorOptions): { server: Server; stats: () => EmulatorStats } {
  let stats = emptyStats();
  let requestCounter = 0;
  const prefix = options.pathTokenPrefix ?? AUTHORIZER_DEFAULTS.pathTokenPrefix;
  // The distribution's behaviors, in the order KeyDistribution declares them (the default one last).
  const behaviors: { matches: (path: string) => boolean; name: BehaviorName }[] = [
    { pattern: KEYS_PATH_PATTERN, name: 'keys' as const },
    { pattern: pathTokenKeysPattern(prefix), name: 'keys' as const },
    ...(options.extraRoutes ? DEV_SITE_PATTERNS.map((pattern) => ({ pattern, name: 'dev-site' as const })) : []),
    { pattern: pathTokenMediaPattern(prefix), name: 'path-token-media' as const },
    { pattern: '*', name: 'media' as const },
  ].map(({ pattern, name }) => ({ matches: pathPatternMatcher(pattern), name }));
  const stripPathToken = loadCloudFrontFunction(stripPathTokenFunctionCode(prefix));

  /** Runs a behavior's viewer-request function and honours what it returns: a response, or the (possibly rewritten) request for the origin. */
  async function edgeBehavior(
    req: IncomingMessage,
    res: ServerResponse,
    handler: EdgeHandler,
    bucket: S3BucketModel,
    policyHeaders: Record<string, string>,
  ): Promise<number> {
    const event = viewerRequestEvent({
      rawUrl: req.url ?? '/',
      method: req.method ?? 'GET',
      rawHeaders: req.rawHeaders,
      clientIp: req.socket.remoteAddress ?? '127.0.0.1',
      host: req.headers.host ?? 'localhost',
      requestId: `dev-${++requestCounter}`,
    });
    stats.edgeInvocations++;
    const result = await handler(event);
    if ('status' in result) {
      const status = Number(result.status);
      const headers: Record<string, string> = {};
      for (const [name, values] of Object.entries(result.headers ?? {})) headers[name] = values.map((v) => v.value).join(', ');
      res.writeHead(status, result.statusDescription, headers).end(result.body ?? '');
      return status;
    }
    if (bucket === options.mediaBucket) countCacheKey(result.uri);
    return serveS3Object(bucket, result.uri, result.method, res, policyHeaders);
  }

  const countCacheKey = (uri: string) => (stats.mediaCacheKeys[uri] = (stats.mediaCacheKeys[uri] ?? 0) + 1);

  /** The path-token media behavior's CloudFront Function, then the media bucket with the rewritten path. */
  function pathTokenMediaBehavior(req: IncomingMessage, res: ServerResponse, rawPath: string, mediaHeaders: Record<string, string>): void {
    const headers: Record<string, { value: string }> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = { value };
    stats.functionInvocations++;
    const result = stripPathToken({
      version: '1.0',
      context: { eventType: 'viewer-request', distributionId: EMULATED_DISTRIBUTION_ID, requestId: `dev-${++requestCounter}` },
      viewer: { ip: req.socket.remoteAddress ?? '127.0.0.1' },
      request: { method: req.method ?? 'GET', uri: rawPath, querystring: {}, headers, cookies: {} },
    });
    if ('statusCode' in result) {
      res.writeHead(result.statusCode, result.statusDescription, { 'content-type': 'text/plain', ...mediaHeaders }).end();
      return;
    }
    countCacheKey(result.uri);
    serveS3Object(options.mediaBucket, result.uri, result.method, res, mediaHeaders);
  }

  async function keyBehavior(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    stats.requests.keys++;
    // The /keys/* response-headers policy: never stored by the browser; CORS with credentials.
    const status = await edgeBehavior(req, res, options.handler, options.keyBucket, {
      ...corsHeaders(req.headers.origin, options.allowedOrigins, EXPOSED_KEY_HEADERS),
      'cache-control': 'private, no-store',
    });
    stats.keyRequests.push({ uri: rawPath, status });
  }

  async function mediaBehavior(req: IncomingMessage, res: ServerResponse, rawPath: string, pathToken: boolean): Promise<void> {
    stats.requests.media++;
    if (req.headers.authorization) stats.mediaRequestsWithAuthorization++;
    const mediaHeaders = corsHeaders(req.headers.origin, options.allowedOrigins, []);
    if (pathToken) return pathTokenMediaBehavior(req, res, rawPath, mediaHeaders);
    if (options.mediaHandler) {
      await edgeBehavior(req, res, options.mediaHandler, options.mediaBucket, mediaHeaders);
      return;
    }
    countCacheKey(rawPath);
    serveS3Object(options.mediaBucket, rawPath, req.method ?? 'GET', res, mediaHeaders);
  }

  async function devSiteBehavior(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests.other++;
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    if (url.pathname === STATS_PATH) {
      // POST resets, so a test or a benchmark run counts only its own requests.
      if (req.method === 'POST') stats = emptyStats();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(stats));
      return;
    }
    if (options.extraRoutes && (await options.extraRoutes(req, res, url))) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
  }

  const hostNames = options.hostNames && new Set(options.hostNames.map((name) => name.toLowerCase()));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (hostNames) {
      const name = hostNameOf(req.headers.host);
      if (name === undefined || !hostNames.has(name)) {
        res.writeHead(421, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('Misdirected Request: unknown Host\n');
        return;
      }
    }
    const rawPath = (req.url ?? '/').split('?')[0];
    const matchPath = normalizeForBehaviorMatching(rawPath);
    if (matchPath === undefined) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad Request\n');
      return;
    }
    const behavior = behaviors.find((b) => b.matches(matchPath))?.name;
    if (behavior === 'keys') return keyBehavior(req, res, rawPath);
    if (behavior === 'dev-site') return devSiteBehavior(req, res);
    return mediaBehavior(req, res, rawPath, behavior === 'path-token-media');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      // An exception in the edge function is a 503 at CloudFront too: never a key.
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  return { server, stats: () => stats };
}
