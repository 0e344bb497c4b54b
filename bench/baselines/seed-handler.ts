import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { type CloudFrontRequestEvent, LOCAL_ENDPOINT_CREDENTIALS } from '../../lambda/key-authorizer/contract';
import type { EdgeHandler } from '../../lib/dev/cloudfront-emulator';
import { createStringKeyTable } from '../../lib/dev/local-dynamodb';

/**
 * The design Keygate grew from (seeds/002, a Python Lambda@Edge function ported line for line):
 * the viewer is whatever the `uid` cookie says, and every key request is one GetItem of
 * (uid, key URI). No token, no cache, no deadline; any store error is a denial.
 */
export const SEED_TABLE = 'seed-entitlements';
export const SEED_HASH_KEY = 'uid';
export const SEED_RANGE_KEY = 'keyname';

export interface SeedTarget {
  endpoint: string;
  region: string;
}

function seedClient(target: SeedTarget): DynamoDBClient {
  // The seed used boto3's defaults; the SDK's defaults are the honest equivalent, on loopback.
  return new DynamoDBClient({ endpoint: target.endpoint, region: target.region, credentials: LOCAL_ENDPOINT_CREDENTIALS });
}

function parseCookies(event: CloudFrontRequestEvent): Record<string, string> {
  const header = event.Records[0].cf.request.headers.cookie;
  if (!header) return {};
  const cookies: Record<string, string> = {};
  // As the seed: only the first cookie header, split on ';' and '='.
  for (const part of header[0].value.split(';')) {
    const pieces = part.trim().split('=');
    if (pieces.length < 2) continue;
    cookies[pieces[0].toLowerCase()] = pieces[1];
  }
  return cookies;
}

export function createSeedHandler(target: SeedTarget): EdgeHandler {
  const client = seedClient(target);
  const hasItem = async (uid: string | undefined, keyname: string): Promise<boolean> => {
    if (!uid || !keyname) return false;
    try {
      const res = await client.send(
        new GetItemCommand({ TableName: SEED_TABLE, Key: { [SEED_HASH_KEY]: { S: uid }, [SEED_RANGE_KEY]: { S: keyname } } }),
      );
      return res.Item !== undefined;
    } catch {
      return false;
    }
  };
  return async (event) => {
    const request = event.Records[0].cf.request;
    if (!(await hasItem(parseCookies(event).uid, request.uri))) {
      return { status: '401', statusDescription: 'Unauthorized', headers: {}, body: '' };
    }
    return request;
  };
}

/** The seed's table: one item per key file a viewer may open (the seed grants keys, not videos). */
export async function createSeedTable(target: SeedTarget): Promise<void> {
  const client = seedClient(target);
  try {
    await createStringKeyTable(client, SEED_TABLE, SEED_HASH_KEY, SEED_RANGE_KEY);
  } finally {
    client.destroy();
  }
}

/** Lets each viewer open each of its key URIs: one seed item per pair, in BatchWrites of 25 (DynamoDB's maximum). */
export async function grantSeedKeys(target: SeedTarget, grants: { uid: string; keyUris: string[] }[]): Promise<void> {
  const requests: WriteRequest[] = grants.flatMap((g) =>
    g.keyUris.map((uri) => ({ PutRequest: { Item: { [SEED_HASH_KEY]: { S: g.uid }, [SEED_RANGE_KEY]: { S: uri } } } })),
  );
  const client = seedClient(target);
  try {
    for (let i = 0; i < requests.length; i += 25) {
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [SEED_TABLE]: requests.slice(i, i + 25) } }));
      // dynalite, the only store the bench runs against, never throttles: a leftover item is a broken run, not a retry.
      const left = result.UnprocessedItems?.[SEED_TABLE]?.length ?? 0;
      if (left > 0) throw new Error(`${left} seed items were left unprocessed by ${target.endpoint}`);
    }
  } finally {
    client.destroy();
  }
}
