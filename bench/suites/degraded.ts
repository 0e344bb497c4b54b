import { join } from 'node:path';
import { exportPrivateKeyPem, type SigningKey } from '../../lib/admin/signing-keys';
import type { StoreFault } from '../../lib/dev/store-fault-proxy';
import { runChild } from '../harness/child';
import type { World } from '../harness/world';
import type { DegradedInput, DegradedRow } from './degraded-types';

export const DEGRADED_VIDEO = 'degraded-v';

/**
 * Measurement 2c: key requests of the built bundle while a proxy fails every replica, for viewers
 * allowed moments before and for the others, with and without the degraded mode's grace, and for
 * viewers on a plan of one stream (whose grace must keep the limit). The
 * throttling faults are the proxy's mock of DynamoDB's answer (dynalite never throttles).
 */
export async function benchDegraded(
  world: World,
  key: SigningKey,
  workDir: string,
  options: { viewers: number; faults: Exclude<StoreFault, 'pass'>[]; graces: number[]; limitedViewers: number },
): Promise<DegradedRow[]> {
  const keyUri = `/keys/${DEGRADED_VIDEO}/0.key`;
  const viewers = Array.from({ length: options.viewers * 2 }, (_, i) => `deg-${i}`);
  await world.grant(viewers.map((uid) => ({ uid, videoId: DEGRADED_VIDEO, keyUris: [keyUri] })));
  const input: DegradedInput = {
    workDir,
    endpoint: world.dynamodbEndpoint,
    signingKeyPem: exportPrivateKeyPem(key),
    keyUri,
    viewers,
    faults: options.faults,
    graces: options.graces,
    limitedViewers: options.limitedViewers,
  };
  return runChild(join(__dirname, 'degraded-main.ts'), input);
}
