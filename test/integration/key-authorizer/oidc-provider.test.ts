import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IssuerConfig } from '../../../lambda/key-authorizer/config/authorizer-config';
import { EARLY_REFETCH_AFTER_SECONDS } from '../../../lambda/key-authorizer/identity/issuer-keys';
import { generateSigningKey, signJwt } from '../../../lib/admin/signing-keys';
import { startLocalOidcProvider, type LocalOidcProvider } from '../../../lib/dev/local-oidc-provider';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { TABLE, makeAuthorizerConfig, makeIssuer, makeJwtConfig, makeToken } from '../../fixtures/authorizer-fixtures';
import {
  advanceWallClock,
  isResponse,
  loadBuiltAuthorizer,
  removeBuiltAuthorizers,
  viewerRequestEvent,
  type EdgeResult,
  edgeReason as reason,
  edgeStatus as status,
} from '../../fixtures/built-authorizer';

/**
 * The built bundle against a real OpenID provider (oidc-provider over https on 127.0.0.1) and dynalite.
 * Provider service clients double as viewers: a client_credentials token's `sub` is its client id.
 */
const KEY = '/keys/movie/0.key';
const FETCH_TIMEOUT_MS = 400;
const COOLDOWN_SECONDS = 30;
const MAX_KEY_AGE_SECONDS = 120;

let provider: LocalOidcProvider;
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let jkuTarget: Server;
let jkuRequests = 0;
let stdout: jest.SpyInstance;
const logLines: Record<string, unknown>[] = [];

const outcome = (result: EdgeResult) => [status(result), reason(result)];
const retryAfterOf = (result: EdgeResult) => (isResponse(result) ? result.headers['retry-after']?.[0]?.value : undefined);
const jwksRequests = async () => (await provider.control('/stats')).jwksRequests;
const tokenFor = (viewer: string) => provider.clientCredentialsToken(viewer, `${viewer}-secret`);
const lastLog = () => logLines[logLines.length - 1];

function providerIssuer(overrides: Partial<IssuerConfig> = {}): IssuerConfig {
  return {
    issuer: provider.issuer,
    audience: [provider.resource],
    clientIds: [],
    jwksUri: provider.jwksUri,
    maxLifetimeSeconds: 3600,
    uidClaim: 'sub',
    videosClaim: 'vids',
    typ: 'at+jwt',
    ...overrides,
  };
}

