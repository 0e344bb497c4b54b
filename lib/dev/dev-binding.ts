import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { KeygateError } from '../keygate-error';

/**
 * Where `keygate dev` may listen, and which Host names it answers. Its sign-in and token endpoints
 * mint a token for any viewer name, so the adversaries are anyone on the network (a non-loopback
 * bind) and any web page the developer opens (DNS rebinding: a page's own name resolved to
 * 127.0.0.1 reaches the dev server with a foreign Host header).
 */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::']);

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.has(name)) return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

export class ExposedHostError extends KeygateError {}

/** Refuses a non-loopback bind unless the operator said, in so many words, that they mean it. */
export function checkDevHost(host: string, expose: boolean): void {
  if (!isLoopbackHost(host) && !expose) {
    throw new ExposedHostError(
      `${host} is not a loopback address: anyone who can reach it could sign in as any viewer and mint tokens for them`,
      'expose',
    );
  }
}

/** The one loud line printed when a dev stack is exposed: what anyone who can reach it can do. */
export function exposureWarning(url: string): string {
  return (
    `WARNING: keygate dev is exposed at ${url}: anyone who can reach it can mint tokens for any viewer, sign in as anyone, ` +
    'revoke grants and end sessions, and so play every video it serves. Use it only on a network you trust.'
  );
}

/** The Host header's name, without port or IPv6 brackets, lower-cased; undefined when malformed. */
export function hostNameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(hostHeader.trim());
  return match ? (match[1] ?? match[2]).toLowerCase() : undefined;
}

/**
 * The Host names the dev site answers for: the loopback names, the `--host` given, and, on a
 * wildcard bind (0.0.0.0, ::), this machine's interface addresses.
 */
export function devHostNames(host: string): string[] {
  const names = new Set([...LOOPBACK_NAMES, host.toLowerCase()]);
  if (WILDCARD_ADDRESSES.has(host)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address.toLowerCase());
    }
  }
  return [...names];
}
