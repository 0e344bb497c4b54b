import type { IncomingMessage } from 'node:http';

/** CORS with credentials for the dev site's endpoints, for the allowed player pages on other origins only. */
export function corsHeaders(req: IncomingMessage, allowedOrigins: string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !allowedOrigins.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}
