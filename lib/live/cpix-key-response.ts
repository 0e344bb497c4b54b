import type { Document } from '@xmldom/xmldom';
import { KEY_NAME_PATTERN } from '../../lambda/key-authorizer/contract';
import { attribute, childElements, CPIX_NS, decodeBase64, PSKC_NS } from './cpix-xml';
import { readKeyTag } from './hls-key-signaling';
import type { LiveKey } from './live-key-source';
import { KEY_BYTES } from './live-key-material';
import { KeyProviderAnswerError } from './speke-client-errors';

const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new KeyProviderAnswerError(`it has ${items.length} ${what}, not one`);
  return items[0];
};

function sixteenBytes(value: string | null | undefined, what: string): Uint8Array {
  const bytes = value ? decodeBase64(value) : undefined;
  if (!bytes || bytes.length !== KEY_BYTES) throw new KeyProviderAnswerError(`${what} is not 16 bytes of base64`);
  return new Uint8Array(bytes);
}

/**
 * Reads the answer to `renderCpixKeyRequest(channel, period, kid)`: the content key's value and
 * explicit IV, and the URI of its EXT-X-KEY tag, which must be Keygate's key path for the channel.
 */
export function readCpixKeyResponse(document: Document, channel: string, period: number, kid: string): LiveKey {
  const root = document.documentElement;
  if (!root || root.namespaceURI !== CPIX_NS || root.localName !== 'CPIX') throw new KeyProviderAnswerError('it is not a CPIX document');
  if (attribute(root, 'contentId') !== channel) throw new KeyProviderAnswerError(`its contentId is not ${channel}`);
  const keyList = only(childElements(root, CPIX_NS, 'ContentKeyList'), 'ContentKeyList');
  const contentKey = only(
    childElements(keyList, CPIX_NS, 'ContentKey').filter((k) => attribute(k, 'kid')?.toLowerCase() === kid),
    `ContentKey of KID ${kid}`,
  );
  const secret = only(childElements(only(childElements(contentKey, CPIX_NS, 'Data'), 'cpix:Data'), PSKC_NS, 'Secret'), 'pskc:Secret');
  const key = sixteenBytes(only(childElements(secret, PSKC_NS, 'PlainValue'), 'pskc:PlainValue').textContent, 'the key');
  const iv = sixteenBytes(attribute(contentKey, 'explicitIV'), 'ContentKey@explicitIV');

  const systems = childElements(only(childElements(root, CPIX_NS, 'DRMSystemList'), 'DRMSystemList'), CPIX_NS, 'DRMSystem');
  const system = only(
    systems.filter((s) => attribute(s, 'kid')?.toLowerCase() === kid),
    `DRMSystem of KID ${kid}`,
  );
  const media = only(
    childElements(system, CPIX_NS, 'HLSSignalingData').filter((s) => s.getAttribute('playlist') === 'media'),
    'media HLSSignalingData',
  );
  const tag = readKeyTag(decodeBase64(media.textContent ?? '')?.toString('utf8') ?? '');
  if (!tag || tag.get('METHOD') !== 'AES-128' || !tag.get('URI'))
    throw new KeyProviderAnswerError('its media HLSSignalingData is not an AES-128 EXT-X-KEY tag');
  const uri = tag.get('URI') as string;
  let path: string;
  try {
    // A URL, or a path on the playlist's own origin; never a scheme-relative //host, which names another host.
    if (uri.startsWith('//') || (uri.startsWith('/') === false && !/^https?:/i.test(uri))) throw new Error('not a URL');
    path = new URL(uri, 'https://root-relative.invalid').pathname;
  } catch {
    throw new KeyProviderAnswerError(`its key URI ${JSON.stringify(uri)} is not a URL or a /keys/ path`);
  }
  const prefix = `/keys/${channel}/`;
  const name = path.startsWith(prefix) && path.endsWith('.key') ? path.slice(prefix.length, -'.key'.length) : '';
  if (!KEY_NAME_PATTERN.test(name))
    throw new KeyProviderAnswerError(`its key URI ${JSON.stringify(uri)} is not a Keygate key path ${prefix}<name>.key`);
  return { period, name, key, iv, uri };
}
