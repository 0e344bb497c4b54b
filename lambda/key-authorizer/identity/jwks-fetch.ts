import { get } from 'node:https';
import type { JwksFetchConfig } from '../config/issuer-config';

/** Fetches a JWKS document and returns it parsed as JSON; rejects with JwksFetchError. */
export type JwksFetcher = (uri: string) => Promise<unknown>;

export class JwksFetchError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'JwksFetchError';
  }
}

/**
 * One GET of a JWKS over https, fail-fast: one deadline over connect, TLS and body, a byte cap, no
 * redirects (a redirect could lead anywhere), no retries (the request is waiting). Only https: the
 * keys decide who gets content keys, so they must come from the issuer we named, authenticated.
 */
export function httpsJwksFetcher(config: Pick<JwksFetchConfig, 'timeoutMs' | 'maxBytes' | 'localCa'>): JwksFetcher {
  return (uri) =>
    new Promise((resolve, reject) => {
      if (!uri.startsWith('https://')) {
        reject(new JwksFetchError('the JWKS URL is not https'));
        return;
      }
      const fail = (detail: string) => {
        clearTimeout(deadline);
        request.destroy();
        reject(new JwksFetchError(detail));
      };
      const request = get(
        uri,
        // agent: false — fetches are minutes apart: a pooled socket the provider closed meanwhile would fail the next one.
        { headers: { accept: 'application/json' }, agent: false, ...(config.localCa ? { ca: config.localCa } : {}) },
        (response) => {
          const length = Number(response.headers['content-length'] ?? 0);
          if (response.statusCode !== 200) return fail(`the JWKS URL answered ${response.statusCode}`);
          if (length > config.maxBytes) return fail('the JWKS is larger than the cap');
          const chunks: Buffer[] = [];
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > config.maxBytes) fail('the JWKS is larger than the cap');
            else chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(deadline);
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
              reject(new JwksFetchError('the JWKS is not JSON'));
            }
          });
          response.on('error', (error) => fail(error.message));
        },
      );
      const deadline = setTimeout(() => fail(`no JWKS within ${config.timeoutMs} ms`), config.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(deadline);
        reject(new JwksFetchError(error.message));
      });
    });
}
