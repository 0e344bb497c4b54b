import { join } from 'node:path';
import { exportPrivateKeyPem, type SigningKey } from '../../lib/admin/signing-keys';
import { runChild } from '../harness/child';
import type { World } from '../harness/world';
import type { LatencyCase, LatencyInput, LatencyResult } from './latency-types';

export const LATENCY_VIDEO = 'latency-v';

/**
 * Measurement 2: decision latency of the built bundle, in its own process (its decision log goes
 * to /dev/null as to Lambda's log pipe), one request at a time, the cases interleaved in batches.
 */
export async function benchLatency(
  world: World,
  key: SigningKey,
  workDir: string,
  options: { requestsPerCase: number; rounds: number; nodeArgs?: string[] },
): Promise<Record<LatencyCase, LatencyResult>> {
  const keyUri = `/keys/${LATENCY_VIDEO}/0.key`;
  const viewers = Array.from({ length: options.requestsPerCase + 1 }, (_, i) => `lat-${i}`);
  await world.grant(viewers.map((uid) => ({ uid, videoId: LATENCY_VIDEO, keyUris: [keyUri] })));
  const input: LatencyInput = {
    workDir,
    endpoint: world.dynamodbEndpoint,
    signingKeyPem: exportPrivateKeyPem(key),
    keyUri,
    viewers,
    requestsPerCase: options.requestsPerCase,
    rounds: options.rounds,
  };
  return runChild(join(__dirname, 'latency-main.ts'), input, options.nodeArgs);
}