/** A fresh container (its own module instance and key cache) trusting the fixture issuer and `issuers`. */
function container(issuers: IssuerConfig[] = [providerIssuer()]) {
  const config = makeAuthorizerConfig({
    endpoint: dynamo.endpoint,
    replicaRegions: ['us-east-1'],
    replicaPreference: {},
    jwt: makeJwtConfig([makeIssuer(), ...issuers], {
      timeoutMs: FETCH_TIMEOUT_MS,
      cooldownSeconds: COOLDOWN_SECONDS,
      maxKeyAgeSeconds: MAX_KEY_AGE_SECONDS,
      localCa: provider.caPem,
    }),
  });
  const { handler } = loadBuiltAuthorizer(config, 'us-east-1');
  return (token: string, extraHeaders: Record<string, string> = {}) =>
    handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${token}`, ...extraHeaders } }));
}

/** A token as the provider would sign it, but with a key it never published (a made-up kid). */
function unknownKidToken(viewer: string, header: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: provider.issuer, aud: provider.resource, sub: viewer, client_id: viewer, iat, exp: iat + 600 };
  return signJwt(claims, generateSigningKey('ES256'), { typ: 'at+jwt', ...header });
}

async function grant(uid: string, videoId: string) {
  const item = { uid: { S: uid }, sk: { S: videoId }, grantedAt: { N: String(Math.floor(Date.now() / 1000)) } };
  await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
}

beforeAll(async () => {
  const viewers = ['alice', 'bob', 'mallory'];
  provider = await startLocalOidcProvider({
    clients: viewers.map((id) => ({ client_id: id, client_secret: `${id}-secret` })),
  });
  dynamo = await startLocalDynamoDb();
  client = localDynamoDbClient(dynamo.endpoint);
  await ensureEntitlementTable(client, TABLE);
  await grant('alice', 'movie');
  await grant('bob', 'movie');
  jkuTarget = createServer((_req, res) => {
    jkuRequests += 1;
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => jkuTarget.listen(0, '127.0.0.1', resolve));
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (text.startsWith('{"keygate":"decision"')) logLines.push(JSON.parse(text));
    return true;
  });
});

afterEach(async () => {
  jest.useRealTimers();
  await provider.control('/mode?to=up');
});

afterAll(async () => {
  stdout?.mockRestore();
  await new Promise<void>((resolve) => jkuTarget.close(() => resolve()));
  client?.destroy();
  await dynamo?.close();
  await provider?.stop();
  removeBuiltAuthorizers();
});

describe('the built authorizer with a real OpenID provider (oidc-provider, https, JWT access tokens)', () => {
  it('opens an entitled key with a provider token whose key was never pinned, fetching the JWKS once', async () => {
    const authorize = container();
    const token = await tokenFor('alice');
    const before = await jwksRequests();
    expect(outcome(await authorize(token))).toEqual([200, undefined]);
    expect(lastLog()).toMatchObject({ decision: 'allow', jwksFetch: 'fetched', JwksFetches: 1, JwksFetchFailures: 0 });
    expect(await jwksRequests()).toBe(before + 1);
    expect(outcome(await authorize(await tokenFor('bob')))).toEqual([200, undefined]);
    expect(lastLog().jwksFetch).toBeUndefined();
    expect(await jwksRequests()).toBe(before + 1);
  });

  it('keeps accepting tokens whose key it holds while the provider is down', async () => {
    const authorize = container();
    const token = await tokenFor('alice');
    expect(status(await authorize(token))).toBe(200);
    await provider.control('/mode?to=down');
    expect(outcome(await authorize(token))).toEqual([200, undefined]);
  });

  it('fetches the new kid once after the provider rotates its signing key, and accepts it', async () => {
    const authorize = container();
    expect(status(await authorize(await tokenFor('alice')))).toBe(200);
    advanceWallClock(COOLDOWN_SECONDS + 1);
    await provider.control('/rotate');
    const rotated = await tokenFor('alice');
    const before = await jwksRequests();
    expect(outcome(await authorize(rotated))).toEqual([200, undefined]);
    expect(lastLog().jwksFetch).toBe('fetched');
    expect(outcome(await authorize(await tokenFor('bob')))).toEqual([200, undefined]);
    expect(await jwksRequests()).toBe(before + 1);
  });

  it('answers a burst of unknown kids with one fetch, then retryably until the next fetch may be made', async () => {
    advanceWallClock(0);
    const authorize = container();
    const before = await jwksRequests();
    const burst = await Promise.all(Array.from({ length: 25 }, () => authorize(unknownKidToken('alice'))));
    // The fetch they made or joined did not know their kid: that is final.
    expect(burst.map(outcome)).toEqual(Array.from({ length: 25 }, () => [401, 'bad-token']));
    // Later ones cannot know whether the provider has published it since: retry later, never bad-token.
    for (let i = 0; i < 25; i += 1) expect(outcome(await authorize(unknownKidToken('alice')))).toEqual([401, 'jwks-unavailable']);
    expect(await jwksRequests()).toBe(before + 1);
    const fetchOutcomes = logLines.slice(-50).map((line) => line.jwksFetch);
    expect(fetchOutcomes.filter((o) => o === 'fetched')).toHaveLength(1);
    expect(new Set(fetchOutcomes)).toEqual(new Set(['fetched', 'joined', 'cooldown']));
    advanceWallClock(COOLDOWN_SECONDS + 1);
    expect(outcome(await authorize(unknownKidToken('alice')))).toEqual([401, 'bad-token']);
    expect(await jwksRequests()).toBe(before + 2);
  });

  it('answers a key published just after a fetch with a retryable 401 and Retry-After, then opens it after that delay', async () => {
    advanceWallClock(0);
    const authorize = container();
    expect(status(await authorize(await tokenFor('alice')))).toBe(200);
    await provider.control('/rotate');
    const signedWithNewKey = await tokenFor('alice');
    const notYet = await authorize(signedWithNewKey);
    expect(outcome(notYet)).toEqual([401, 'jwks-unavailable']);
    // No fetch was made, so none failed: the failure alarm stays quiet.
    expect([lastLog().jwksFetch, lastLog().JwksFetchFailures]).toEqual(['cooldown', undefined]);
    const retryAfter = Number(retryAfterOf(notYet));
    expect(retryAfter).toBe(EARLY_REFETCH_AFTER_SECONDS);
    advanceWallClock(retryAfter);
    expect(outcome(await authorize(signedWithNewKey))).toEqual([200, undefined]);
    expect(lastLog().jwksFetch).toBe('fetched');
  });

  it('opens a new key after the cooldown when the early refetch was already spent on a made-up kid', async () => {
    advanceWallClock(0);
    const authorize = container();
    expect(status(await authorize(await tokenFor('alice')))).toBe(200);
    advanceWallClock(EARLY_REFETCH_AFTER_SECONDS);
    expect(outcome(await authorize(unknownKidToken('mallory')))).toEqual([401, 'bad-token']);
    await provider.control('/rotate');
    const signedWithNewKey = await tokenFor('alice');
    advanceWallClock(1);
    const notYet = await authorize(signedWithNewKey);
    expect(outcome(notYet)).toEqual([401, 'jwks-unavailable']);
    const retryAfter = Number(retryAfterOf(notYet));
    expect(retryAfter).toBe(COOLDOWN_SECONDS - EARLY_REFETCH_AFTER_SECONDS - 1);
    advanceWallClock(retryAfter - 1);
    expect(outcome(await authorize(signedWithNewKey))).toEqual([401, 'jwks-unavailable']);
    advanceWallClock(1);
    expect(outcome(await authorize(signedWithNewKey))).toEqual([200, undefined]);
  });

  it('costs the provider two JWKS fetches per cooldown per container under a made-up-kid flood', async () => {
    advanceWallClock(0);
    const authorize = container();
    const before = await jwksRequests();
    const simulatedSeconds = 4 * COOLDOWN_SECONDS;
    for (let second = 0; second < simulatedSeconds; second += 1) {
      await Promise.all([authorize(unknownKidToken('mallory')), authorize(unknownKidToken('mallory'))]);
      advanceWallClock(1);
    }
    const fetches = (await jwksRequests()) - before;
    expect(fetches).toBe(2 * (simulatedSeconds / COOLDOWN_SECONDS));
    process.stderr.write(`made-up-kid flood: ${(fetches * 60) / simulatedSeconds} JWKS fetches per minute per container\n`);
  });

  it('fails closed with jwks-unavailable when the provider is down', async () => {
    const authorize = container();
    const token = await tokenFor('alice');
    await provider.control('/mode?to=down');
    expect(outcome(await authorize(token))).toEqual([401, 'jwks-unavailable']);
    expect(lastLog()).toMatchObject({ decision: 'deny', reason: 'jwks-unavailable', jwksFetch: 'failed', JwksFetchFailures: 1 });
    // Within the cooldown the failure stands without a new attempt: still jwks-unavailable, not a fetch per request.
    expect(outcome(await authorize(token))).toEqual([401, 'jwks-unavailable']);
    expect(lastLog().jwksFetch).toBe('cooldown');
  });

  it('fails closed within the fetch deadline when the provider accepts connections but never answers', async () => {
    const authorize = container();
    const token = await tokenFor('alice');
    await provider.control('/mode?to=stall');
    const result = await authorize(token);
    expect(outcome(result)).toEqual([401, 'jwks-unavailable']);
    // A budget, not a speed: the request waited for the deadline, and not much past it.
    expect(lastLog().jwksFetchMs).toBeGreaterThanOrEqual(FETCH_TIMEOUT_MS - 5);
    expect(lastLog().jwksFetchMs).toBeLessThan(FETCH_TIMEOUT_MS + 1000);
  });

  it('refuses a key the provider removed from its JWKS once the fetched keys are older than the bound', async () => {
    const authorize = container();
    const oldToken = await tokenFor('alice');
    expect(status(await authorize(oldToken))).toBe(200);
    await provider.control('/rotate');
    await provider.control('/drop-old-keys');
    const newToken = await tokenFor('alice');
    advanceWallClock(MAX_KEY_AGE_SECONDS - 5);
    expect(outcome(await authorize(oldToken))).toEqual([200, undefined]);
    advanceWallClock(10);
    expect(outcome(await authorize(oldToken))).toEqual([401, 'bad-token']);
    expect(lastLog().jwksFetch).toBe('fetched');
    expect(outcome(await authorize(newToken))).toEqual([200, undefined]);
  });

  it('refuses a valid provider token when the provider is not a trusted issuer', async () => {
    const authorize = container([]);
    const before = await jwksRequests();
    expect(outcome(await authorize(await tokenFor('alice')))).toEqual([401, 'bad-token']);
    expect(await jwksRequests()).toBe(before);
  });

  it('refuses a valid provider token meant for another audience', async () => {
    const authorize = container([providerIssuer({ audience: ['https://other.example/api'] })]);
    expect(outcome(await authorize(await tokenFor('alice')))).toEqual([401, 'bad-token']);
  });

  it('accepts a token by client id when so configured, and refuses one from another client', async () => {
    const authorize = container([providerIssuer({ audience: [], clientIds: ['alice'] })]);
    expect(outcome(await authorize(await tokenFor('alice')))).toEqual([200, undefined]);
    expect(outcome(await authorize(await tokenFor('bob')))).toEqual([401, 'bad-token']);
  });

  it('refuses a provider token without the configured typ (an ID token where an access token is expected)', async () => {
    const authorize = container([providerIssuer({ typ: 'id+jwt' })]);
    expect(outcome(await authorize(await tokenFor('alice')))).toEqual([401, 'bad-token']);
  });

  it('never fetches keys from where the token says: a jku header is refused and never followed', async () => {
    const authorize = container();
    const jku = `http://127.0.0.1:${(jkuTarget.address() as AddressInfo).port}/jwks.json`;
    const before = await jwksRequests();
    expect(outcome(await authorize(unknownKidToken('alice', { jku })))).toEqual([401, 'bad-token']);
    expect(outcome(await authorize(unknownKidToken('alice', { x5u: jku })))).toEqual([401, 'bad-token']);
    expect([jkuRequests, await jwksRequests()]).toEqual([0, before]);
  });

  it('refuses a provider token issued before the viewer’s sessions were revoked (uid from the mapped claim)', async () => {
    await grant('mallory', 'movie');
    const token = await tokenFor('mallory');
    expect(status(await container()(token))).toBe(200);
    const revokedBefore = { N: String(Math.floor(Date.now() / 1000) + 1) };
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { uid: { S: 'mallory' }, sk: { S: '#revoked' }, revokedBefore } }));
    expect(outcome(await container()(token))).toEqual([401, 'session-revoked']);
  });

  it('keeps the self-issued (keygate token) issuer working beside the provider', async () => {
    const authorize = container();
    expect(outcome(await authorize(makeToken('alice')))).toEqual([200, undefined]);
  });
});
