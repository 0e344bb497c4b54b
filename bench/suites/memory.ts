import { join } from 'node:path';
import { exportPrivateKeyPem, type SigningKey } from '../../lib/admin/signing-keys';
import { runChild } from '../harness/child';
import type { World } from '../harness/world';
import type { MemoryInput, MemoryResult } from './memory-types';

/**
 * Measurement 5: RSS of a process that loads the bundle and decides for `decisions` distinct
 * viewers (each a cache miss and a store read), sampled as it goes, then after a full GC.
 */
export function benchMemory(
  world: World,
  key: SigningKey,
  workDir: string,
  options: { decisions: number; cacheMaxEntries?: number; nodeArgs?: string[] },
): Promise<MemoryResult> {
  const input: MemoryInput = {
    workDir,
    endpoint: world.dynamodbEndpoint,
    signingKeyPem: exportPrivateKeyPem(key),
    worldUrl: world.urls.keygate,
    decisions: options.decisions,
    ...(options.cacheMaxEntries !== undefined ? { cacheMaxEntries: options.cacheMaxEntries } : {}),
  };
  return runChild(join(__dirname, 'memory-main.ts'), input, ['--expose-gc', ...(options.nodeArgs ?? [])]);
}
