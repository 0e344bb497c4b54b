import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigningKey } from '../admin/signing-keys';
import { mintToken } from '../admin/tokens';
import { playerPage } from './player-page';

export interface DemoRoutesOptions {
  signingKey: SigningKey;
  issuer: string;
  audience: string;
  /** The cookie the authorizer reads (the config's cookieName). */
  cookieName: string;
  videos: () => string[];
  /** Injected so a test can mint tokens at a chosen time. */
  nowSeconds?: () => number;
}

const DEMO_UID = /^[a-z0-9_-]{1,32}$/;
const DEMO_TOKEN_TTL_SECONDS = 3600;

/**
 * The demo page and its dev-only endpoints: sign-in and sign-out stand in for your own sign-in,
 * which would set the same cookie; /__keygate/token hands a bearer token to the page and to tests.
 */
export function demoRoutes(options: DemoRoutesOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const hlsJs = readFileSync(require.resolve('hls.js/dist/hls.min.js'));
  const now = options.nowSeconds ?? (() => Date.now() / 1000);
  const token = (uid: string) =>
    mintToken({
      key: options.signingKey,
      issuer: options.issuer,
      audience: options.audience,
      uid,
      ttlSeconds: DEMO_TOKEN_TTL_SECONDS,
      nowSeconds: now(),
    });
  const noStore = { 'cache-control': 'no-store' };

  return (_req, res, url) => {
    const as = url.searchParams.get('as') ?? '';
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...noStore }).end(playerPage());
        return true;
      case '/__keygate/hls.js':
        // Served from the installed package: the demo works offline and with the tested version.
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' }).end(hlsJs);
        return true;
      case '/__keygate/videos':
        res.writeHead(200, { 'content-type': 'application/json', ...noStore }).end(JSON.stringify(options.videos()));
        return true;
      case '/__keygate/signin':
        if (!DEMO_UID.test(as)) return false;
        res.writeHead(204, { 'set-cookie': `${options.cookieName}=${token(as)}; Path=/; HttpOnly; SameSite=Lax`, ...noStore }).end();
        return true;
      case '/__keygate/signout':
        res.writeHead(204, { 'set-cookie': `${options.cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`, ...noStore }).end();
        return true;
      case '/__keygate/token':
        if (!DEMO_UID.test(as)) return false;
        res.writeHead(200, { 'content-type': 'application/json', ...noStore }).end(JSON.stringify({ token: token(as) }));
        return true;
      default:
        return false;
    }
  };
}
