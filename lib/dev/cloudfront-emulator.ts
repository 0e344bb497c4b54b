import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from '../../lambda/key-authorizer/cloudfront-event';
import { OBJECT_POLICY } from '../media/publish';

export type EdgeHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequest | CloudFrontResultResponse>;

/** What the emulator saw, for tests and benchmarks: the authorizer runs only on /keys/*. */
export interface EmulatorStats {
  requests: { videos: number; keys: number; other: number };
  authorizerInvocations: number;
  keyRequests: { uri: string; status: number }[];
  /** Requests for playlists or segments that carried an Authorization header (should stay 0). */
  mediaRequestsWithAuthorization: number;
}

export interface EmulatorOptions {
  originDir: string;
  /** The deployed bundle's handler, loaded from the built file. */
  handler: EdgeHandler;
  /** The CORS origins of the /keys/* response-headers policy. */
  allowedOrigins: string[];
  /** Extra routes (the dev page and sign-in endpoints); return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
}

const emptyStats = (): EmulatorStats => ({
  requests: { videos: 0, keys: 0, other: 0 },
  authorizerInvocations: 0,
  keyRequests: [],
  mediaRequestsWithAuthorization: 0,
});

function headersOf(req: IncomingMessage): CloudFrontRequest['headers'] {
  const headers: CloudFrontRequest['headers'] = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = req.rawHeaders[i];
    (headers[key.toLowerCase()] ??= []).push({ key, value: req.rawHeaders[i + 1] });
  }
  return headers;
}

/** Serves a file of the origin folder, or 404 when it does not exist or the path leaves the folder. */
function serveOrigin(
  originDir: string,
  uri: string,
  res: ServerResponse,
  method: string,
  extraHeaders: Record<string, string> = {},
): number {
  let decoded: string;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    decoded = '\0';
  }
  const path = normalize(join(originDir, decoded));
  if (decoded.includes('\0') || !path.startsWith(originDir + sep) || !existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
    return 404;
  }
  const policy = OBJECT_POLICY[extname(path)];
  res.writeHead(200, {
    'content-type': policy?.contentType ?? 'application/octet-stream',
    'cache-control': policy?.cacheControl ?? 'no-cache',
    'content-length': statSync(path).size,
    ...extraHeaders,
  });
  if (method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
  return 200;
}

/**
 * A local stand-in for the CloudFront distribution: the default behavior serves the origin folder
 * with no function; /keys/* invokes the edge handler with the exact Lambda@Edge viewer-request
 * event and honours what it returns. The emulator never decides anything itself.
 */
export function createCloudFrontEmulator(options: EmulatorOptions): { server: Server; stats: () => EmulatorStats; resetStats: () => void } {
  const originDir = normalize(options.originDir);
  let stats = emptyStats();
  let requestCounter = 0;

  async function keyBehavior(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    stats.requests.keys++;
    const rawPath = (req.url ?? '/').split('?')[0];
    const event: CloudFrontRequestEvent = {
      Records: [
        {
          cf: {
            config: {
              distributionDomainName: url.host,
              distributionId: 'KEYGATEDEV',
              eventType: 'viewer-request',
              requestId: `dev-${++requestCounter}`,
            },
            request: {
              clientIp: req.socket.remoteAddress ?? '127.0.0.1',
              method: req.method ?? 'GET',
              uri: rawPath,
              querystring: url.search.replace(/^\?/, ''),
              headers: headersOf(req),
            },
          },
        },
      ],
    };
    stats.authorizerInvocations++;
    const result = await options.handler(event);
    let status: number;
    if ('status' in result) {
      status = Number(result.status);
      const headers: Record<string, string> = {};
      for (const [name, values] of Object.entries(result.headers ?? {})) headers[name] = values.map((v) => v.value).join(', ');
      res.writeHead(status, result.statusDescription, headers).end(result.body ?? '');
    } else {
      // The /keys/* response-headers policy: never stored by the browser; CORS with credentials.
      const origin = req.headers.origin;
      const cors: Record<string, string> =
        origin && options.allowedOrigins.includes(origin)
          ? {
              'access-control-allow-origin': origin,
              'access-control-allow-credentials': 'true',
              'access-control-expose-headers': 'x-keygate-reason',
              vary: 'Origin',
            }
          : {};
      status = serveOrigin(originDir, result.uri, res, result.method, { ...cors, 'cache-control': 'private, no-store' });
    }
    stats.keyRequests.push({ uri: rawPath, status });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const handle = async () => {
      if (url.pathname.startsWith('/keys/')) return keyBehavior(req, res, url);
      if (url.pathname.startsWith('/videos/')) {
        stats.requests.videos++;
        if (req.headers.authorization) stats.mediaRequestsWithAuthorization++;
        serveOrigin(originDir, url.pathname, res, req.method ?? 'GET');
        return;
      }
      stats.requests.other++;
      if (url.pathname === '/__keygate/stats') {
        if (req.method === 'POST') stats = emptyStats();
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(stats));
        return;
      }
      if (options.extraRoutes && (await options.extraRoutes(req, res, url))) return;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
    };
    handle().catch((error: unknown) => {
      // An exception in the edge function is a 503 at CloudFront too: never a key.
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  return { server, stats: () => stats, resetStats: () => (stats = emptyStats()) };
}
