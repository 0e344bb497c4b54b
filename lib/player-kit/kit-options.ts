import { SESSION_ID_PATTERN } from '../../lambda/key-authorizer/contract/browser';
import { parseOriginList } from './key-origins';
import type { KeyWindowSetting } from './key-window';

/** A key the kit will not ask for again in this playback; the player has been stopped. */
export interface KeyDenial {
  /** 401 (sign in again), 403 (offer to buy), or 503 once its retries are spent (try later). */
  status: number;
  /** The authorizer's `x-keygate-reason` (`not-entitled`, `token-expired`…); null if the response had none. */
  reason: string | null;
  /** The key URL that was refused. */
  url: string;
}

/** What getToken() is told: the playback's session id, for a plan with stream limits. */
export interface TokenContext {
  sessionId: string;
}

/** What an integrator gives the kit, whatever the player. */
export interface KeygateKitOptions {
  /**
   * `cookie`: the browser sends the token cookie with key requests and the kit adds no header.
   * `bearer`: key requests (and only they) carry `Authorization: Bearer <token>`.
   */
  auth: 'cookie' | 'bearer';
  /** Bearer: the token to start with; without it, getToken() is called before the first key request. */
  token?: string;
  /**
   * Called when a key is refused with 401 `token-expired` (and, in bearer mode without a token, before the
   * first key): resolve to a fresh token (bearer), or refresh the cookie and resolve (cookie). The key is
   * then retried once.
   */
  getToken?: (context: TokenContext) => Promise<string | void>;
  /**
   * Stream limits: this playback's session id. The kit mints a random one per player when absent;
   * your backend puts it in the token's session claim (`psid` by default) when getToken() asks.
   */
  sessionId?: string;
  /** A key was refused for good (or stayed unavailable); the player has stopped loading. */
  onDenied?: (denial: KeyDenial) => void;
  /** Send cookies with cross-origin key requests (CORS with credentials; the origin must be allowed). */
  withCredentials?: boolean;
  /**
   * The origins (`https://video.example.com`) whose key requests carry credentials (the bearer token,
   * `withCredentials`). Default: the origin of the source the player loaded. A key URI on any other
   * origin goes through the player's own loader with no credentials, and onDenied is never called for it.
   */
  keyOrigins?: string[];
  /**
   * How far ahead the player may buffer, hence fetch keys: `auto` (default) caps the forward buffer at
   * the playlist's key window (segment duration × rotation), a number of seconds caps it there, `off`
   * leaves the player's own buffering (keys may then be fetched minutes ahead, and a revoke waits for them).
   */
  keyWindowSeconds?: KeyWindowSetting;
  /** How often a 503 key is retried after its Retry-After delay before giving up (default 3). */
  maxUnavailableRetries?: number;
}

/** The options, checked once: JavaScript integrators get a clear error instead of a silent misbehaviour. */
export interface KitSettings {
  auth: 'cookie' | 'bearer';
  token: string | undefined;
  getToken: ((context: TokenContext) => Promise<string | void>) | undefined;
  sessionId: string;
  onDenied: (denial: KeyDenial) => void;
  withCredentials: boolean;
  maxUnavailableRetries: number;
  /** Normalised origins, or undefined for the source's origin. */
  keyOrigins: string[] | undefined;
  keyWindow: KeyWindowSetting;
}

export class KeygateKitOptionsError extends TypeError {
  constructor(option: string, expected: string) {
    super(`Keygate player kit: option "${option}" must be ${expected}`);
    this.name = 'KeygateKitOptionsError';
  }
}

const DEFAULT_UNAVAILABLE_RETRIES = 3;

/** 128 random bits, base64url: one per playback, unguessable, 22 characters. */
export function mintSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
const MAX_UNAVAILABLE_RETRIES = 10;
/** A key window longer than an hour is no bound at all: say `off` instead. */
const MAX_KEY_WINDOW_SECONDS = 3600;

function parseKeyWindow(value: unknown): KeyWindowSetting {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'off') return 'off';
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_KEY_WINDOW_SECONDS) return value;
  throw new KeygateKitOptionsError(
    'keyWindowSeconds',
    `"auto", "off" or a number of seconds above 0 and at most ${MAX_KEY_WINDOW_SECONDS}`,
  );
}

export function parseKitOptions(options: KeygateKitOptions): KitSettings {
  const { auth, token, getToken, onDenied, withCredentials, maxUnavailableRetries, sessionId, keyOrigins, keyWindowSeconds } =
    options ?? {};
  if (auth !== 'cookie' && auth !== 'bearer') throw new KeygateKitOptionsError('auth', '"cookie" or "bearer"');
  if (token !== undefined && (typeof token !== 'string' || token === '')) throw new KeygateKitOptionsError('token', 'a non-empty string');
  if (getToken !== undefined && typeof getToken !== 'function') throw new KeygateKitOptionsError('getToken', 'an async function');
  if (auth === 'bearer' && token === undefined && getToken === undefined)
    throw new KeygateKitOptionsError('token', 'given in bearer mode, or getToken() must be');
  if (onDenied !== undefined && typeof onDenied !== 'function') throw new KeygateKitOptionsError('onDenied', 'a function');
  if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)))
    throw new KeygateKitOptionsError('sessionId', '8–64 characters of A-Z a-z 0-9 _ -');
  const retries = maxUnavailableRetries ?? DEFAULT_UNAVAILABLE_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_UNAVAILABLE_RETRIES)
    throw new KeygateKitOptionsError('maxUnavailableRetries', `an integer from 0 to ${MAX_UNAVAILABLE_RETRIES}`);
  const origins = keyOrigins === undefined ? undefined : parseOriginList(keyOrigins);
  if (keyOrigins !== undefined && origins === undefined)
    throw new KeygateKitOptionsError('keyOrigins', 'a non-empty list of origins such as "https://video.example.com" (no path)');
  return {
    auth,
    token,
    getToken,
    sessionId: sessionId ?? mintSessionId(),
    onDenied: onDenied ?? (() => {}),
    withCredentials: withCredentials === true,
    maxUnavailableRetries: retries,
    keyOrigins: origins,
    keyWindow: parseKeyWindow(keyWindowSeconds),
  };
}
