import type { KeyProvider, KeyProviderRequest } from './key-provider';

/**
 * A Lambda function URL's request (payload format 2.0), the fields the key provider reads. Header
 * names arrive in lower case, repeated headers joined by commas; a body that is not text arrives in
 * base64 (`isBase64Encoded`).
 */
export interface FunctionUrlEvent {
  readonly rawPath?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly http: { readonly method: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The provider's HTTP request from a function URL event. */
export function keyProviderRequestOf(event: FunctionUrlEvent): KeyProviderRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const text = event.body ?? '';
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath ?? '/',
    headers,
    body: event.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

/**
 * The key provider behind a Lambda function URL: a thin adapter, every decision is the provider's.
 * A failure the provider did not turn into an answer is a 500 without detail (the caller retries).
 */
export function functionUrlKeyProvider(
  provider: KeyProvider,
  onError: (error: unknown) => void,
): (event: FunctionUrlEvent) => Promise<FunctionUrlResult> {
  return async (event) => {
    try {
      const answer = await provider(keyProviderRequestOf(event));
      return { statusCode: answer.status, headers: answer.headers, body: answer.body };
    } catch (error) {
      onError(error);
      return {
        statusCode: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        body: 'The key provider failed: no key was handed out.\n',
      };
    }
  };
}
