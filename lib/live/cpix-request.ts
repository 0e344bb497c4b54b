import type { Document, Element } from '@xmldom/xmldom';
import { VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import { attribute, childElements, CPIX_NS } from './cpix-xml';
import {
  AES_128_SCHEME,
  CPIX_2_VERSION,
  drmSystemOf,
  KID_PATTERN,
  PERIOD_INDEX_PATTERN,
  SPEKE_2_HEADER,
  type SpekeVersion,
} from './speke-profile';
import { cpixRefusal, quoted } from './speke-refusal';

/** One key the encryptor asks for: a content key bound to exactly one key period. */
export interface PeriodKeyRequest {
  /** ContentKeyPeriod@index: the only thing SPEKE tracks a period by. */
  readonly index: number;
  readonly kid: string;
  /** The request's own elements, filled in place for the answer (so everything else is echoed unchanged). */
  readonly contentKey: Element;
  readonly drmSystems: readonly Element[];
}

/** A CPIX key request, read and checked: the channel and the keys of its periods. */
export interface CpixKeyRequest {
  readonly version: SpekeVersion;
  readonly channel: string;
  readonly periods: readonly PeriodKeyRequest[];
  readonly document: Document;
}

const ONE_KEY_PER_PERIOD =
  'Keygate hands out one key per key period, shared by every track: choose a shared-key preset (one content key per period) and a key rotation interval.';

function onlyChild(parent: Element, localName: string, help?: string): Element {
  const found = childElements(parent, CPIX_NS, localName);
  if (found.length !== 1) throw cpixRefusal('invalid-cpix', `The CPIX document needs exactly one cpix:${localName}`, help);
  return found[0];
}

/** SPEKE 2.0 when the header says so and the document agrees; SPEKE 1.0 when neither speaks of a version. */
function spekeVersionOf(root: Element, header: string | undefined): SpekeVersion {
  const cpixVersion = attribute(root, 'version');
  if (header === undefined || header.trim() === '') {
    if (cpixVersion === undefined) return '1.0';
    throw cpixRefusal(
      'unsupported-speke-version',
      'Unsupported SPEKE version',
      `A CPIX ${quoted(cpixVersion)} document needs the header X-Speke-Version: ${SPEKE_2_HEADER}.`,
    );
  }
  if (header.trim() !== SPEKE_2_HEADER) {
    throw cpixRefusal(
      'unsupported-speke-version',
      'Unsupported SPEKE version',
      `Keygate speaks SPEKE ${SPEKE_2_HEADER} (X-Speke-Version: ${SPEKE_2_HEADER}, CPIX ${CPIX_2_VERSION}) and SPEKE 1.0 (no header), not ${quoted(header)}.`,
    );
  }
  if (cpixVersion === undefined) throw cpixRefusal('invalid-cpix', 'Missing CPIX@version');
  if (cpixVersion !== CPIX_2_VERSION) {
    throw cpixRefusal(
      'invalid-cpix',
      'Unsupported CPIX@version',
      `SPEKE ${SPEKE_2_HEADER} goes with CPIX ${CPIX_2_VERSION}, not ${quoted(cpixVersion)}.`,
    );
  }
  return '2.0';
}

function channelOf(root: Element, version: SpekeVersion): string {
  const name = version === '2.0' ? 'contentId' : 'id';
  const channel = attribute(root, name);
  if (channel === undefined) {
    throw cpixRefusal('invalid-cpix', `Missing CPIX@${name}`, "Set the endpoint's resource id to the Keygate channel id.");
  }
  if (!VIDEO_ID_PATTERN.test(channel)) {
    throw cpixRefusal(
      'invalid-cpix',
      `CPIX@${name} ${quoted(channel)} is not a Keygate channel id`,
      'A channel id is 1 to 128 letters, digits, _ or -.',
    );
  }
  return channel;
}

function contentKeysOf(list: Element, version: SpekeVersion, maxKeys: number): Map<string, Element> {
  const elements = childElements(list, CPIX_NS, 'ContentKey');
  if (elements.length === 0) throw cpixRefusal('invalid-cpix', 'The cpix:ContentKeyList has no cpix:ContentKey');
  if (elements.length > maxKeys) {
    throw cpixRefusal(
      'unsupported-contract',
      `The request asks for ${elements.length} keys; Keygate answers at most ${maxKeys} at once`,
      'Ask for fewer key periods per request.',
    );
  }
  const keys = new Map<string, Element>();
  const schemes = new Set<string>();
  for (const element of elements) {
    const kid = attribute(element, 'kid');
    if (kid === undefined || !KID_PATTERN.test(kid)) throw cpixRefusal('invalid-cpix', `ContentKey@kid ${quoted(kid ?? '')} is not a UUID`);
    if (keys.has(kid.toLowerCase())) throw cpixRefusal('invalid-cpix', `ContentKey@kid ${kid} appears twice`);
    if (childElements(element, CPIX_NS, 'Data').length > 0) {
      throw cpixRefusal(
        'unsupported-contract',
        `ContentKey ${kid} already carries a key`,
        'Keygate makes every key itself: send the ContentKey empty.',
      );
    }
    if (version === '2.0') {
      const scheme = attribute(element, 'commonEncryptionScheme');
      if (scheme === undefined) throw cpixRefusal('invalid-cpix', `Missing ContentKey@commonEncryptionScheme for KID ${kid}`);
      schemes.add(scheme);
    }
    keys.set(kid.toLowerCase(), element);
  }
  if (schemes.size > 1) throw cpixRefusal('invalid-cpix', 'Non compliant ContentKey@commonEncryptionScheme combination');
  const [scheme] = schemes;
  if (scheme !== undefined && scheme !== AES_128_SCHEME) {
    throw cpixRefusal(
      'unsupported-drm-system',
      `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${drmSystemOf(version)}`,
      `Keygate serves AES-128 HLS, whose scheme is ${AES_128_SCHEME}, not ${quoted(scheme)}.`,
    );
  }
  return keys;
}

function drmSystemsOf(list: Element, version: SpekeVersion, keys: Map<string, Element>): Map<string, Element[]> {
  const byKid = new Map<string, Element[]>();
  const expected = drmSystemOf(version);
  for (const element of childElements(list, CPIX_NS, 'DRMSystem')) {
    const systemId = attribute(element, 'systemId') ?? '';
    if (systemId.toLowerCase() !== expected) {
      throw cpixRefusal(
        'unsupported-drm-system',
        `Unsupported DRMSystem ${quoted(systemId)}`,
        `Keygate serves AES-128 HLS only: SPEKE ${version} calls it ${expected} (TS segments, method AES-128).`,
      );
    }
    const kid = attribute(element, 'kid')?.toLowerCase();
    if (kid === undefined || !keys.has(kid)) throw cpixRefusal('invalid-cpix', `DRMSystem@kid ${quoted(kid ?? '')} names no ContentKey`);
    byKid.set(kid, [...(byKid.get(kid) ?? []), element]);
  }
  return byKid;
}

function periodsOf(list: Element, maxPeriods: number): Map<string, number> {
  const elements = childElements(list, CPIX_NS, 'ContentKeyPeriod');
  if (elements.length === 0) throw cpixRefusal('invalid-cpix', 'The cpix:ContentKeyPeriodList has no cpix:ContentKeyPeriod');
  if (elements.length > maxPeriods) {
    throw cpixRefusal(
      'unsupported-contract',
      `The request lists ${elements.length} key periods; Keygate answers at most ${maxPeriods} at once`,
      'Ask for fewer key periods per request.',
    );
  }
  const periods = new Map<string, number>();
  const indexes = new Set<number>();
  for (const element of elements) {
    const id = attribute(element, 'id');
    const index = attribute(element, 'index');
    if (id === undefined || periods.has(id))
      throw cpixRefusal('invalid-cpix', `ContentKeyPeriod@id ${quoted(id ?? '')} is missing or repeated`);
    if (index === undefined || !PERIOD_INDEX_PATTERN.test(index)) {
      throw cpixRefusal(
        'invalid-cpix',
        `ContentKeyPeriod@index ${quoted(index ?? '')} is not a whole number`,
        'Keygate names each key after its period index.',
      );
    }
    const value = Number(index);
    if (indexes.has(value)) throw cpixRefusal('invalid-cpix', `ContentKeyPeriod@index ${value} appears twice`);
    indexes.add(value);
    periods.set(id, value);
  }
  return periods;
}

/** Binds each content key to its one period through the usage rules' KeyPeriodFilter. */
function periodOfEachKey(
  list: Element,
  version: SpekeVersion,
  keys: Map<string, Element>,
  periods: Map<string, number>,
): Map<string, number> {
  const periodOfKey = new Map<string, number>();
  let filters = 0;
  for (const rule of childElements(list, CPIX_NS, 'ContentKeyUsageRule')) {
    const kid = attribute(rule, 'kid')?.toLowerCase();
    if (kid === undefined || !keys.has(kid)) {
      throw cpixRefusal(
        'invalid-cpix',
        'Malformed encryption contract',
        `ContentKeyUsageRule@kid ${quoted(kid ?? '')} names no ContentKey.`,
      );
    }
    filters += childElements(rule, CPIX_NS, 'VideoFilter').length + childElements(rule, CPIX_NS, 'AudioFilter').length;
    for (const filter of childElements(rule, CPIX_NS, 'KeyPeriodFilter')) {
      const index = periods.get(attribute(filter, 'periodId') ?? '');
      if (index === undefined) {
        throw cpixRefusal(
          'invalid-cpix',
          'Malformed encryption contract',
          `KeyPeriodFilter@periodId ${quoted(attribute(filter, 'periodId') ?? '')} names no ContentKeyPeriod.`,
        );
      }
      if (periodOfKey.has(kid) && periodOfKey.get(kid) !== index) {
        throw cpixRefusal('unsupported-contract', 'Requested CPIX encryption contract not supported', ONE_KEY_PER_PERIOD);
      }
      periodOfKey.set(kid, index);
    }
  }
  if (version === '2.0' && filters === 0) {
    throw cpixRefusal(
      'invalid-cpix',
      'Missing CPIX encryption contract',
      'Each ContentKeyUsageRule needs a VideoFilter or an AudioFilter.',
    );
  }
  return periodOfKey;
}

/**
 * Reads a CPIX key request for a live channel: SPEKE 2.0 when `spekeVersionHeader` is 2.0, SPEKE 1.0
 * when it is absent. Refuses (SpekeRefusal) anything Keygate cannot answer exactly: other DRM
 * systems or schemes, content key encryption, a request without key periods, or a contract that is
 * not one key per period.
 */
export function readCpixKeyRequest(document: Document, spekeVersionHeader: string | undefined, maxPeriods: number): CpixKeyRequest {
  const root = document.documentElement;
  if (!root || root.namespaceURI !== CPIX_NS || root.localName !== 'CPIX') {
    throw cpixRefusal('invalid-cpix', `The document is not a cpix:CPIX element of ${CPIX_NS}`);
  }
  const version = spekeVersionOf(root, spekeVersionHeader);
  const channel = channelOf(root, version);
  if (childElements(root, CPIX_NS, 'DeliveryDataList').length > 0) {
    throw cpixRefusal(
      'unsupported-contract',
      'Content key encryption (cpix:DeliveryDataList) is not supported',
      "Leave the certificate out of the endpoint's SPEKE settings: keys travel in the clear inside the HTTPS request.",
    );
  }
  const keys = contentKeysOf(onlyChild(root, 'ContentKeyList'), version, maxPeriods);
  const drmSystems = drmSystemsOf(onlyChild(root, 'DRMSystemList'), version, keys);
  const periods = periodsOf(
    onlyChild(root, 'ContentKeyPeriodList', 'Keygate serves live channels with rotating keys: set a key rotation interval.'),
    maxPeriods,
  );
  const periodOfKey = periodOfEachKey(onlyChild(root, 'ContentKeyUsageRuleList'), version, keys, periods);

  const requests: PeriodKeyRequest[] = [];
  const askedFor = new Set<number>();
  for (const [kid, contentKey] of keys) {
    const index = periodOfKey.get(kid);
    if (index === undefined) {
      throw cpixRefusal('invalid-cpix', 'Malformed encryption contract', `ContentKey ${kid} has no KeyPeriodFilter naming its key period.`);
    }
    if (askedFor.has(index))
      throw cpixRefusal('unsupported-contract', 'Requested CPIX encryption contract not supported', ONE_KEY_PER_PERIOD);
    askedFor.add(index);
    requests.push({ index, kid, contentKey, drmSystems: drmSystems.get(kid) ?? [] });
  }
  if (askedFor.size !== periods.size) {
    throw cpixRefusal(
      'invalid-cpix',
      'Malformed encryption contract',
      'Every ContentKeyPeriod needs one content key bound to it by a KeyPeriodFilter.',
    );
  }
  return { version, channel, periods: requests, document };
}
