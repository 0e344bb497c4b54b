import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  ALL_ACCESS_SK,
  GRANTED_AT,
  ITEM_ATTRIBUTES,
  LEASE_ATTRIBUTES,
  LEASE_ONLY_ATTRIBUTES,
  LEASE_SK_PREFIX,
  MAX_EPOCH_SECONDS,
  MAX_STREAMS_LIMIT,
  PARTITION_KEY,
  REVOKED_BEFORE,
  REVOKED_SK,
  SORT_KEY,
  VIDEO_ID_PATTERN,
  type EntitlementRecords,
  type GrantItem,
  type LeaseItem,
  type RevocationItem,
  isSessionId,
} from './entitlement-schema';

/** An item the authorizer cannot trust. Every replica holds the same item, so no replica is asked again. */
export class MalformedItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedItemError';
  }
}

type Attribute = keyof typeof ITEM_ATTRIBUTES;
/** The schema attributes an item holds, each read into its type. */
type ItemValues = { [A in Attribute]?: (typeof ITEM_ATTRIBUTES)[A] extends 'string' ? string : number };

type AttributeKind = 'string' | 'epoch-seconds' | 'count';
const DYNAMODB_TYPE = { string: 'S', 'epoch-seconds': 'N', count: 'N' } as const;
/** A DynamoDB number in decimal. No quantifier can trade characters with another: linear time. */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The one type tag (S, N, NULL, M, …) an attribute value carries and what it holds; several or none is no DynamoDB type. */
function tagged(value: unknown): { tag: string; held?: unknown } {
  if (typeof value !== 'object' || value === null) return { tag: typeof value };
  const tags = Object.entries(value).filter(([, held]) => held !== undefined);
  return tags.length === 1 ? { tag: tags[0][0], held: tags[0][1] } : { tag: `{${tags.map(([tag]) => tag).join(',')}}` };
}

/** Which item, for the operator who must fix it: its sort key when that is safe to log (never the uid). */
function itemLabel(item: Record<string, AttributeValue>): string {
  const sk = item[SORT_KEY]?.S;
  if (sk?.startsWith(LEASE_SK_PREFIX)) return 'lease item';
  return sk !== undefined && (sk === ALL_ACCESS_SK || sk === REVOKED_SK || VIDEO_ID_PATTERN.test(sk)) ? `item ${sk}` : 'item';
}

function readAttribute(label: string, name: string, kind: AttributeKind, value: AttributeValue): string | number {
  const expected = DYNAMODB_TYPE[kind];
  const { tag, held } = tagged(value);
  if (tag !== expected || typeof held !== 'string') {
    throw new MalformedItemError(`${label}: attribute ${name} must have DynamoDB type ${expected}, found ${tag}`);
  }
  if (kind === 'string') return held;
  if (kind === 'count') {
    // A limit read wrongly is a plan sold wrongly: only a plain whole number in range is a limit.
    if (!/^\d{1,4}$/.test(held) || Number(held) > MAX_STREAMS_LIMIT) {
      throw new MalformedItemError(`${label}: attribute ${name} must be a whole number from 0 to ${MAX_STREAMS_LIMIT}`);
    }
    return Number(held);
  }
  const seconds = DECIMAL.test(held) ? Number(held) : NaN;
  // Range, not only type: an epoch in milliseconds would make a rental last for thousands of years.
  if (!(Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_EPOCH_SECONDS)) {
    throw new MalformedItemError(`${label}: attribute ${name} must be epoch seconds from 0 to ${MAX_EPOCH_SECONDS} (9999-12-31T23:59:59Z)`);
  }
  return seconds;
}

function readItem(item: Record<string, AttributeValue>): ItemValues & { uid: string; sk: string } {
  const label = itemLabel(item);
  const values: Record<string, string | number> = {};
  for (const name of Object.keys(ITEM_ATTRIBUTES) as Attribute[]) {
    if (Object.hasOwn(item, name)) values[name] = readAttribute(label, name, ITEM_ATTRIBUTES[name], item[name]);
  }
  if (values[PARTITION_KEY] === undefined || values[SORT_KEY] === undefined) {
    throw new MalformedItemError(`${label}: attributes ${PARTITION_KEY} and ${SORT_KEY} are required`);
  }
  return values as ItemValues & { uid: string; sk: string };
}

