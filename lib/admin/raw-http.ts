import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * A GET of `rawPath` (path and query, sent exactly as written) on `origin`. Raw on purpose: `fetch`
 * and `new URL` normalise `%2F`, `..` and `//`, which are the very paths a canary must send.
 */
export type HttpGet = (origin: URL, rawPath: string, headers?: Record<string, string>) => Promise<HttpResponse>;

/** Bigger than any HLS segment or playlist Keygate publishes; a body past it is cut off, not buffered. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/** The node:http(s) client behind `keygate verify`, with an overall deadline per request. */
export function rawHttpGet(timeoutMs = 15_000): HttpGet {
  return (origin, rawPath, headers = {}) =>
    new Promise((resolve, reject) => {
      const request = origin.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(
        {
          protocol: origin.protocol,
          hostname: origin.hostname.replace(/^\[|\]$/g, ''),
          port: origin.port || undefined,
          path: rawPath,
          method: 'GET',
          // A fresh connection per request: nothing of one check (a cached answer on a kept-alive socket) leaks into the next.
          agent: false,
          headers: { 'user-agent': 'keygate-verify', ...headers },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_BODY_BYTES) chunks.push(chunk);
            else res.destroy();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), body: Buffer.concat(chunks) }));
          res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
}
