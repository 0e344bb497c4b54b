import { fixedChannelRegistry } from '../../../lib/live/channel-registry';
import { createKeyProvider, type KeyProviderRequest } from '../../../lib/live/key-provider';
import { MemoryLiveKeyStore } from '../../fixtures/memory-live-key-store';
import { spekeFixture } from '../../fixtures/speke-answers';

const V2 = spekeFixture('v2-live-request.xml');
const V1 = spekeFixture('v1-live-request.xml');
const KID = '6d1c3a52-7f0b-4c8e-9a41-2b5e8f3d7c10';
const V2_HEADERS = { 'content-type': 'application/xml', 'x-speke-version': '2.0' };

/** The documented v2 request with its root's opening tag given a DOCTYPE and a body that uses it. */
const withDoctype = (doctype: string, use: string) =>
  V2.replace('<cpix:CPIX ', `${doctype}\n<cpix:CPIX `).replace('<cpix:ContentKeyList>', `<cpix:ContentKeyList>${use}`);
const BILLION_LAUGHS = `<!DOCTYPE cpix:CPIX [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>`;
/** Another key period for the documented request, bound to the same key. */
const secondPeriodForTheSameKey = V2.replace(
  '</cpix:ContentKeyPeriodList>',
  '<cpix:ContentKeyPeriod id="p2" index="28512"/></cpix:ContentKeyPeriodList>',
).replace('<cpix:AudioFilter/>', '<cpix:KeyPeriodFilter periodId="p2"/><cpix:AudioFilter/>');
/** A second content key for the same period: an audio key and a video key, MediaPackage's multi-key presets. */
const twoKeysForOnePeriod = V2.replace(
  '</cpix:ContentKeyList>',
  `<cpix:ContentKey kid="22222222-3333-4444-8555-666666666666" commonEncryptionScheme="cbc1"/></cpix:ContentKeyList>`,
).replace(
  '</cpix:ContentKeyUsageRuleList>',
  `<cpix:ContentKeyUsageRule kid="22222222-3333-4444-8555-666666666666" intendedTrackType="AUDIO"><cpix:KeyPeriodFilter periodId="keyPeriod_3b0e5c1a-92d4-4f6b-8e27-c5a1d9f04b63"/><cpix:AudioFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`,
);
const seventeenPeriods = V2.replace(
  '</cpix:ContentKeyPeriodList>',
  `${Array.from({ length: 16 }, (_, i) => `<cpix:ContentKeyPeriod id="extra${i}" index="${i}"/>`).join('')}</cpix:ContentKeyPeriodList>`,
);

interface Case {
  name: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  method?: string;
  status: number;
  reason: string;
  /** The body's first line: SPEKE's standard message where the specification has one. */
  message: string | RegExp;
}

