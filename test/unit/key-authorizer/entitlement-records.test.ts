import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MalformedItemError, recordsFromItems } from '../../../lambda/key-authorizer/entitlements/entitlement-records';
import {
  ALL_ACCESS_SK,
  EXPIRES_AT,
  GRANTED_AT,
  ITEM_ATTRIBUTES,
  LEASE_ONLY_ATTRIBUTES,
  MAX_EPOCH_SECONDS,
  MAX_STREAMS,
  ORDER_ID,
  PARTITION_KEY,
  REVOKED_BEFORE,
  REVOKED_SK,
  SORT_KEY,
  TTL_ATTRIBUTE,
  type EntitlementRecords,
} from '../../../lambda/key-authorizer/entitlements/entitlement-schema';

type RawItem = Record<string, AttributeValue>;
const NOW = 1_700_000_000;

const GRANT_FIELDS = [PARTITION_KEY, SORT_KEY, GRANTED_AT, EXPIRES_AT, TTL_ATTRIBUTE, ORDER_ID, MAX_STREAMS];
const REVOCATION_FIELDS = [PARTITION_KEY, SORT_KEY, REVOKED_BEFORE];

/** Well-formed items of the three kinds the authorizer reads. */
const videoGrant: RawItem = { [PARTITION_KEY]: { S: 'alice' }, [SORT_KEY]: { S: 'movie' }, [GRANTED_AT]: { N: `${NOW}` } };
const allAccessGrant: RawItem = { [PARTITION_KEY]: { S: 'alice' }, [SORT_KEY]: { S: ALL_ACCESS_SK }, [GRANTED_AT]: { N: `${NOW}` } };
const revocation: RawItem = { [PARTITION_KEY]: { S: 'alice' }, [SORT_KEY]: { S: REVOKED_SK }, [REVOKED_BEFORE]: { N: `${NOW}` } };

/** Each kind of item: where it lands in the records, and which attributes its record keeps. */
const ITEM_KINDS: Record<string, { record: keyof EntitlementRecords; fields: string[]; item: RawItem }> = {
  'video grant': { record: 'video', fields: GRANT_FIELDS, item: videoGrant },
  '`*` grant': { record: 'allAccess', fields: GRANT_FIELDS, item: allAccessGrant },
  '`#revoked` item': { record: 'revocation', fields: REVOCATION_FIELDS, item: revocation },
};

/** One value of every DynamoDB type, each what a careless writer might put in a schema attribute. */
const ONE_OF_EACH_TYPE: Record<string, AttributeValue> = {
  S: { S: `${NOW}` },
  N: { N: `${NOW}` },
  B: { B: new Uint8Array([1]) },
  SS: { SS: ['alice'] },
  NS: { NS: [`${NOW}`] },
  BS: { BS: [new Uint8Array([1])] },
  M: { M: { N: { N: `${NOW}` } } },
  L: { L: [{ N: `${NOW}` }] },
  NULL: { NULL: true },
  BOOL: { BOOL: true },
};
const RIGHTFUL_TYPE = { string: 'S', 'epoch-seconds': 'N', count: 'N' } as const;
/** A rightful value per kind when the item has none of its own: a count is small, a time is now. */
const RIGHTFUL_VALUE = { string: ONE_OF_EACH_TYPE.S, 'epoch-seconds': ONE_OF_EACH_TYPE.N, count: { N: '2' } } as const;

const read = (item: RawItem) => recordsFromItems([item]);
const withAttribute = (item: RawItem, name: string, value: AttributeValue): RawItem => ({ ...item, [name]: value });

describe('recordsFromItems reads every schema attribute strictly', () => {
  const cases = Object.entries(ITEM_KINDS).flatMap(([kind, { record, fields, item }]) =>
    Object.entries(ITEM_ATTRIBUTES).flatMap(([attribute, holds]) =>
      Object.keys(ONE_OF_EACH_TYPE).map((type) => {
        const rightful = type === RIGHTFUL_TYPE[holds];
        // The rightful type keeps the item's own uid and sk, so the item stays of its kind.
        const value = rightful ? (item[attribute] ?? RIGHTFUL_VALUE[holds]) : ONE_OF_EACH_TYPE[type];
        const typed = value.S ?? Number(value.N);
        return {
          name: `a ${kind} whose ${attribute} has DynamoDB type ${type} ${rightful ? 'is read' : 'is malformed'}`,
          item: withAttribute(item, attribute, value),
          // What the record holds when the type is rightful: the value, if this kind keeps the attribute.
          expected: rightful ? { record, held: fields.includes(attribute) ? { [attribute]: typed } : {} } : undefined,
        };
      }),
    ),
  );

  it.each(cases)('$name', ({ item, expected }) => {
    if (expected) expect(read(item)[expected.record]).toMatchObject(expected.held);
    else expect(() => read(item)).toThrow(MalformedItemError);
  });
});

