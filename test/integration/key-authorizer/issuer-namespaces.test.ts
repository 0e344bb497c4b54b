import { hashViewerId } from '../../../lambda/key-authorizer/decision-log';
import { generateSigningKey, signJwt } from '../../../lib/admin/signing-keys';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { TABLE, makeAuthorizerConfig, makeIssuer, makeJwtConfig, makeToken, nowSeconds } from '../../fixtures/authorizer-fixtures';
import {
  edgeReason,
  edgeStatus,
  loadBuiltAuthorizer,
  removeBuiltAuthorizers,
  viewerRequestEvent,
  type EdgeResult,
} from '../../fixtures/built-authorizer';
import { runCli } from '../../fixtures/run-cli';

/**
 * Two trusted issuers whose tokens carry the same `sub`: your own (no prefix) and a partner's provider
 * with `uidPrefix: "partner:"`. The adversary is the partner's provider (or anyone who signs up there
 * with a chosen `sub`): it must never open, nor revoke, your viewer's grants. The built bundle reads
 * dynalite; grants and revocations are written by the real `keygate` CLI with the prefixed id as is.
 */
const PARTNER = 'https://partner.example.com';
const partnerKey = generateSigningKey('ES256');
let dynamo: LocalDynamoDb;
let logLines: Record<string, unknown>[] = [];
let stdout: jest.SpyInstance;

const keygate = (...args: string[]) => runCli([...args, '--endpoint', dynamo.endpoint], { KEYGATE_TABLE: TABLE, AWS_REGION: 'us-east-1' });
const outcome = (result: EdgeResult) => [edgeStatus(result), edgeReason(result)];

function partnerToken(sub: string, issuedSecondsAgo = 0) {
  const iat = nowSeconds() - issuedSecondsAgo;
  return signJwt({ iss: PARTNER, aud: 'partner-app', sub, iat, exp: iat + 600 }, partnerKey);
}

/** A fresh container (its own warm cache) trusting both issuers. */
function container() {
  const partner = makeIssuer({ issuer: PARTNER, audience: ['partner-app'], jwks: { keys: [partnerKey.jwk] }, uidPrefix: 'partner:' });
  const config = makeAuthorizerConfig({
    endpoint: dynamo.endpoint,
    replicaRegions: ['us-east-1'],
    replicaPreference: {},
    jwt: makeJwtConfig([makeIssuer(), partner]),
  });
  const { handler } = loadBuiltAuthorizer(config, 'us-east-1');
  return (video: string, token: string) =>
    handler(viewerRequestEvent({ uri: `/keys/${video}/0.key`, headers: { Authorization: `Bearer ${token}` } }));
}

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  const client = localDynamoDbClient(dynamo.endpoint);
  await ensureEntitlementTable(client, TABLE);
  client.destroy();
  expect(await keygate('grant', 'alice', 'movie')).toMatchObject({ code: 0 });
  expect(await keygate('grant', 'partner:alice', 'trailer')).toMatchObject({ code: 0, stdout: 'granted partner:alice trailer\n' });
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (text.startsWith('{"keygate":"decision"')) logLines.push(JSON.parse(text));
    return true;
  });
});

afterAll(async () => {
  stdout?.mockRestore();
  await dynamo?.close();
  removeBuiltAuthorizers();
});

describe('one viewer namespace per issuer (uidPrefix)', () => {
  it('gives two issuers’ viewers with the same sub their own grants', async () => {
    const authorize = container();
    expect(outcome(await authorize('movie', makeToken('alice')))).toEqual([200, undefined]);
    expect(outcome(await authorize('trailer', makeToken('alice')))).toEqual([403, 'not-entitled']);
    expect(outcome(await authorize('movie', partnerToken('alice')))).toEqual([403, 'not-entitled']);
    expect(outcome(await authorize('trailer', partnerToken('alice')))).toEqual([200, undefined]);
  });

  it('logs the prefixed viewer id (hashed), so the two viewers never share a decision-log identity', async () => {
    logLines = [];
    const authorize = container();
    await authorize('movie', makeToken('alice'));
    await authorize('trailer', partnerToken('alice'));
    const salt = makeAuthorizerConfig().logSalt;
    expect(logLines.map((line) => line.viewer)).toEqual([hashViewerId('alice', salt), hashViewerId('partner:alice', salt)]);
  });

  it('revokes the partner viewer’s sessions without touching your own viewer of the same sub', async () => {
    const older = partnerToken('alice', 30);
    const ownOlder = makeToken('alice', { iat: nowSeconds() - 30 });
    expect(await keygate('revoke-sessions', 'partner:alice')).toMatchObject({ code: 0 });
    const authorize = container();
    expect(outcome(await authorize('trailer', older))).toEqual([401, 'session-revoked']);
    expect(outcome(await authorize('movie', ownOlder))).toEqual([200, undefined]);
  });

  it('refuses a partner token whose prefixed id would pass the viewer-id bound', async () => {
    const authorize = container();
    expect(outcome(await authorize('trailer', partnerToken('a'.repeat(250))))).toEqual([401, 'bad-token']);
  });
});
