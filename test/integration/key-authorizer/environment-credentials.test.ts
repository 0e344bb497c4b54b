import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, request as forward, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { TABLE, makeAuthorizerConfig, makeToken } from '../../fixtures/authorizer-fixtures';
import {
  loadBuiltAuthorizer,
  removeBuiltAuthorizers,
  viewerRequestEvent,
  edgeReason as reason,
  edgeStatus as status,
} from '../../fixtures/built-authorizer';

// What Lambda puts in a function's environment: its role's temporary credentials.
const ENV_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIAKEYGATEENVTEST01',
  AWS_SECRET_ACCESS_KEY: 'keygate-env-secret-for-tests-only',
  AWS_SESSION_TOKEN: 'keygate-env-session-token-for-tests-only',
};
// Every variable the test sets or clears, restored after each test.
const TOUCHED = [...Object.keys(ENV_CREDENTIALS), 'AWS_PROFILE', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];
const KEY = '/keys/movie/0.key';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let recorder: Server;
/** The headers of every request that reached the store, in order. */
const seen: IncomingHttpHeaders[] = [];
let savedEnv: Record<string, string | undefined>;
let stdout: jest.SpyInstance;

/**
 * The deployed configuration: no `endpoint`, so no fixed local credentials and the SDK's own
 * credential resolution, which the bundle narrows to the environment. The endpoint comes from the
 * SDK's AWS_ENDPOINT_URL_DYNAMODB instead, pointing at the recorder in front of dynalite.
 */
const deployedConfig = () => makeAuthorizerConfig({ replicaRegions: ['us-east-1'], replicaPreference: {} });

beforeAll(async () => {
  // The bundle logs a decision line per request; keep them out of the test output.
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  dynamo = await startLocalDynamoDb();
  client = localDynamoDbClient(dynamo.endpoint);
  await ensureEntitlementTable(client, TABLE);
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { uid: { S: 'alice' }, sk: { S: 'movie' }, grantedAt: { N: '1' } } }));
  const target = new URL(dynamo.endpoint);
  // Records what the bundle sends, then passes it on to dynalite unchanged.
  recorder = createServer((req, res) => {
    seen.push(req.headers);
    const upstream = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
});

beforeEach(() => {
  savedEnv = Object.fromEntries(TOUCHED.map((name) => [name, process.env[name]]));
  for (const name of TOUCHED) delete process.env[name];
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  seen.length = 0;
});

afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

afterAll(async () => {
  stdout.mockRestore();
  recorder.closeAllConnections();
  await new Promise<void>((resolve) => recorder.close(() => resolve()));
  client.destroy();
  await dynamo.close();
  removeBuiltAuthorizers();
});

describe('the built authorizer bundle resolving AWS credentials at the edge', () => {
  it('leaves out every credential source but the environment', () => {
    const { modules } = loadBuiltAuthorizer(deployedConfig(), 'us-east-1');
    expect(modules.filter((path) => /@aws-sdk\/credential-provider-env\//.test(path))).not.toHaveLength(0);
    expect(
      modules.filter((path) =>
        /@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|http|login)|nested-clients|token-providers)\/|credential-provider-imds/.test(
          path,
        ),
      ),
    ).toEqual([]);
  });

  it('signs its store request with the access key id and session token from the environment', async () => {
    Object.assign(process.env, ENV_CREDENTIALS);
    const { handler } = loadBuiltAuthorizer(deployedConfig(), 'us-east-1');
    const result = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('alice')}` } }));
    expect(status(result)).toBe(200);
    expect(seen).toHaveLength(1);
    const [{ authorization, 'x-amz-security-token': sessionToken }] = seen;
    expect(authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${ENV_CREDENTIALS.AWS_ACCESS_KEY_ID}/\\d{8}/us-east-1/dynamodb/aws4_request, SignedHeaders=`,
      ),
    );
    expect(authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    expect(sessionToken).toBe(ENV_CREDENTIALS.AWS_SESSION_TOKEN);
  });

  it('answers 503, never a key, and sends nothing to the store when the environment holds no credentials', async () => {
    const { handler } = loadBuiltAuthorizer(deployedConfig(), 'us-east-1');
    const result = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('alice')}` } }));
    expect([status(result), reason(result)]).toEqual([503, 'store-unavailable']);
    expect(seen).toEqual([]);
  });
});
