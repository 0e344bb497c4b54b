import { DOMParser, onWarningStopParsing, type Document, type Element } from '@xmldom/xmldom';
import { SpekeRefusal } from './speke-refusal';

export const CPIX_NS = 'urn:dashif:org:cpix';
export const PSKC_NS = 'urn:ietf:params:xml:ns:keyprov:pskc';
/** SPEKE v1's own elements (KeyFormat, KeyFormatVersions, ProtectionHeader). */
export const SPEKE_NS = 'urn:aws:amazon:com:speke';

/**
 * The largest CPIX document the provider reads. A live request for a few key periods is 2–4 KB;
 * the cap bounds what the parser (and a hostile sender) can make it do.
 */
export const MAX_CPIX_BYTES = 256 * 1024;

const DECLARED_ENCODING = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']/;

/**
 * Parses an untrusted CPIX document: the size is checked before anything is decoded, the bytes must
 * be UTF-8, and any DOCTYPE or ENTITY declaration is refused outright (no entity expansion, no
 * external entity, whatever the parser would have done with it). Every parser warning is fatal.
 */
export function parseCpixXml(body: Uint8Array, maxBytes = MAX_CPIX_BYTES): Document {
  if (body.length > maxBytes) {
    throw new SpekeRefusal(
      413,
      'body-too-large',
      `The CPIX document is larger than ${maxBytes} bytes`,
      'Ask for fewer key periods per request.',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new SpekeRefusal(400, 'malformed-xml', 'The CPIX document is not UTF-8', 'Send the document encoded as UTF-8.');
  }
  const encoding = DECLARED_ENCODING.exec(text)?.[1];
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new SpekeRefusal(
      400,
      'malformed-xml',
      `The CPIX document declares the encoding ${JSON.stringify(encoding)}`,
      'Send it as UTF-8.',
    );
  }
  // Refused wherever they appear (even in a comment): a CPIX document never needs one.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new SpekeRefusal(400, 'hostile-xml', 'DOCTYPE and ENTITY declarations are refused', 'Send a plain CPIX document.');
  }
  let document: Document;
  try {
    document = new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, 'application/xml');
  } catch (error) {
    const detail = String((error as Error).message)
      .split('\n')[0]
      .slice(0, 200);
    throw new SpekeRefusal(400, 'malformed-xml', 'The CPIX document is not well-formed XML', detail);
  }
  if (document.doctype) throw new SpekeRefusal(400, 'hostile-xml', 'DOCTYPE and ENTITY declarations are refused');
  return document;
}

/** The element children of `parent` with that namespace and local name (direct children only). */
export function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) {
      const element = node as Element;
      if (element.namespaceURI === namespace && element.localName === localName) found.push(element);
    }
  }
  return found;
}

/** An attribute's value, or undefined when it is absent or empty. */
export function attribute(element: Element, name: string): string | undefined {
  const value = element.getAttribute(name);
  return value === null || value.trim() === '' ? undefined : value.trim();
}

/** Base64 as CPIX carries it (whitespace allowed), refusing any other character: Buffer would skip them silently. */
export function decodeBase64(value: string): Buffer | undefined {
  const compact = value.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

export const encodeBase64 = (bytes: Uint8Array | string): string =>
  (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64');
