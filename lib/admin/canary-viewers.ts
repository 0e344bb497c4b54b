import { randomBytes } from 'node:crypto';
import { TTL_ATTRIBUTE } from '../../lambda/key-authorizer/contract';
import type { CanaryGrants, CanaryTokens } from './canary';
import type { EntitlementClient } from './entitlement-client';
import { grantItem, revocationItem } from './entitlement-items';
import type { SigningKey } from './signing-keys';
import { mintToken } from './tokens';

/** DynamoDB deletes expired items within about two days; a day past the tokens' expiry is plenty. */
const SIGN_OUT_TTL_GRACE_SECONDS = 86_400;

/** Marks the canary's grants, should one outlive a run: `keygate list <viewer>` shows it. */
const CANARY_ORDER_ID = 'keygate-verify';

/** A viewer id no real viewer has: `keygate-verify-<random>`. */
export const canaryViewerId = () => `keygate-verify-${randomBytes(6).toString('hex')}`;

/** Tokens signed with the deployment's key, limited to the one video. */
export function signingKeyTokens(key: SigningKey, issuer: string, audience: string, nowSeconds: () => number): CanaryTokens {
  return {
    mint: (uid, videoId, ttlSeconds) => mintToken({ key, issuer, audience, uid, ttlSeconds, videos: [videoId], nowSeconds: nowSeconds() }),
  };
}

/**
 * Grants as rentals, so one left behind by a crash ends by itself (and DynamoDB's TTL deletes it a day
 * later). Sign-outs carry a TTL too: once every token of the run has expired, the mark has no work left.
 */
export function tableGrants(client: EntitlementClient, nowSeconds: () => number): CanaryGrants {
  return {
    grant: (uid, videoId, untilSeconds) =>
      client.put(grantItem({ uid, videoId, expiresAt: untilSeconds, orderId: CANARY_ORDER_ID }, nowSeconds())),
    revoke: async (uid, videoId) => {
      await client.revoke(uid, videoId);
    },
    signOut: (uid, untilSeconds) =>
      client.put({ ...revocationItem(uid, nowSeconds()), [TTL_ATTRIBUTE]: untilSeconds + SIGN_OUT_TTL_GRACE_SECONDS }),
  };
}

/** Signs each test viewer out, so no token of the run opens anything any more; gives what could not be done. */
export async function signOutTestViewers(grants: CanaryGrants, uids: string[], nowSeconds: number, tokenTtl: number): Promise<string[]> {
  const problems: string[] = [];
  for (const uid of uids) {
    try {
      await grants.signOut(uid, Math.ceil(nowSeconds) + tokenTtl);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      problems.push(`could not sign out ${uid} (${why}); its tokens expire by themselves within ${tokenTtl} s`);
    }
  }
  return problems;
}
