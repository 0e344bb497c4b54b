import type { IncomingMessage, ServerResponse } from 'node:http';
import { EntitlementClient, type EntitlementTarget } from '../admin/entitlement-client';
import { grantItem } from '../admin/entitlement-items';
import { endSession, UnknownSessionError } from '../admin/playback-sessions';
import { KeygateError } from '../keygate-error';
import { corsHeaders } from './demo-cors';

export interface DemoAdminRoutesOptions {
  /** The dev table, reached directly (never through the fault proxy): these are the CLI's writes. */
  table: EntitlementTarget;
  /** The lease table of stream limits (the config's `leaseTableName`): where sessions end. */
  leaseTable: EntitlementTarget;
  /** Player pages on other origins that may call these endpoints too. */
  allowedOrigins?: string[];
  nowSeconds?: () => number;
}

type AdminAction = (params: URLSearchParams, now: number) => Promise<{ done: boolean; message: string }>;

/** Stands in for `keygate revoke|grant|end-session`, through the same lib/admin calls the CLI makes. */
function adminActions(table: EntitlementTarget, leaseTable: EntitlementTarget): Record<string, AdminAction> {
  const withClient = async <T>(action: (client: EntitlementClient) => Promise<T>): Promise<T> => {
    const client = new EntitlementClient(table);
    try {
      return await action(client);
    } finally {
      client.destroy();
    }
  };
  return {
    '/__keygate/revoke': async (params) => {
      const [uid, video] = [params.get('as') ?? '', params.get('video') ?? ''];
      const existed = await withClient((client) => client.revoke(uid, video));
      return existed
        ? { done: true, message: `revoked ${uid} ${video}: playback stops at the next key window` }
        : { done: false, message: `${uid} had no grant for ${video}; nothing to revoke` };
    },
    '/__keygate/grant': async (params, now) => {
      const [uid, video] = [params.get('as') ?? '', params.get('video') ?? ''];
      await withClient((client) => client.put(grantItem({ uid, videoId: video }, now)));
      return { done: true, message: `granted ${uid} ${video}` };
    },
    '/__keygate/end-session': async (params, now) => {
      const [uid, session] = [params.get('as') ?? '', params.get('session') ?? ''];
      const { alreadyEnded } = await endSession(leaseTable, uid, session, now);
      return alreadyEnded
        ? { done: false, message: `session ${session} of ${uid} was already ended` }
        : { done: true, message: `ended session ${session} of ${uid}: refused session-ended at its next key window` };
    },
  };
}

/** The page's own origin, as a browser names it in `Origin`: from the Host the request was sent to. */
const ownOrigin = (req: IncomingMessage) => `http://${req.headers.host ?? ''}`;

/**
 * The demo page's "revoke me", "grant me again" and "end this session" buttons: dev-only endpoints
 * that run the CLI's admin code on the dev table. They change state, so they take POST only, and a
 * request a browser sent from another site (its `Origin` neither this site nor an allowed origin)
 * is refused: a page the developer happens to open cannot revoke their viewers (CSRF).
 */
export function demoAdminRoutes(
  options: DemoAdminRoutesOptions,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const actions = adminActions(options.table, options.leaseTable);
  const allowed = options.allowedOrigins ?? [];
  const now = options.nowSeconds ?? (() => Date.now() / 1000);
  return async (req, res, url) => {
    const action = actions[url.pathname];
    if (action === undefined) return false;
    const answer = (status: number, body: { done: boolean; message: string }) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...corsHeaders(req, allowed) })
        .end(JSON.stringify(body));
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('POST only\n');
      return true;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== ownOrigin(req) && !allowed.includes(origin)) {
      answer(403, { done: false, message: `requests from ${origin} may not change the dev table` });
      return true;
    }
    try {
      answer(200, await action(url.searchParams, now()));
    } catch (error) {
      if (!(error instanceof KeygateError)) throw error;
      answer(error instanceof UnknownSessionError ? 404 : 400, { done: false, message: error.message });
    }
    return true;
  };
}
