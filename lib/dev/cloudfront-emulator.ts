import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from '../../lambda/key-authorizer/cloudfront-event';
import { REASON_HEADER } from '../../lambda/key-authorizer/responses';
import { serveOriginFile } from './origin-folder';

export type EdgeHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequest | CloudFrontResultResponse>;

/** What the emulator saw, for tests and benchmarks: Keygate's authorizer runs only on /keys/*. */
export interface EmulatorStats {
  requests: { videos: number; keys: number; other: number };
  /** Edge function invocations, on every behavior that has one. */
  authorizerInvocations: number;
  keyRequests: { uri: string; status: number }[];
  /** Requests for playlists or segments that carried an Authorization header (should stay 0). */
  mediaRequestsWithAuthorization: number;
}

export interface EmulatorOptions {
  originDir: string;
  /** The deployed bundle's handler, loaded from the built file. */
  handler: EdgeHandler;
  /** The CORS origins of the distribution's response-headers policies. */
  allowedOrigins: string[];
  /**
   * A viewer-request function on the default (/videos/*) behavior too. Keygate never has one; the
   * benchmark's gate-everything baseline does, as per-segment token schemes do.
   */
  mediaHandler?: EdgeHandler;
  /** Extra routes (the dev page and sign-in endpoints); return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
}

export const STATS_PATH = '/__keygate/stats';
export const EMULATED_DISTRIBUTION_ID = 'KEYGATEDEV';

const emptyStats = (): EmulatorStats => ({
  requests: { videos: 0, keys: 0, other: 0 },
  authorizerInvocations: 0,
  keyRequests: [],
  mediaRequestsWithAuthorization: 0,
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

/**
 * A local stand-in for the CloudFront distribution: the default behavior serves the origin folder
 * with no function; /keys/* invokes the edge handler with the exact Lambda@Edge viewer-request
 * event and honours what it returns. The emulator never decides anything itself.
 */
export function createCloudFrontEmulator(options: EmulatorOptions): { server: Server; stats: () => EmulatorStats; resetStats: () => void } {
  let stats = emptyStats();
  let requestCounter = 0;

  /** Runs a behavior's viewer-request function and honours what it returns: a response, or the (possibly rewritten) request. */
  async function edgeBehavior(
    req: IncomingMessage,
    res: ServerResponse,
    handler: EdgeHandler,
    originHeaders: Record<string, string>,
  ): Promise<number> {
    const event = viewerRequestEvent({
      rawUrl: req.url ?? '/',
      method: req.method ?? 'GET',
      rawHeaders: req.rawHeaders,
      clientIp: req.socket.remoteAddress ?? '127.0.0.1',
      host: req.headers.host ?? 'localhost',
      requestId: `dev-${++requestCounter}`,
    });
    stats.authorizerInvocations++;
    const result = await handler(event);
    if ('status' in result) {
      const status = Number(result.status);
      const headers: Record<string, string> = {};
      for (const [name, values] of Object.entries(result.headers ?? {})) headers[name] = values.map((v) => v.value).join(', ');
      res.writeHead(status, result.statusDescription, headers).end(result.body ?? '');
      return status;
    }
    return serveOriginFile(options.originDir, result.uri, result.method, res, originHeaders);
  }

  async function keyBehavior(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    stats.requests.keys++;
    // The /keys/* response-headers policy: never stored by the browser; CORS with credentials.
    const status = await edgeBehavior(req, res, options.handler, {
      ...corsHeaders(req.headers.origin, options.allowedOrigins, [REASON_HEADER]),
      'cache-control': 'private, no-store',
    });
    stats.keyRequests.push({ uri: rawPath, status });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Behaviors match the path as sent, as CloudFront's path patterns do: no decoding, no normalizing.
    const rawPath = (req.url ?? '/').split('?')[0];
    if (rawPath.startsWith('/keys/')) return keyBehavior(req, res, rawPath);
    if (rawPath.startsWith('/videos/')) {
      stats.requests.videos++;
      if (req.headers.authorization) stats.mediaRequestsWithAuthorization++;
      const mediaHeaders = corsHeaders(req.headers.origin, options.allowedOrigins, []);
      if (options.mediaHandler) await edgeBehavior(req, res, options.mediaHandler, mediaHeaders);
      else serveOriginFile(options.originDir, rawPath, req.method ?? 'GET', res, mediaHeaders);
      return;
    }
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

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      // An exception in the edge function is a 503 at CloudFront too: never a key.
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  return { server, stats: () => stats, resetStats: () => (stats = emptyStats()) };
}
