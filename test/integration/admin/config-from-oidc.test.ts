import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalOidcProvider, type LocalOidcProvider } from '../../../lib/dev/local-oidc-provider';
import { runCli } from '../../fixtures/run-cli';

/** `keygate config from-oidc` against a real provider's discovery document (oidc-provider over https). */
let provider: LocalOidcProvider;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  provider = await startLocalOidcProvider();
  dir = mkdtempSync(join(tmpdir(), 'keygate-from-oidc-'));
  // The provider's self-signed certificate, trusted the way Node trusts a corporate CA: nothing in the command changes.
  writeFileSync(join(dir, 'ca.pem'), provider.caPem);
  env = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
});

afterAll(async () => {
  await provider?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('keygate config from-oidc', () => {
  it('prints the trustedIssuers entry read from the discovery document', async () => {
    const result = await runCli(['config', 'from-oidc', provider.issuer, '--audience', provider.resource], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ issuer: provider.issuer, jwksUri: provider.jwksUri, audience: [provider.resource] });
  });

  it('adds the entry to a cdk.json, replacing one for the same issuer and keeping the rest', async () => {
    const file = join(dir, 'cdk.json');
    const other = { issuer: 'https://other.example.com/', jwksUri: 'https://other.example.com/jwks', audience: ['a'] };
    const stale = { issuer: provider.issuer, jwksUri: 'https://stale.example.com/jwks', audience: ['old'] };
    writeFileSync(file, JSON.stringify({ app: 'x', context: { region: 'eu-west-1', trustedIssuers: [other, stale] } }));
    const result = await runCli(['config', 'from-oidc', provider.issuer, '--client-id', 'app', '--write', file], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      app: 'x',
      context: { region: 'eu-west-1', trustedIssuers: [other, { issuer: provider.issuer, jwksUri: provider.jwksUri, clientIds: ['app'] }] },
    });
  });

  it('refuses an issuer URL that differs from the one the document names (a trailing slash included)', async () => {
    const result = await runCli(['config', 'from-oidc', `${provider.issuer}/`, '--audience', 'a'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/<issuer-url>: the discovery document names the issuer "https:\/\/127\.0\.0\.1:\d+", not/);
  });

  it('refuses an entry meant for nobody, as cdk synth would', async () => {
    const result = await runCli(['config', 'from-oidc', provider.issuer], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/"trustedIssuers\[0\]\.audience" must be a list of accepted aud values, or clientIds/);
  });

  it('refuses a provider whose certificate it does not trust', async () => {
    const result = await runCli(['config', 'from-oidc', provider.issuer, '--audience', 'a']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/<issuer-url>: cannot read https:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration/);
  });
});
