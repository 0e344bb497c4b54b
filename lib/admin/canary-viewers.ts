import { randomBytes } from 'node:crypto';
import type { CanaryGrants, CanaryTokens } from './canary';
import type { EntitlementClient } from './entitlement-client';
import { grantItem } from './entitlement-items';
import type { SigningKey } from './signing-keys';
import { mintToken } from './tokens';

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

/** Grants as rentals, so one left behind by a crash ends by itself (and DynamoDB's TTL deletes it a day later). */
export function tableGrants(client: EntitlementClient, nowSeconds: () => number): CanaryGrants {
  return {
    grant: (uid, videoId, untilSeconds) =>
      client.put(grantItem({ uid, videoId, expiresAt: untilSeconds, orderId: CANARY_ORDER_ID }, nowSeconds())),
    revoke: async (uid, videoId) => {
      await client.revoke(uid, videoId);
    },
  };
}
