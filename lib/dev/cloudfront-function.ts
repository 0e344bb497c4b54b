import { Script, createContext } from 'node:vm';

/** The event a CloudFront Function (cloudfront-js-2.0) gets on viewer-request, as far as Keygate's function reads it. */
export interface CloudFrontFunctionEvent {
  version: '1.0';
  context: { eventType: 'viewer-request'; distributionId: string; requestId: string };
  viewer: { ip: string };
  request: {
    method: string;
    uri: string;
    querystring: Record<string, { value: string }>;
    headers: Record<string, { value: string }>;
    cookies: Record<string, { value: string }>;
  };
}

export type CloudFrontFunctionResult =
  CloudFrontFunctionEvent['request'] | { statusCode: number; statusDescription?: string; headers?: Record<string, { value: string }> };

/**
 * Runs a CloudFront Function's source as CloudFront would: in a context of its own, with nothing of
 * node in reach (no require, process or timers), calling its `handler(event)`.
 */
export function loadCloudFrontFunction(source: string): (event: CloudFrontFunctionEvent) => CloudFrontFunctionResult {
  const context = createContext({});
  new Script(source, { filename: 'cloudfront-function.js' }).runInContext(context);
  const handler = (context as { handler?: unknown }).handler;
  if (typeof handler !== 'function') throw new Error('a CloudFront Function must define handler(event)');
  return (event) => handler(event) as CloudFrontFunctionResult;
}
