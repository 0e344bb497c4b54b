import { join } from 'node:path';
import { exportPrivateKeyPem, type SigningKey } from '../../lib/admin/signing-keys';
import { startLocalOidcProvider } from '../../lib/dev/local-oidc-provider';
import { runChild } from '../harness/child';
import type { World } from '../harness/world';
import type { ProviderLatencyInput, ProviderLatencyResult } from './provider-latency-types';

export const PROVIDER_LATENCY_VIDEO = 'provider-latency-v';
const PROVIDER_VIEWER = 'bench-provider-viewer';

/**
 * Measurement 2b: a token from an identity provider against a self-issued one, in the built bundle:
 * the warm cost (key held, cache hit) and a fresh container's first request, which fetches the
 * provider's JWKS. The provider is a real one (oidc-provider over https on loopback).
 */
export async function benchProviderLatency(
  world: World,
  key: SigningKey,
  workDir: string,
  options: { requestsPerCase: number; rounds: number; coldContainers: number },
): Promise<ProviderLatencyResult> {
  const provider = await startLocalOidcProvider({ clients: [{ client_id: PROVIDER_VIEWER, client_secret: 'bench-secret' }] });
  try {
    const keyUri = `/keys/${PROVIDER_LATENCY_VIDEO}/0.key`;
    const selfViewer = 'bench-self-viewer';
    await world.grant([selfViewer, PROVIDER_VIEWER].map((uid) => ({ uid, videoId: PROVIDER_LATENCY_VIDEO, keyUris: [keyUri] })));
    const before = (await provider.control('/stats')).jwksRequests;
    const input: ProviderLatencyInput = {
      workDir,
      endpoint: world.dynamodbEndpoint,
      signingKeyPem: exportPrivateKeyPem(key),
      keyUri,
      selfViewer,
      trustedIssuer: { issuer: provider.issuer, audience: [provider.resource], jwksUri: provider.jwksUri, typ: 'at+jwt' },
      caPem: provider.caPem,
      providerToken: await provider.clientCredentialsToken(PROVIDER_VIEWER, 'bench-secret'),
      ...options,
    };
    const result = await runChild<ProviderLatencyResult>(join(__dirname, 'provider-latency-main.ts'), input);
    // The warm container fetched once; every cold container once more.
    result.cold.jwksRequests = (await provider.control('/stats')).jwksRequests - before - 1;
    return result;
  } finally {
    await provider.stop();
  }
}
