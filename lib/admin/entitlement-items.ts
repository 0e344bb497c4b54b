import {
  ALL_ACCESS_SK,
  type GrantItem,
  isViewerId,
  MAX_EPOCH_SECONDS,
  MAX_STREAMS_LIMIT,
  type RevocationItem,
  REVOKED_SK,
  VIDEO_ID_PATTERN,
} from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';

/** DynamoDB may delete an expired rental a day after it ends; the authorizer checks expiresAt itself. */
const RENTAL_TTL_GRACE_SECONDS = 86_400;

/** A grant that would write an item the authorizer cannot use. */
export class InvalidGrantError extends KeygateError {}

export interface GrantRequest {
  uid: string;
  /** A video id, or `*` for an all-access subscription. */
  videoId: string;
  /** Epoch seconds; absent for a purchase. */
  expiresAt?: number;
  orderId?: string;
  /** Concurrent playback sessions allowed under this grant (stream limits). */
  maxStreams?: number;
}

export function checkUid(uid: string): string {
  if (!isViewerId(uid))
    throw new InvalidGrantError(
      `viewer id ${JSON.stringify(uid)} must be 1–256 characters of well-formed Unicode without control characters or #`,
    );
  return uid;
}

export function checkVideoOrAll(videoId: string): string {
  if (videoId !== ALL_ACCESS_SK && !VIDEO_ID_PATTERN.test(videoId)) {
    throw new InvalidGrantError(`video id ${JSON.stringify(videoId)} must be 1–128 of A-Z a-z 0-9 _ -, or * for all videos`);
  }
  return videoId;
}

/** The item for a purchase, rental (with `expiresAt` and a TTL a day later) or `*` subscription. */
export function grantItem(request: GrantRequest, nowSeconds: number): GrantItem {
  const item: GrantItem = { uid: checkUid(request.uid), sk: checkVideoOrAll(request.videoId), grantedAt: Math.floor(nowSeconds) };
  if (request.expiresAt !== undefined) {
    if (!Number.isInteger(request.expiresAt) || request.expiresAt <= nowSeconds)
      throw new InvalidGrantError('a rental must end in the future');
    // The authorizer refuses (503) an item whose times pass 9999-12-31: never write one.
    if (request.expiresAt + RENTAL_TTL_GRACE_SECONDS > MAX_EPOCH_SECONDS)
      throw new InvalidGrantError('a rental must end before 9999-12-30 (use a purchase for no end)');
    item.expiresAt = request.expiresAt;
    item.ttl = request.expiresAt + RENTAL_TTL_GRACE_SECONDS;
  }
  if (request.orderId !== undefined) {
    if (!/^\S{1,128}$/.test(request.orderId)) throw new InvalidGrantError('an order id must be 1–128 characters without spaces');
    item.orderId = request.orderId;
  }
  if (request.maxStreams !== undefined) {
    if (!Number.isInteger(request.maxStreams) || request.maxStreams < 0 || request.maxStreams > MAX_STREAMS_LIMIT) {
      throw new InvalidGrantError(`max streams must be a whole number from 0 to ${MAX_STREAMS_LIMIT}`, 'maxStreams');
    }
    item.maxStreams = request.maxStreams;
  }
  return item;
}

/**
 * The item that refuses every token issued up to and including this second. The authorizer
 * refuses `iat < revokedBefore` and tokens carry whole-second `iat`, so `revokedBefore` is the next
 * second: a token minted in the same second as the revocation is refused too (sign in again a second later).
 */
export function revocationItem(uid: string, nowSeconds: number): RevocationItem {
  return { uid: checkUid(uid), sk: REVOKED_SK, revokedBefore: Math.floor(nowSeconds) + 1 };
}
