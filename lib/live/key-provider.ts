import type { ChannelRegistry } from './channel-registry';
import { readCpixKeyRequest, type CpixKeyRequest } from './cpix-request';
import { renderCpixKeyResponse, type IssuedKey } from './cpix-response';
import { MAX_CPIX_BYTES, parseCpixXml } from './cpix-xml';
import { ivForKey, KEY_BYTES, keyNameOfPeriod, liveKeyObjectKey, liveKeyUri, parseKeyUriBase } from './live-key-material';
import { storedKeyBytes, type LiveKeyStore } from './live-key-store';
import { DEFAULT_USER_AGENT, SPEKE_2_HEADER } from './speke-profile';
import { SpekeRefusal, type SpekeRefusalReason } from './speke-refusal';

/** An HTTP request as any front end (node:http, a Lambda function URL) hands it over; header names in lower case. */
export interface KeyProviderRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

export interface KeyProviderResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** One line of the provider's log: what was asked and decided, never a key. */
export type KeyProviderLogEntry =
  | {
      event: 'keys-issued';
      at: string;
      channel: string;
      speke: string;
      periods: { index: number; name: string; kid: string; created: boolean }[];
    }
  | { event: 'refused'; at: string; status: number; reason: SpekeRefusalReason; message: string; channel?: string }
  | { event: 'store-error'; at: string; channel: string; error: string };

export interface KeyProviderPorts {
  readonly store: LiveKeyStore;
  readonly channels: ChannelRegistry;
  /** Cryptographically random bytes (node:crypto's randomBytes). */
  readonly randomBytes: (size: number) => Uint8Array;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly log?: (entry: KeyProviderLogEntry) => void;
}

export interface KeyProviderOptions {
  /** The distribution key URIs name, like https://d111.cloudfront.net: each key is `<base>/keys/<channel>/<name>.key`. */
  readonly keyUriBase: string;
  readonly userAgent?: string;
  readonly maxBodyBytes?: number;
  /** Key periods one request may ask for (MediaPackage asks for one or two). */
  readonly maxPeriodsPerRequest?: number;
}

export type KeyProvider = (request: KeyProviderRequest) => Promise<KeyProviderResponse>;

const XML_TYPES = new Set(['application/xml', 'text/xml']);

/**
 * Keygate's SPEKE key provider for live channels, a pure request handler: it answers a CPIX key
 * request for AES-128 HLS with, for each key period, a key that it has FIRST stored in the key
 * bucket (`keys/<channel>/<period index>.key`), an explicit IV, and Keygate's gated key URL as the
 * URI playlists name. The same period always gets the same key. Anything it cannot answer exactly
 * is refused with SPEKE's 4xx message, before anything is stored; a store failure is a 503.
 */
export function createKeyProvider(ports: KeyProviderPorts, options: KeyProviderOptions): KeyProvider {
  const keyUriBase = parseKeyUriBase(options.keyUriBase);
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_CPIX_BYTES;
  const maxPeriods = options.maxPeriodsPerRequest ?? 16;
  const at = () => new Date(ports.now()).toISOString();
  const log = ports.log ?? (() => {});

  const issue = async (request: CpixKeyRequest): Promise<(IssuedKey & { created: boolean })[]> =>
    Promise.all(
      request.periods.map(async (period) => {
        const name = keyNameOfPeriod(period.index);
        const stored = await ports.store.storeKeyOnce(request.channel, name, ports.randomBytes(KEY_BYTES));
        const key = storedKeyBytes(liveKeyObjectKey(request.channel, name), stored.key);
        return { period, key, iv: ivForKey(key), uri: liveKeyUri(keyUriBase, request.channel, name), created: stored.created };
      }),
    );

  return async (http) => {
    const spekeHeader = http.headers['x-speke-version'];
    // The encryptor's version goes back unchanged, on refusals too (only a well-formed one).
    const versionHeaders: Record<string, string> = {
      'x-speke-user-agent': userAgent,
      ...(spekeHeader !== undefined && /^\d{1,3}\.\d{1,3}$/.test(spekeHeader.trim()) ? { 'x-speke-version': spekeHeader.trim() } : {}),
    };
    const refuse = (refusal: SpekeRefusal, channel?: string): KeyProviderResponse => {
      log({
        event: 'refused',
        at: at(),
        status: refusal.status,
        reason: refusal.reason,
        message: refusal.message,
        ...(channel ? { channel } : {}),
      });
      return {
        status: refusal.status,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
          'x-keygate-reason': refusal.reason,
          ...versionHeaders,
          ...(refusal.status === 405 ? { allow: 'POST' } : {}),
        },
        body: `${refusal.body}\n`,
      };
    };

    // SPEKE 1.0's heartbeat: the encryptor checks the endpoint is alive.
    if (http.method === 'GET' && http.path.endsWith('/heartbeat')) {
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', ...versionHeaders }, body: 'OK\n' };
    }
    let request: CpixKeyRequest;
    try {
      if (http.method !== 'POST') throw new SpekeRefusal(405, 'method-not-allowed', 'A SPEKE key request is a POST of a CPIX document');
      const type = (http.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!XML_TYPES.has(type)) {
        throw new SpekeRefusal(415, 'unsupported-media-type', `A CPIX document is application/xml, not ${JSON.stringify(type)}`);
      }
      request = readCpixKeyRequest(parseCpixXml(http.body, maxBodyBytes), spekeHeader, maxPeriods);
    } catch (error) {
      if (error instanceof SpekeRefusal) return refuse(error);
      throw error;
    }
    let issued: (IssuedKey & { created: boolean })[];
    try {
      if (!(await ports.channels.isLiveChannel(request.channel))) {
        return refuse(
          new SpekeRefusal(
            403,
            'unknown-channel',
            `Unknown channel ${JSON.stringify(request.channel)}`,
            'Only the configured live channels get keys: add the channel first.',
          ),
          request.channel,
        );
      }
      issued = await issue(request);
    } catch (error) {
      log({ event: 'store-error', at: at(), channel: request.channel, error: `${(error as Error).name}: ${(error as Error).message}` });
      return {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '1', ...versionHeaders },
        body: 'The key store is unavailable: no key was handed out. Retry.\n',
      };
    }
    log({
      event: 'keys-issued',
      at: at(),
      channel: request.channel,
      speke: request.version,
      periods: issued.map(({ period, created }) => ({
        index: period.index,
        name: keyNameOfPeriod(period.index),
        kid: period.kid,
        created,
      })),
    });
    const body = renderCpixKeyResponse(request, issued);
    const headers: Record<string, string> = {
      'content-type': 'application/xml',
      // The body holds keys: no cache on the way may keep it.
      'cache-control': 'no-store',
      ...versionHeaders,
      ...(request.version === '1.0' ? { 'speke-user-agent': userAgent } : { 'x-speke-version': SPEKE_2_HEADER }),
    };
    return { status: 200, headers, body };
  };
}
