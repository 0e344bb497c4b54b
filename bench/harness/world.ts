import { join } from 'node:path';
import type { EmulatorStats } from '../../lib/dev/cloudfront-emulator';
import { STATS_PATH } from '../../lib/dev/cloudfront-emulator';
import { EntitlementClient } from '../../lib/admin/entitlement-client';
import { grantItem } from '../../lib/admin/entitlement-items';
import { exportPrivateKeyPem, type SigningKey } from '../../lib/admin/signing-keys';
import { grantSeedKeys } from '../baselines/seed-handler';
import { BENCH_REGION, BENCH_TABLE } from './bench-authorizer';
import { startChild } from './child';
import { countDynamoDbRequests, DYNAMO_COUNTER_PATH, type Design, type WorldReady } from './world-types';

export interface World extends WorldReady {
  /** DynamoDB requests since the last reset, all operations. */
  dynamodbRequests(): Promise<number>;
  /** Clears the DynamoDB counter and every distribution's counters. */
  reset(): Promise<void>;
  stats(design: Design): Promise<EmulatorStats>;
  /** Grants `videoId` to each viewer in Keygate's table, and each of its key URIs in the seed's. */
  grant(grants: { uid: string; videoId: string; keyUris: string[] }[]): Promise<void>;
  close(): Promise<void>;
}

const json = async <T>(url: string, method = 'GET'): Promise<T> => (await (await fetch(url, { method })).json()) as T;

export async function startWorld(options: { originDir: string; workDir: string; key: SigningKey; nodeArgs?: string[] }): Promise<World> {
  const child = await startChild<WorldReady>(
    join(__dirname, 'world-main.ts'),
    {
      originDir: options.originDir,
      workDir: options.workDir,
      signingKeyPem: exportPrivateKeyPem(options.key),
    },
    options.nodeArgs,
  );
  const { urls, dynamodbEndpoint } = child.ready;
  const anyUrl = urls.keygate;
  const target = { region: BENCH_REGION, endpoint: dynamodbEndpoint };
  return {
    ...child.ready,
    dynamodbRequests: () => countDynamoDbRequests(anyUrl),
    reset: async () => {
      await json(anyUrl + DYNAMO_COUNTER_PATH, 'POST');
      for (const url of Object.values(urls)) await json(url + STATS_PATH, 'POST');
    },
    stats: (design) => json<EmulatorStats>(urls[design] + STATS_PATH),
    grant: async (grants) => {
      const keygate = new EntitlementClient({ table: BENCH_TABLE, ...target });
      try {
        const now = Date.now() / 1000;
        await keygate.putAll(grants.map((g) => grantItem({ uid: g.uid, videoId: g.videoId }, now)));
      } finally {
        keygate.destroy();
      }
      await grantSeedKeys(target, grants);
    },
    close: () => child.stop(),
  };
}
