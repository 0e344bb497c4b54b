export const PROVIDER_HIT_CASES = ['hit-self', 'hit-provider'] as const;
export type ProviderHitCase = (typeof PROVIDER_HIT_CASES)[number];

export const PROVIDER_HIT_LABELS: Record<ProviderHitCase, string> = {
  'hit-self': 'self-issued token (keygate token, ES256, pinned key) + cache hit',
  'hit-provider': 'OpenID provider access token (RS256, key fetched from its JWKS URL) + cache hit',
};

export interface ProviderLatencyInput {
  workDir: string;
  endpoint: string;
  signingKeyPem: string;
  keyUri: string;
  selfViewer: string;
  /** The trustedIssuers entry of the local provider, its CA, and a token it issued to `providerViewer`. */
  trustedIssuer: { issuer: string; audience: string[]; jwksUri: string; typ: string };
  caPem: string;
  providerToken: string;
  requestsPerCase: number;
  rounds: number;
  coldContainers: number;
}

export interface ProviderLatencyResult {
  hits: Record<ProviderHitCase, { n: number; p50Us: number; p99Us: number; unexpected: number }>;
  /** A fresh container's first request (a cache miss: one BatchGetItem, the SDK's first connection), in ms. */
  cold: {
    containers: number;
    selfFirstMs: number;
    providerFirstMs: number;
    /** The JWKS fetch alone, as the decision line reports it (https to loopback, TLS handshake included). */
    jwksFetchMs: number;
    /** JWKS requests the provider served during the cold runs: one per fresh container. */
    jwksRequests: number;
    unexpected: number;
  };
}
