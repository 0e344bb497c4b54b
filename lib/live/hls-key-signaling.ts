/**
 * The EXT-X-KEY line SPEKE 2.0 hands back in HLSSignalingData for Clear Key AES-128 (base64 of the
 * whole tag, one for the media playlist and one, named EXT-X-SESSION-KEY, for the master), and the
 * reader a SPEKE client uses to take the URI back out of it.
 */
export type HlsKeyTag = '#EXT-X-KEY' | '#EXT-X-SESSION-KEY';

/** The tag for a key URI. No IV attribute: the IV travels in ContentKey@explicitIV. */
export function aes128KeyTag(tag: HlsKeyTag, uri: string): string {
  if (/["\r\n]/.test(uri)) throw new Error(`a key URI cannot hold quotes or line breaks: ${JSON.stringify(uri)}`);
  return `${tag}:METHOD=AES-128,URI="${uri}",KEYFORMAT="identity",KEYFORMATVERSIONS="1"`;
}

/**
 * The attributes of an EXT-X-KEY (or EXT-X-SESSION-KEY) line, read left to right in one pass
 * (RFC 8216 attribute lists: NAME=value or NAME="quoted string", comma-separated); undefined when
 * the line is not such a tag or is malformed.
 */
export function readKeyTag(line: string): Map<string, string> | undefined {
  const match = /^#EXT-X-(?:SESSION-)?KEY:/.exec(line);
  if (!match) return undefined;
  const attributes = new Map<string, string>();
  let at = match[0].length;
  while (at < line.length) {
    const equals = line.indexOf('=', at);
    if (equals < 0) return undefined;
    const name = line.slice(at, equals);
    if (!/^[A-Z0-9-]+$/.test(name)) return undefined;
    let value: string;
    if (line[equals + 1] === '"') {
      const close = line.indexOf('"', equals + 2);
      if (close < 0) return undefined;
      value = line.slice(equals + 2, close);
      at = close + 1;
    } else {
      const comma = line.indexOf(',', equals);
      at = comma < 0 ? line.length : comma;
      value = line.slice(equals + 1, at);
    }
    attributes.set(name, value);
    if (at < line.length) {
      if (line[at] !== ',') return undefined;
      at++;
    }
  }
  return attributes;
}
