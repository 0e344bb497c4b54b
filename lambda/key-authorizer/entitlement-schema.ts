/**
 * The entitlement table's item schema. The authorizer reads it; the `keygate` CLI and operators'
 * backends write it. Both sides import these names so that writer and reader cannot drift.
 */
export const PARTITION_KEY = 'uid';
export const SORT_KEY = 'sk';
export const GRANTED_AT = 'grantedAt';
export const EXPIRES_AT = 'expiresAt';
export const TTL_ATTRIBUTE = 'ttl';
export const ORDER_ID = 'orderId';
export const REVOKED_BEFORE = 'revokedBefore';
/** Sort key of an all-access subscription item. */
export const ALL_ACCESS_SK = '*';
/** Sort key of the item whose `revokedBefore` refuses every token issued before it. */
export const REVOKED_SK = '#revoked';

/**
 * Every attribute the schema defines and what it holds: a string (DynamoDB type S) or epoch
 * seconds (type N). The authorizer refuses an item whose schema attribute holds anything else;
 * attributes not listed here are the operator's own and ignored.
 */
export const ITEM_ATTRIBUTES = {
  [PARTITION_KEY]: 'string',
  [SORT_KEY]: 'string',
  [GRANTED_AT]: 'epoch-seconds',
  [EXPIRES_AT]: 'epoch-seconds',
  [TTL_ATTRIBUTE]: 'epoch-seconds',
  [ORDER_ID]: 'string',
  [REVOKED_BEFORE]: 'epoch-seconds',
} as const;

/** 9999-12-31T23:59:59Z. A later "epoch in seconds" is an epoch in milliseconds, or nonsense. */
export const MAX_EPOCH_SECONDS = 253_402_300_799;

export const VIDEO_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const KEY_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Viewer ids are bounded so a hostile claim cannot blow up keys, logs or the cache. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what the pattern excludes
const UID_PATTERN = /^[^\u0000-\u001f#]{1,256}$/;

/**
 * A viewer id: UID_PATTERN, and well-formed UTF-16. A lone surrogate (`"a\ud800"`, valid JSON)
 * would reach DynamoDB as U+FFFD and read another viewer's grants.
 */
export function isViewerId(value: unknown): value is string {
  return typeof value === 'string' && UID_PATTERN.test(value) && value.isWellFormed();
}

/** A video id; ASCII only, so it cannot hold a lone surrogate either. */
export function isVideoId(value: unknown): value is string {
  return typeof value === 'string' && VIDEO_ID_PATTERN.test(value);
}

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
