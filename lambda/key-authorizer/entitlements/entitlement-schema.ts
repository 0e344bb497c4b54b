import { SESSION_ID_PATTERN } from './session-id';

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
/** On a grant or the `*` item: how many playback sessions may hold a lease at once. */
export const MAX_STREAMS = 'maxStreams';
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
  [MAX_STREAMS]: 'count',
} as const;

/** The largest `maxStreams` read as a limit; more is a typo, not a plan. */
export const MAX_STREAMS_LIMIT = 1000;

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
  /** Concurrent playback sessions allowed under this grant; absent: the config default, if any. */
  maxStreams?: number;
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

/**
 * Sort-key prefix of a playback session's lease: `(uid, "#lease#<sid>")`, in the lease table (the
 * config's `leaseTableName`), never in the entitlement table: the edge function may write only there.
 */
export const LEASE_SK_PREFIX = '#lease#';
export const LEASE_VIDEO_ID = 'videoId';
export const LEASE_REGION = 'region';
export const LEASE_STARTED_AT = 'startedAt';
export const LEASE_RENEWED_AT = 'renewedAt';
/** Set by `keygate end-session`: the lease stays (so the session cannot start again) but is never renewed. */
export const LEASE_ENDED_AT = 'endedAt';
/** Set once the session was confirmed within the limit after replication settled (see stream-leases.ts). */
export const LEASE_CHECKED_AT = 'checkedAt';
/** The salted hash of the network the session plays from (client-network.ts), and when it last moved. */
export const LEASE_NETWORK = 'network';
export const LEASE_MOVED_AT = 'movedAt';

/** The attributes of a lease item besides uid and sk, read strictly like ITEM_ATTRIBUTES. */
export const LEASE_ATTRIBUTES = {
  [EXPIRES_AT]: 'epoch-seconds',
  [TTL_ATTRIBUTE]: 'epoch-seconds',
  [LEASE_VIDEO_ID]: 'string',
  [LEASE_REGION]: 'string',
  [LEASE_STARTED_AT]: 'epoch-seconds',
  [LEASE_RENEWED_AT]: 'epoch-seconds',
  [LEASE_ENDED_AT]: 'epoch-seconds',
  [LEASE_CHECKED_AT]: 'epoch-seconds',
  [LEASE_NETWORK]: 'string',
  [LEASE_MOVED_AT]: 'epoch-seconds',
} as const;

/**
 * The lease attributes no entitlement item has: an entitlement item holding one is malformed (a lease
 * written where grants live must never read as a purchase).
 */
export const LEASE_ONLY_ATTRIBUTES: readonly string[] = Object.keys(LEASE_ATTRIBUTES).filter(
  (name) => !Object.hasOwn(ITEM_ATTRIBUTES, name),
);

export { SESSION_ID_PATTERN };

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

export function leaseSortKey(sessionId: string): string {
  return `${LEASE_SK_PREFIX}${sessionId}`;
}

/** One playback session's claim on a stream: live while `expiresAt` is in the future and it is not ended. */
export interface LeaseItem {
  uid: string;
  sessionId: string;
  videoId: string;
  /** The replica region the authorizer wrote it in (where `end-session` should write too). */
  region: string;
  startedAt: number;
  renewedAt: number;
  expiresAt: number;
  endedAt?: number;
  checkedAt?: number;
  network?: string;
  movedAt?: number;
  ttl?: number;
}
