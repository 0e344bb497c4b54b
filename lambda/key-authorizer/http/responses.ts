import type { AuthorizerConfig } from '../config/authorizer-config';
import { DENIAL_STATUS, type DenialReason } from '../denial-reasons';

/** A generated response in neutral form; the handler turns it into CloudFront's shape. */
export interface GeneratedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const STATUS_TEXT: Record<number, string> = {
  204: 'No Content',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  503: 'Service Unavailable',
};

export const REASON_HEADER = 'x-keygate-reason';
/** What a cross-origin player may read of a key response: the denial reason, and when to retry (503, jwks-unavailable). */
export const EXPOSED_KEY_HEADERS = [REASON_HEADER, 'retry-after'];

/** CORS headers for a configured origin, with credentials, so a player can read the status and reason. */
export function corsHeaders(origin: string | undefined, config: AuthorizerConfig): Record<string, string> {
  if (origin === undefined || !config.allowedOrigins.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSED_KEY_HEADERS.join(', '),
    vary: 'Origin',
  };
}

/** `retryAfterSeconds`: a retryable 401 (`jwks-unavailable`) says when; a 503 always does. */
export function denialResponse(
  reason: DenialReason,
  origin: string | undefined,
  config: AuthorizerConfig,
  retryAfterSeconds?: number,
): GeneratedResponse {
  const status = DENIAL_STATUS[reason];
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'content-type': 'text/plain; charset=utf-8',
    [REASON_HEADER]: reason,
    ...corsHeaders(origin, config),
  };
  if (status === 405) headers.allow = 'GET, HEAD, OPTIONS';
  if (status === 503) headers['retry-after'] = String(config.store.retryAfterSeconds);
  else if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return { status, headers, body: `${STATUS_TEXT[status]}: ${reason}\n` };
}

/** The answer to a CORS preflight from a configured origin: the player may send credentials. */
export function preflightResponse(origin: string, config: AuthorizerConfig): GeneratedResponse {
  return {
    status: 204,
    headers: {
      ...corsHeaders(origin, config),
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'authorization',
      'access-control-max-age': '600',
      'cache-control': 'no-store',
    },
    body: '',
  };
}