function grantFrom(uid: string, sk: string, values: ItemValues): GrantItem {
  // A grant says when it was granted: an item without it (a bare `{uid, sk}`, a lease written under a
  // grant's key) is no purchase, whatever else it holds.
  if (values.grantedAt === undefined) throw new MalformedItemError(`item ${sk}: attribute ${GRANTED_AT} is required on a grant`);
  const grant: GrantItem = { uid, sk, grantedAt: values.grantedAt };
  if (values.expiresAt !== undefined) grant.expiresAt = values.expiresAt;
  if (values.ttl !== undefined) grant.ttl = values.ttl;
  if (values.orderId !== undefined) grant.orderId = values.orderId;
  if (values.maxStreams !== undefined) grant.maxStreams = values.maxStreams;
  return grant;
}

function revocationFrom(uid: string, values: ItemValues): RevocationItem {
  if (values.revokedBefore === undefined) throw new MalformedItemError(`item ${REVOKED_SK}: attribute ${REVOKED_BEFORE} is required`);
  return { uid, sk: REVOKED_SK, revokedBefore: values.revokedBefore };
}

/** Reads one raw DynamoDB item of the table: a grant or a revocation; throws MalformedItemError. */
export function readEntitlementItem(item: Record<string, AttributeValue>): GrantItem | RevocationItem {
  // Leases live in their own table: a lease's attribute here means a writer confused the two.
  const leaseOnly = LEASE_ONLY_ATTRIBUTES.find((name) => Object.hasOwn(item, name));
  if (leaseOnly !== undefined) {
    throw new MalformedItemError(`${itemLabel(item)}: attribute ${leaseOnly} belongs to a lease, never to an entitlement item`);
  }
  const values = readItem(item);
  const { uid, sk } = values;
  return sk === REVOKED_SK ? revocationFrom(uid, values) : grantFrom(uid, sk, values);
}

/**
 * Reads the raw DynamoDB items of one viewer into records. Strict: a schema attribute of another
 * type or an implausible time throws MalformedItemError, since a NULL `expiresAt` read as "no
 * expiry" would turn a rental into a purchase.
 */
export function recordsFromItems(items: Record<string, AttributeValue>[]): EntitlementRecords {
  const records: EntitlementRecords = {};
  for (const raw of items) {
    const item = readEntitlementItem(raw);
    if (item.sk === REVOKED_SK) records.revocation = item as RevocationItem;
    else if (item.sk === ALL_ACCESS_SK) records.allAccess = item as GrantItem;
    else records.video = item as GrantItem;
  }
  return records;
}

/** Reads one raw lease item `(uid, #lease#<sid>)` strictly; throws MalformedItemError. */
export function readLeaseItem(item: Record<string, AttributeValue>): LeaseItem {
  const label = 'lease item';
  const uid = item[PARTITION_KEY]?.S;
  const sk = item[SORT_KEY]?.S;
  const sessionId = sk?.startsWith(LEASE_SK_PREFIX) ? sk.slice(LEASE_SK_PREFIX.length) : undefined;
  if (uid === undefined || !isSessionId(sessionId))
    throw new MalformedItemError(`${label}: ${SORT_KEY} must be ${LEASE_SK_PREFIX}<session id>`);
  const values: Record<string, string | number> = {};
  for (const [name, kind] of Object.entries(LEASE_ATTRIBUTES)) {
    if (Object.hasOwn(item, name)) values[name] = readAttribute(label, name, kind, item[name]);
  }
  for (const required of ['expiresAt', 'videoId', 'region', 'startedAt', 'renewedAt']) {
    if (values[required] === undefined) throw new MalformedItemError(`${label}: attribute ${required} is required`);
  }
  const lease: LeaseItem = {
    uid,
    sessionId,
    videoId: values.videoId as string,
    region: values.region as string,
    startedAt: values.startedAt as number,
    renewedAt: values.renewedAt as number,
    expiresAt: values.expiresAt as number,
  };
  for (const optional of ['endedAt', 'checkedAt', 'movedAt', 'ttl'] as const) {
    if (values[optional] !== undefined) lease[optional] = values[optional] as number;
  }
  if (values.network !== undefined) lease.network = values.network as string;
  return lease;
}