const cases: Case[] = [
  {
    name: 'an XML entity expansion (billion laughs)',
    body: withDoctype(BILLION_LAUGHS, '&lol9;'),
    status: 400,
    reason: 'hostile-xml',
    message: 'DOCTYPE and ENTITY declarations are refused',
  },
  {
    name: 'an external entity',
    body: withDoctype('<!DOCTYPE cpix:CPIX [<!ENTITY x SYSTEM "file:///etc/passwd">]>', '&x;'),
    status: 400,
    reason: 'hostile-xml',
    message: 'DOCTYPE and ENTITY declarations are refused',
  },
  {
    name: 'a body of 1 MB',
    body: V2 + `<!--${'x'.repeat(1024 * 1024)}-->`,
    status: 413,
    reason: 'body-too-large',
    message: /larger than 262144 bytes/,
  },
  {
    name: 'a body one byte over 256 KB',
    body: Buffer.alloc(256 * 1024 + 1, 0x20),
    status: 413,
    reason: 'body-too-large',
    message: /larger than/,
  },
  {
    name: 'a body that is not XML',
    body: 'contentId=concert',
    status: 400,
    reason: 'malformed-xml',
    message: 'The CPIX document is not well-formed XML',
  },
  {
    name: 'a body that is not UTF-8',
    body: Buffer.from([0x3c, 0x61, 0xff, 0x3e]),
    status: 400,
    reason: 'malformed-xml',
    message: 'The CPIX document is not UTF-8',
  },
  { name: 'a document that is not CPIX', body: '<html/>', status: 422, reason: 'invalid-cpix', message: /is not a cpix:CPIX element/ },
  {
    name: 'a missing contentId',
    body: V2.replace('contentId="concert" ', ''),
    status: 422,
    reason: 'invalid-cpix',
    message: 'Missing CPIX@contentId',
  },
  {
    name: 'an empty contentId',
    body: V2.replace('contentId="concert"', 'contentId=""'),
    status: 422,
    reason: 'invalid-cpix',
    message: 'Missing CPIX@contentId',
  },
  {
    name: 'a contentId that is not a channel id',
    body: V2.replace('contentId="concert"', 'contentId="../keys"'),
    status: 422,
    reason: 'invalid-cpix',
    message: /is not a Keygate channel id/,
  },
  {
    name: 'a missing CPIX@version',
    body: V2.replace('version="2.3" ', ''),
    status: 422,
    reason: 'invalid-cpix',
    message: 'Missing CPIX@version',
  },
  {
    name: 'an unknown CPIX@version',
    body: V2.replace('version="2.3"', 'version="2.2"'),
    status: 422,
    reason: 'invalid-cpix',
    message: 'Unsupported CPIX@version',
  },
  {
    name: 'a CPIX 2.3 document without X-Speke-Version',
    body: V2,
    headers: { 'content-type': 'application/xml' },
    status: 422,
    reason: 'unsupported-speke-version',
    message: 'Unsupported SPEKE version',
  },
  {
    name: 'an unknown X-Speke-Version',
    body: V2,
    headers: { ...V2_HEADERS, 'x-speke-version': '3.0' },
    status: 422,
    reason: 'unsupported-speke-version',
    message: 'Unsupported SPEKE version',
  },
  { name: 'a SPEKE 1.0 document sent as SPEKE 2.0', body: V1, status: 422, reason: 'invalid-cpix', message: 'Missing CPIX@version' },
  {
    name: 'a missing commonEncryptionScheme',
    body: V2.replace(' commonEncryptionScheme="cbc1"', ''),
    status: 422,
    reason: 'invalid-cpix',
    message: `Missing ContentKey@commonEncryptionScheme for KID ${KID}`,
  },
  {
    name: 'mixed encryption schemes',
    body: twoKeysForOnePeriod.replace(
      'kid="22222222-3333-4444-8555-666666666666" commonEncryptionScheme="cbc1"',
      'kid="22222222-3333-4444-8555-666666666666" commonEncryptionScheme="cbcs"',
    ),
    status: 422,
    reason: 'invalid-cpix',
    message: 'Non compliant ContentKey@commonEncryptionScheme combination',
  },
  {
    name: 'a scheme AES-128 HLS cannot use (cenc)',
    body: V2.replace('commonEncryptionScheme="cbc1"', 'commonEncryptionScheme="cenc"'),
    status: 422,
    reason: 'unsupported-drm-system',
    message: 'ContentKey@commonEncryptionScheme non compatible with DRMSystem 3ea8778f-7742-4bf9-b18b-e834b2acbd47',
  },
  {
    name: 'another DRM system (Widevine)',
    body: V2.replace('systemId="3ea8778f-7742-4bf9-b18b-e834b2acbd47"', 'systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"'),
    status: 422,
    reason: 'unsupported-drm-system',
    message: 'Unsupported DRMSystem "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"',
  },
  {
    name: 'SAMPLE-AES (FairPlay) in a SPEKE 1.0 request',
    body: V1.replace('systemId="81376844-f976-481e-a84e-cc25d39b0b33"', 'systemId="94ce86fb-07ff-4f43-adb8-93d2fa968ca2"'),
    headers: { 'content-type': 'application/xml' },
    status: 422,
    reason: 'unsupported-drm-system',
    message: 'Unsupported DRMSystem "94ce86fb-07ff-4f43-adb8-93d2fa968ca2"',
  },
  {
    name: 'content key encryption (a DeliveryDataList)',
    body: V2.replace('<cpix:ContentKeyList>', '<cpix:DeliveryDataList><cpix:DeliveryData/></cpix:DeliveryDataList><cpix:ContentKeyList>'),
    status: 422,
    reason: 'unsupported-contract',
    message: 'Content key encryption (cpix:DeliveryDataList) is not supported',
  },
  {
    name: 'a request without key periods',
    body: V2.replace(/<cpix:ContentKeyPeriodList>[\s\S]*<\/cpix:ContentKeyPeriodList>/, ''),
    status: 422,
    reason: 'invalid-cpix',
    message: 'The CPIX document needs exactly one cpix:ContentKeyPeriodList',
  },
  {
    name: 'a period index that is not a whole number',
    body: V2.replace('index="28511"', 'index="-1"'),
    status: 422,
    reason: 'invalid-cpix',
    message: 'ContentKeyPeriod@index "-1" is not a whole number',
  },
  {
    name: 'too many periods',
    body: seventeenPeriods,
    status: 422,
    reason: 'unsupported-contract',
    message: /lists 17 key periods; Keygate answers at most 16/,
  },
  {
    name: 'one key for two periods',
    body: secondPeriodForTheSameKey,
    status: 422,
    reason: 'unsupported-contract',
    message: 'Requested CPIX encryption contract not supported',
  },
  {
    name: 'two keys for one period',
    body: twoKeysForOnePeriod,
    status: 422,
    reason: 'unsupported-contract',
    message: 'Requested CPIX encryption contract not supported',
  },
  {
    name: 'a key bound to no period',
    body: V2.replace(/<cpix:KeyPeriodFilter [^>]*\/>/, ''),
    status: 422,
    reason: 'invalid-cpix',
    message: 'Malformed encryption contract',
  },
  {
    name: 'a usage rule with no track filter',
    body: V2.replace('<cpix:AudioFilter/>', '').replace('<cpix:VideoFilter/>', ''),
    status: 422,
    reason: 'invalid-cpix',
    message: 'Missing CPIX encryption contract',
  },
  {
    name: 'a KID that is not a UUID',
    body: V2.replaceAll(KID, 'not-a-uuid'),
    status: 422,
    reason: 'invalid-cpix',
    message: 'ContentKey@kid "not-a-uuid" is not a UUID',
  },
  {
    name: 'a content key that already carries a value',
    body: V2.replace(
      '</cpix:ContentKey>',
      '<cpix:Data><pskc:Secret><pskc:PlainValue>AAAAAAAAAAAAAAAAAAAAAA==</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey>',
    ),
    status: 422,
    reason: 'unsupported-contract',
    message: `ContentKey ${KID} already carries a key`,
  },
  {
    name: 'an unknown channel',
    body: V2.replace('contentId="concert"', 'contentId="other-channel"'),
    status: 403,
    reason: 'unknown-channel',
    message: 'Unknown channel "other-channel"',
  },
  {
    name: 'a body sent as JSON',
    body: V2,
    headers: { ...V2_HEADERS, 'content-type': 'application/json' },
    status: 415,
    reason: 'unsupported-media-type',
    message: /is application\/xml/,
  },
  {
    name: 'a GET',
    body: '',
    method: 'GET',
    status: 405,
    reason: 'method-not-allowed',
    message: 'A SPEKE key request is a POST of a CPIX document',
  },
];

describe('the key provider refuses, and stores nothing for,', () => {
  const store = new MemoryLiveKeyStore();
  const provider = createKeyProvider(
    { store, channels: fixedChannelRegistry(['concert']), randomBytes: (size) => new Uint8Array(size).fill(7), now: () => 0 },
    { keyUriBase: 'https://d111.cloudfront.net' },
  );

  it.each(cases)('$name', async ({ body, headers, method, status, reason, message }) => {
    const request: KeyProviderRequest = {
      method: method ?? 'POST',
      path: '/speke/v2.0/copyProtection',
      headers: headers ?? V2_HEADERS,
      body: Buffer.from(body),
    };
    const response = await provider(request);
    expect(response.status).toBe(status);
    expect(response.headers['x-keygate-reason']).toBe(reason);
    expect(response.body.split('\n')[0]).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    expect(store.calls).toBe(0);
  });

  it('nothing, and still answers the documented request afterwards', async () => {
    const response = await provider({ method: 'POST', path: '/', headers: V2_HEADERS, body: Buffer.from(V2) });
    expect(response.status).toBe(200);
    expect(store.writes).toEqual(['keys/concert/28511.key']);
  });
});
