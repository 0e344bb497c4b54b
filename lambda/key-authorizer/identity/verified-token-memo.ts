import { createHash } from 'node:crypto';

/**
 * How long a token, once verified, is trusted without checking its signature again: short, so that
 * a change this container cannot see (a key withdrawn at the issuer) takes effect within a minute.
 */
export const VERIFIED_TOKEN_MEMO_SECONDS = 60;

interface MemoEntry<T> {
  value: T;
  /** Epoch seconds: the entry serves from verification until just before `validUntil`. */
  verifiedAt: number;
  validUntil: number;
}

/**
 * What verifying a token concluded, by a SHA-256 of the exact token string, for a viewer's next key
 * requests: a signature check is most of the cost of a cached decision, and a player asks for many
 * keys with one token. Only the verification is remembered; revocation, `vids`, path-token rules and
 * entitlements are judged on every request. An entry serves until the token's `exp` and never
 * longer than `maxAgeSeconds`; at most `maxEntries` are held, the oldest going first. Keyed by a
 * hash so an entry's size does not grow with the token's.
 */
export class VerifiedTokenMemo<T> {
  private readonly entries = new Map<string, MemoEntry<T>>();

  constructor(
    readonly maxEntries: number,
    readonly maxAgeSeconds = VERIFIED_TOKEN_MEMO_SECONDS,
  ) {}

  /** The memo's key for a token: any other token string, even one byte apart, has another. */
  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value remembered under `key`, if it was verified at or before `nowSeconds` and is still valid then. */
  get(key: string, nowSeconds: number): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // A clock seen going backwards could reach a time before the verification (before nbf): forget it.
    if (nowSeconds >= entry.validUntil || nowSeconds < entry.verifiedAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers a token verified at `nowSeconds` that expires at `expiresAt` (epoch seconds). */
  remember(key: string, value: T, nowSeconds: number, expiresAt: number): void {
    if (this.maxEntries <= 0) return;
    if (!this.entries.delete(key) && this.entries.size >= this.maxEntries) {
      // A Map iterates in insertion order: its first key is the entry remembered longest ago.
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, verifiedAt: nowSeconds, validUntil: Math.min(expiresAt, nowSeconds + this.maxAgeSeconds) });
  }
}
