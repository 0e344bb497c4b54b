import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../bench/harness/chromium';
import { generateSigningKey, signJwt } from '../../lib/admin/signing-keys';
import { startDevProcess, type DevProcess } from '../fixtures/dev-stack-process';
import { fetchEmulatorStats } from '../fixtures/emulator-stats';
import { pageState, playOnPage, waitForFatalOf, waitForKeygate, waitForTimeOf, withKeygate, type KeygateState } from './support/page-state';
import { statusesByKeyUri } from './support/player-session';

/**
 * `keygate dev --oidc`: a viewer signs in on the local OpenID provider's own login page (oidc-provider's
 * dev interactions; authorization code + PKCE done by the demo page with WebCrypto) and the players
 * send the provider's ID token for keys. The provider's signing key is never pinned: the authorizer
 * fetches it from the provider's JWKS URL, over https.
 */
type ProviderState = KeygateState & { providerToken: string | null };

let dev: DevProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dev = await startDevProcess({ args: ['--oidc'] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});
beforeEach(async () => {
  // The provider's certificate is self-signed (a local CA only the dev authorizer is told to trust).
  page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await fetch(new URL('/__keygate/stats', dev.ready.url), { method: 'POST' });
});
afterEach(async () => {
  await page.context().close();
});

/** Clicks "Sign in with the provider", signs in as `login` on the provider's pages, and waits for the page's token. */
async function signInAtProvider(login: string): Promise<string> {
  await page.goto(dev.ready.url);
  await page.locator('#provider-sign-in').click();
  await page.waitForURL((url) => url.origin === dev.ready.oidc?.issuer && url.pathname.startsWith('/interaction/'));
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  // The consent step of the provider's dev interactions.
  await page.locator('button[type=submit]', { hasText: 'Continue' }).click();
  await page.waitForURL((url) => url.href.startsWith(dev.ready.url));
  await waitForKeygate(page, (keygate) => Boolean((keygate as ProviderState).providerToken), undefined, 30_000);
  return withKeygate(page, (keygate) => (keygate as ProviderState).providerToken!);
}

const KEY = '/keys/demo/0.key';
/** A token naming the provider as issuer but a kid it never published: it sends the edge to the provider's JWKS. */
function madeUpKidToken(): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: dev.ready.oidc?.issuer, aud: dev.ready.oidc?.clientId, sub: 'alice', iat, exp: iat + 600 };
  return signJwt(claims, generateSigningKey('ES256'));
}
const play = () => playOnPage(page, 'demo', { auth: 'bearer', playbackRate: 4 });
const stats = () => fetchEmulatorStats(dev.ready.url);

describe('keygate dev --oidc in Chromium', () => {
  it('announces the local provider as a trusted issuer beside the dev signing key', () => {
    expect(dev.ready.oidc).toEqual({
      issuer: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      clientId: expect.any(String),
      controlUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
  });

  // Runs before any other playback of this file: its first key request must meet a fetch made just before.
  it('resumes playback after a retryable 401 jwks-unavailable for a key the provider published just after the edge fetched', async () => {
    const control = (path: string) => fetch(new URL(path, dev.ready.oidc?.controlUrl), { method: 'POST' });
    await control('/rotate?publish=later');
    await signInAtProvider('alice');
    // The edge fetches the provider's JWKS for some other token's kid: the key of alice's token is not in it yet.
    expect((await fetch(new URL(KEY, dev.ready.url), { headers: { authorization: `Bearer ${madeUpKidToken()}` } })).status).toBe(401);
    await control('/publish');
    await fetch(new URL('/__keygate/stats', dev.ready.url), { method: 'POST' });
    await play();
    await waitForTimeOf(page, 1, 60_000);
    expect((await pageState(page)).fatal).toBeNull();
    const byUri = statusesByKeyUri(await stats());
    // The first key was refused once (retry later), asked again after Retry-After, and opened; no key more than once.
    expect(byUri[KEY]).toEqual([401, 200]);
    expect(Object.values(byUri).every((statuses) => statuses[statuses.length - 1] === 200 && statuses.length <= 2)).toBe(true);
  });

  it('plays the demo for alice after she signs in on the provider’s own login page', async () => {
    const token = await signInAtProvider('alice');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: dev.ready.oidc?.issuer, sub: 'alice', aud: dev.ready.oidc?.clientId });
    await play();
    await waitForTimeOf(page, 1);
    expect((await pageState(page)).fatal).toBeNull();
    const byUri = statusesByKeyUri(await stats());
    expect(Object.keys(byUri).length).toBeGreaterThan(0);
    expect(
      Object.values(byUri)
        .flat()
        .every((status) => status === 200),
    ).toBe(true);
  });

  it('refuses bob, signed in at the same provider, with 403 not-entitled: the uid is the provider’s sub', async () => {
    await signInAtProvider('bob');
    await play();
    await waitForFatalOf(page);
    expect((await pageState(page)).fatal).toMatchObject({
      status: 403,
      reason: 'not-entitled',
    });
  });
});
