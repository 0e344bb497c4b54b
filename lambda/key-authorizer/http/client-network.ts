import { createHash } from 'node:crypto';

/**
 * The network a viewer's request came from, as a salted hash of its address prefix: /24 for IPv4
 * (a home or office behind one router), /48 for IPv6 (a site; privacy addresses change below it).
 * A stream lease is bound to it, so that copies of one token on devices elsewhere cannot share one
 * session. Pseudonymous, not anonymous: with the salt, a prefix can be confirmed by trying them all.
 * Undefined for an address that is neither, in which case no binding applies.
 */
export function networkOf(clientIp: string | undefined, salt: string): string | undefined {
  const prefix = clientIp === undefined ? undefined : addressPrefix(clientIp);
  if (prefix === undefined) return undefined;
  return createHash('sha256').update(salt).update('\0network\0').update(prefix).digest('base64url').slice(0, 16);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function addressPrefix(ip: string): string | undefined {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  const v4 = IPV4.exec(mapped ? mapped[1] : ip);
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255) ? `${v4[1]}.${v4[2]}.${v4[3]}` : undefined;
  const groups = expandIpv6(ip);
  return groups === undefined ? undefined : groups.slice(0, 3).join(':');
}

/** The eight hextets of an IPv6 address, lower case without leading zeros; undefined if it is not one. */
function expandIpv6(ip: string): string[] | undefined {
  if (!/^[0-9a-f:]{2,39}$/i.test(ip) || ip.split('::').length > 2) return undefined;
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
