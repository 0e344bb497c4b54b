import { XMLSerializer, type Element } from '@xmldom/xmldom';
import type { CpixKeyRequest, PeriodKeyRequest } from './cpix-request';
import { childElements, CPIX_NS, encodeBase64, PSKC_NS, SPEKE_NS } from './cpix-xml';
import { aes128KeyTag } from './hls-key-signaling';

/** A key the provider has stored for a period of the request, with what the playlist will carry. */
export interface IssuedKey {
  readonly period: PeriodKeyRequest;
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly uri: string;
}

/** Elements of other DRM systems that MediaPackage v1 sends empty in every DRMSystem; AES-128 has no value for them. */
const NOT_FOR_AES_128: [string, string][] = [
  [CPIX_NS, 'PSSH'],
  [CPIX_NS, 'ContentProtectionData'],
  [CPIX_NS, 'SmoothStreamingProtectionHeaderData'],
  [SPEKE_NS, 'ProtectionHeader'],
];

function setText(elements: Element[], text: string): void {
  for (const element of elements) element.textContent = text;
}

function fillDrmSystem(system: Element, uri: string): void {
  for (const [namespace, name] of NOT_FOR_AES_128)
    for (const element of childElements(system, namespace, name)) system.removeChild(element);
  // SPEKE 1.0 (and 2.0 where asked): the URI alone, base64.
  setText(childElements(system, CPIX_NS, 'URIExtXKey'), encodeBase64(uri));
  setText(childElements(system, SPEKE_NS, 'KeyFormat'), encodeBase64('identity'));
  setText(childElements(system, SPEKE_NS, 'KeyFormatVersions'), encodeBase64('1'));
  // SPEKE 2.0: the whole tag, base64, for the media playlist and the master.
  for (const signaling of childElements(system, CPIX_NS, 'HLSSignalingData')) {
    const tag = signaling.getAttribute('playlist') === 'master' ? '#EXT-X-SESSION-KEY' : '#EXT-X-KEY';
    signaling.textContent = encodeBase64(aes128KeyTag(tag, uri));
  }
}

/**
 * The CPIX answer: the request document itself with each content key's value and explicit IV and
 * each DRM system's signaling filled in. Everything else (contentId, version, the key periods, the
 * usage rules) goes back exactly as it came, as SPEKE requires.
 */
export function renderCpixKeyResponse(request: CpixKeyRequest, issued: readonly IssuedKey[]): string {
  const document = request.document;
  for (const { period, key, iv, uri } of issued) {
    period.contentKey.setAttribute('explicitIV', encodeBase64(iv));
    const data = document.createElementNS(CPIX_NS, 'cpix:Data');
    const secret = document.createElementNS(PSKC_NS, 'pskc:Secret');
    const plainValue = document.createElementNS(PSKC_NS, 'pskc:PlainValue');
    plainValue.textContent = encodeBase64(key);
    secret.appendChild(plainValue);
    data.appendChild(secret);
    period.contentKey.appendChild(data);
    for (const system of period.drmSystems) fillDrmSystem(system, uri);
  }
  return new XMLSerializer().serializeToString(document);
}
