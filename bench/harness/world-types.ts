/** The designs the benchmark compares, each behind its own emulated distribution. */
export const DESIGNS = ['keygate', 'keygate-nocache', 'gate-everything', 'seed'] as const;
export type Design = (typeof DESIGNS)[number];

export const DESIGN_LABELS: Record<Design, string> = {
  keygate: 'Keygate (keys only, cache)',
  'keygate-nocache': 'Keygate, cache disabled',
  'gate-everything': 'gate-everything (every request)',
  seed: 'seed handler (uid cookie, GetItem per key)',
};

/** The world's DynamoDB request counter, by operation: GET reads it, POST resets it. */
export const DYNAMO_COUNTER_PATH = '/__keygate/bench-dynamodb';

/** All DynamoDB requests the world has counted since its last reset; `baseUrl` is any of its distributions. */
export async function countDynamoDbRequests(baseUrl: string): Promise<number> {
  const byOperation = (await (await fetch(baseUrl + DYNAMO_COUNTER_PATH)).json()) as Record<string, number>;
  return Object.values(byOperation).reduce((a, b) => a + b, 0);
}

export interface WorldInput {
  originDir: string;
  workDir: string;
  signingKeyPem: string;
}

export interface WorldReady {
  dynamodbEndpoint: string;
  urls: Record<Design, string>;
}
