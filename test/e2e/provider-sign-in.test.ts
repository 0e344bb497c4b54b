import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../bench/harness/chromium';
import { startDevProcess, type DevProcess } from '../fixtures/dev-stack-process';
import { fetchEmulatorStats } from '../fixtures/emulator-stats';
import { statusesByKeyUri } from './support/player-session';

/**
 * `keygate dev --oidc`: a viewer signs in on the local OpenID provider's own login page (oidc-provider's
 * dev interactions; authorization code + PKCE done by the demo page with WebCrypto) and the players
 * send the provider's ID token for keys. The provider's signing key is never pinned: the authorizer
 * fetches it from the provider's JWKS URL, over https.
 */
type ProviderWindow = Window & {
  keygate: { providerToken: string | null; fatal: { status?: number; reason?: string | null } | null; video: HTMLVideoElement | null };
  playVideo: (id: string, options: Record<string, unknown>) => Promise<void>;
};

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
  const handle = await page.waitForFunction(() => (window as unknown as ProviderWindow).keygate.providerToken, undefined, {
    timeout: 30_000,
  });
  return (await handle.jsonValue()) as string;
}

const play = () => page.evaluate(() => void (window as unknown as ProviderWindow).playVideo('demo', { auth: 'bearer', playbackRate: 4 }));
const stats = () => fetchEmulatorStats(dev.ready.url);

describe('keygate dev --oidc in Chromium', () => {
  it('announces the local provider as a trusted issuer beside the dev signing key', () => {
    expect(dev.ready.oidc).toEqual({ issuer: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), clientId: expect.any(String) });
  });

  it('plays the demo for alice after she signs in on the provider’s own login page', async () => {
    const token = await signInAtProvider('alice');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: dev.ready.oidc?.issuer, sub: 'alice', aud: dev.ready.oidc?.clientId });
    await play();
    await page.waitForFunction(() => ((window as unknown as ProviderWindow).keygate.video?.currentTime ?? 0) > 1, undefined, {
      timeout: 60_000,
    });
    expect(await page.evaluate(() => (window as unknown as ProviderWindow).keygate.fatal)).toBeNull();
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
    await page.waitForFunction(() => (window as unknown as ProviderWindow).keygate.fatal !== null, undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as ProviderWindow).keygate.fatal)).toMatchObject({
      status: 403,
      reason: 'not-entitled',
    });
  });
});