describe('recordsFromItems refuses implausible times', () => {
  const implausible = {
    'an epoch in milliseconds': `${NOW * 1000}`,
    'one second after 9999-12-31T23:59:59Z': `${MAX_EPOCH_SECONDS + 1}`,
    'a negative time': '-1',
    Infinity: 'Infinity',
    '-Infinity': '-Infinity',
    NaN: 'NaN',
    'a number too large for a double': '1e400',
    'an empty string': '',
    'a blank string': ' ',
    'a hexadecimal number': '0x10',
  };
  const cases = [GRANTED_AT, EXPIRES_AT, TTL_ATTRIBUTE, REVOKED_BEFORE].flatMap((attribute) => {
    const item = attribute === REVOKED_BEFORE ? revocation : videoGrant;
    return Object.entries(implausible).map(([what, n]) => ({
      name: `${attribute} of ${what} (N ${JSON.stringify(n)}) is malformed`,
      item: withAttribute(item, attribute, { N: n }),
    }));
  });

  it.each(cases)('$name', ({ item }) => {
    expect(() => read(item)).toThrow(MalformedItemError);
  });

  it('reads the first and the last plausible second', () => {
    const rental = (expiresAt: number) => withAttribute(videoGrant, EXPIRES_AT, { N: `${expiresAt}` });
    expect(read(rental(0)).video?.expiresAt).toBe(0);
    expect(read(rental(MAX_EPOCH_SECONDS)).video?.expiresAt).toBe(MAX_EPOCH_SECONDS);
  });

  it('holds MAX_EPOCH_SECONDS at 9999-12-31T23:59:59Z', () => {
    expect(new Date(MAX_EPOCH_SECONDS * 1000).toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });
});

describe('recordsFromItems', () => {
  it('reads a rental with its expiry, TTL and order id', () => {
    const rental = {
      ...videoGrant,
      [EXPIRES_AT]: { N: `${NOW + 60}` },
      [TTL_ATTRIBUTE]: { N: `${NOW + 60 + 86_400}` },
      [ORDER_ID]: { S: 'order-1' },
    };
    expect(read(rental)).toEqual({
      video: { uid: 'alice', sk: 'movie', grantedAt: NOW, expiresAt: NOW + 60, ttl: NOW + 60 + 86_400, orderId: 'order-1' },
    });
  });

  it('reads a purchase, without expiresAt, as a grant that never ends', () => {
    expect(read(videoGrant).video).toEqual({ uid: 'alice', sk: 'movie', grantedAt: NOW });
  });

  it('places each kind of item in its own record', () => {
    const records = recordsFromItems([videoGrant, allAccessGrant, revocation]);
    expect(Object.keys(records).sort()).toEqual(['allAccess', 'revocation', 'video']);
  });

  it('ignores attributes outside the schema, whatever their type', () => {
    const annotated = { ...allAccessGrant, note: { NULL: true }, tags: { SS: ['gift'] }, extra: { M: {} } } as RawItem;
    expect(read(annotated).allAccess).toEqual({ uid: 'alice', sk: ALL_ACCESS_SK, grantedAt: NOW });
  });

  it('refuses a value that carries two type tags', () => {
    const item = withAttribute(videoGrant, EXPIRES_AT, { N: `${NOW}`, NULL: true } as unknown as AttributeValue);
    expect(() => read(item)).toThrow(MalformedItemError);
  });

  it('refuses an item without a sort key', () => {
    expect(() => read({ [PARTITION_KEY]: { S: 'alice' } })).toThrow(MalformedItemError);
  });

  describe('is strict about what a grant is: never a purchase by default', () => {
    const key = (sk: string): RawItem => ({ [PARTITION_KEY]: { S: 'alice' }, [SORT_KEY]: { S: sk } });
    /** A lease as the edge function writes one, and the issue's `{uid, sk: "*", ttl}` written with lease credentials. */
    const leaseShaped = (sk: string): RawItem => ({
      ...key(sk),
      [EXPIRES_AT]: { N: `${NOW + 60}` },
      [TTL_ATTRIBUTE]: { N: `${NOW + 86_460}` },
      ...Object.fromEntries(
        LEASE_ONLY_ATTRIBUTES.map((name) => [
          name,
          name === 'videoId' || name === 'region' || name === 'network' ? { S: 'x' } : { N: `${NOW}` },
        ]),
      ),
    });

    it.each(['movie', ALL_ACCESS_SK])('refuses a bare {uid, sk} item under the grant key %s', (sk) => {
      expect(() => read(key(sk))).toThrow(`item ${sk}: attribute grantedAt is required on a grant`);
    });

    it.each(['movie', ALL_ACCESS_SK])('refuses {uid, sk, ttl} under the grant key %s', (sk) => {
      expect(() => read({ ...key(sk), [TTL_ATTRIBUTE]: { N: `${NOW + 3600}` } })).toThrow(MalformedItemError);
    });

    it.each(['movie', ALL_ACCESS_SK])('refuses a lease-shaped item under the grant key %s', (sk) => {
      expect(() => read(leaseShaped(sk))).toThrow(MalformedItemError);
    });

    it.each(LEASE_ONLY_ATTRIBUTES.map((name) => [name]))('refuses a grant that also holds the lease attribute %s', (name) => {
      const value = name === 'videoId' || name === 'region' || name === 'network' ? { S: 'x' } : { N: `${NOW}` };
      expect(() => read(withAttribute(videoGrant, name, value))).toThrow(`item movie: attribute ${name} belongs to a lease`);
      expect(() => read(withAttribute(revocation, name, value))).toThrow(MalformedItemError);
    });

    it('knows which attributes only leases have: those a grant never holds', () => {
      expect([...LEASE_ONLY_ATTRIBUTES].sort()).toEqual(
        ['checkedAt', 'endedAt', 'movedAt', 'network', 'region', 'renewedAt', 'startedAt', 'videoId'].sort(),
      );
    });
  });

  it('refuses a session revocation without revokedBefore', () => {
    expect(() => read({ [PARTITION_KEY]: { S: 'alice' }, [SORT_KEY]: { S: REVOKED_SK } })).toThrow(MalformedItemError);
  });

  it('names the item and the attribute in its error, never the viewer id', () => {
    const item = withAttribute(allAccessGrant, EXPIRES_AT, { NULL: true });
    expect(() => read(item)).toThrow('item *: attribute expiresAt must have DynamoDB type N, found NULL');
    expect(() => read(item)).not.toThrow(/alice/);
  });
});
