/**
 * The entitlement table's item schema. The authorizer reads it; the `keygate` CLI and operators'
 * backends write it. Both sides import these names so that writer and reader cannot drift.
 */
export const PARTITION_KEY = 'uid';
export const SORT_KEY = 'sk';
export const TTL_ATTRIBUTE = 'ttl';
/** Sort key of an all-access subscription item. */
export const ALL_ACCESS_SK = '*';
/** Sort key of the item whose `revokedBefore` refuses every token issued before it. */
export const REVOKED_SK = '#revoked';

export const VIDEO_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const KEY_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Viewer ids are bounded so a hostile claim cannot blow up keys, logs or the cache. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what the pattern excludes
export const UID_PATTERN = /^[^\u0000-\u001f#]{1,256}$/;

/** A purchase (no `expiresAt`), a rental (`expiresAt`), or, with sk `*`, an all-access subscription. */
export interface GrantItem {
  uid: string;
  sk: string;
  grantedAt: number;
  /** Epoch seconds; absent for a purchase. The authorizer checks it itself and never trusts `ttl`. */
  expiresAt?: number;
  /** Epoch seconds at which DynamoDB may delete the item. */
  ttl?: number;
  orderId?: string;
}

export interface RevocationItem {
  uid: string;
  sk: typeof REVOKED_SK;
  /** Epoch seconds: tokens with `iat` before this instant are refused. */
  revokedBefore: number;
}

/** What the authorizer needs to know about one viewer and one video. */
export interface EntitlementRecords {
  video?: GrantItem;
  allAccess?: GrantItem;
  revocation?: RevocationItem;
}

export class MalformedItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedItemError';
  }
}

function optionalNumber(item: Record<string, unknown>, name: string): number | undefined {
  const value = item[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MalformedItemError(`attribute ${name} must be a number`);
  }
  return value;
}

/** Parses an unmarshalled grant item; throws MalformedItemError on a shape the authorizer cannot trust. */
export function parseGrantItem(item: Record<string, unknown>): GrantItem {
  const { uid, sk, orderId } = item;
  if (typeof uid !== 'string' || typeof sk !== 'string') throw new MalformedItemError('uid and sk must be strings');
  const grantedAt = optionalNumber(item, 'grantedAt') ?? 0;
  const grant: GrantItem = { uid, sk, grantedAt };
  const expiresAt = optionalNumber(item, 'expiresAt');
  if (expiresAt !== undefined) grant.expiresAt = expiresAt;
  const ttl = optionalNumber(item, TTL_ATTRIBUTE);
  if (ttl !== undefined) grant.ttl = ttl;
  if (typeof orderId === 'string') grant.orderId = orderId;
  return grant;
}

export function parseRevocationItem(item: Record<string, unknown>): RevocationItem {
  const { uid } = item;
  const revokedBefore = optionalNumber(item, 'revokedBefore');
  if (typeof uid !== 'string' || revokedBefore === undefined) {
    throw new MalformedItemError('a revocation item needs uid and a numeric revokedBefore');
  }
  return { uid, sk: REVOKED_SK, revokedBefore };
}
