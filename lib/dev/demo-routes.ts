import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SESSION_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import type { SigningKey } from '../admin/signing-keys';
import { mintToken, pathTokenUrl } from '../admin/tokens';
import { buildPlayerKit } from '../player-kit/build-player-kit';
import { corsHeaders } from './demo-cors';
import { playerPage } from './player-page';

export interface DemoRoutesOptions {
  signingKey: SigningKey;
  issuer: string;
  audience: string;
  /** The cookie the authorizer reads (the config's cookieName). */
  cookieName: string;
  videos: () => string[];
  /** Player pages on these origins may call the token and sign-in endpoints (CORS with credentials). */
  allowedOrigins?: string[];
  /** The config's path tokens: with them, /__keygate/native-url hands out a path-token URL for native players. */
  pathToken?: { prefix: string; maxLifetimeSeconds: number };
  /** With `keygate dev --oidc`: the local OpenID provider the page can sign in with (authorization code + PKCE). */
  oidc?: () => { issuer: string; clientId: string } | undefined;
  /** The claim the authorizer reads a playback session id from (stream limits). */
  sessionIdClaim?: string;
  /** Injected so a test can mint tokens at a chosen time. */
  nowSeconds?: () => number;
}

const DEMO_UID = /^[a-z0-9_-]{1,32}$/;
const DEMO_TOKEN_TTL_SECONDS = 3600;
/** `?ttl=` bounds: short tokens to try a refresh, never longer than the authorizer's default maximum lifetime (24 h). */
const MIN_TTL_SECONDS = 1;
const MAX_TTL_SECONDS = 86400;

/** The players and styles the demo page loads, served from the installed packages: offline, and the tested versions. */
const STATIC_FILES: Record<string, { module: string; type: string }> = {
  '/__keygate/hls.js': { module: 'hls.js/dist/hls.min.js', type: 'text/javascript' },
  '/__keygate/video.js': { module: 'video.js/dist/video.min.js', type: 'text/javascript' },
  '/__keygate/video-js.css': { module: 'video.js/dist/video-js.min.css', type: 'text/css' },
  '/__keygate/shaka-player.js': { module: 'shaka-player/dist/shaka-player.compiled.js', type: 'text/javascript' },
};
export const PLAYER_KIT_PATH = '/__keygate/keygate-player.js';

/** `?ttl=<seconds>`: the default when absent, undefined when malformed or out of bounds. */
function parseTtl(value: string | null): number | undefined {
  if (value === null) return DEMO_TOKEN_TTL_SECONDS;
  if (!/^\d{1,6}$/.test(value)) return undefined;
  const ttl = Number(value);
  return ttl >= MIN_TTL_SECONDS && ttl <= MAX_TTL_SECONDS ? ttl : undefined;
}

/**
 * The demo page and its dev-only endpoints: sign-in and sign-out stand in for your own sign-in,
 * which would set the same cookie (signing in again refreshes it); /__keygate/token hands a bearer
 * token to the page and to tests; /__keygate/native-url a path-token URL for native players. All
 * take `?ttl=<seconds>` to mint short tokens.
 */
export function demoRoutes(options: DemoRoutesOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  // Built once per start from lib/player-kit: the page runs exactly the kit's source.
  const playerKit = buildPlayerKit();
  const staticFiles = new Map<string, Buffer>();
  const now = options.nowSeconds ?? (() => Date.now() / 1000);
  const token = (uid: string, ttlSeconds: number, videos?: string[], sessionId?: string) =>
    mintToken({
      key: options.signingKey,
      issuer: options.issuer,
      audience: options.audience,
      uid,
      ttlSeconds,
      videos,
      session: sessionId && options.sessionIdClaim ? { id: sessionId, claim: options.sessionIdClaim } : undefined,
      nowSeconds: now(),
    });
  const noStore = { 'cache-control': 'no-store' };
  const cors = (req: IncomingMessage) => corsHeaders(req, options.allowedOrigins ?? []);
  const badTtl = (res: ServerResponse): true => {
    res
      .writeHead(400, { 'content-type': 'text/plain', ...noStore })
      .end(`ttl must be a whole number of seconds from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}\n`);
    return true;
  };

  return (req, res, url) => {
    const as = url.searchParams.get('as') ?? '';
    const ttl = parseTtl(url.searchParams.get('ttl'));
    // `?session=<id>`: the playback session id the player kit minted, put in the token as your backend would.
    const session = url.searchParams.get('session') ?? undefined;
    if (session !== undefined && !SESSION_ID_PATTERN.test(session)) return false;
    const file = STATIC_FILES[url.pathname];
    if (file !== undefined) {
      let body = staticFiles.get(url.pathname);
      if (body === undefined) staticFiles.set(url.pathname, (body = readFileSync(require.resolve(file.module))));
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'max-age=3600' }).end(body);
      return true;
    }
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...noStore }).end(playerPage());
        return true;
      case PLAYER_KIT_PATH:
        res.writeHead(200, { 'content-type': 'text/javascript', ...noStore }).end(playerKit);
        return true;
      case '/__keygate/oidc': {
        // The page's "Sign in with the provider" button: where to send the viewer, and as which client.
        // `null` without --oidc: the page asks on every load, and a 404 would be console noise.
        const oidc = options.oidc?.() ?? null;
        res.writeHead(200, { 'content-type': 'application/json', ...noStore }).end(JSON.stringify(oidc));
        return true;
      }
      case '/__keygate/videos':
        res.writeHead(200, { 'content-type': 'application/json', ...noStore, ...cors(req) }).end(JSON.stringify(options.videos()));
        return true;
      case '/__keygate/signin':
        if (!DEMO_UID.test(as)) return false;
        if (ttl === undefined) return badTtl(res);
        res
          .writeHead(204, {
            'set-cookie': `${options.cookieName}=${token(as, ttl, undefined, session)}; Path=/; HttpOnly; SameSite=Lax`,
            ...noStore,
            ...cors(req),
          })
          .end();
        return true;
      case '/__keygate/signout':
        res
          .writeHead(204, { 'set-cookie': `${options.cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`, ...noStore, ...cors(req) })
          .end();
        return true;
      case '/__keygate/token':
        if (!DEMO_UID.test(as)) return false;
        if (ttl === undefined) return badTtl(res);
        res
          .writeHead(200, { 'content-type': 'application/json', ...noStore, ...cors(req) })
          .end(JSON.stringify({ token: token(as, ttl, undefined, session) }));
        return true;
      case '/__keygate/native-url': {
        // What `keygate token --path-url` prints: a vids-scoped token in the path, within the path-token lifetime.
        const video = url.searchParams.get('video') ?? '';
        if (!options.pathToken || !DEMO_UID.test(as) || !options.videos().includes(video)) return false;
        if (ttl === undefined) return badTtl(res);
        const pathToken = token(as, Math.min(ttl, options.pathToken.maxLifetimeSeconds), [video]);
        const nativeUrl = pathTokenUrl(`/videos/${video}/master.m3u8`, pathToken, options.pathToken.prefix);
        res.writeHead(200, { 'content-type': 'application/json', ...noStore, ...cors(req) }).end(JSON.stringify({ url: nativeUrl }));
        return true;
      }
      default:
        return false;
    }
  };
}
