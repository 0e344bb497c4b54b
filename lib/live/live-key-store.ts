import { KEY_BYTES } from './live-key-material';

/** What the key bucket holds under a live key's name after a write: the first key ever stored there. */
export interface StoredKey {
  readonly key: Uint8Array;
  /** True when this call wrote it; false when an earlier request had (a retry, a heartbeat, a second packager). */
  readonly created: boolean;
}

/**
 * The key bucket, as the key provider uses it: `storeKeyOnce` writes the 16 bytes at
 * `keys/<channel>/<name>.key` unless that object exists (a conditional write: two concurrent
 * requests cannot both win), and resolves with what the bucket holds once it is there.
 */
export interface LiveKeyStore {
  storeKeyOnce(channel: string, name: string, key: Uint8Array): Promise<StoredKey>;
}

/** The key bucket holds something under a key's name that is not a 16-byte key. */
export class CorruptStoredKeyError extends Error {
  constructor(objectKey: string, size: number) {
    super(
      `the key bucket's ${objectKey} holds ${size} bytes, not a ${KEY_BYTES}-byte key: delete it, or stop the channel and start a new one`,
    );
    this.name = new.target.name;
  }
}

/** The bytes read back from a store, checked. */
export function storedKeyBytes(objectKey: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length !== KEY_BYTES) throw new CorruptStoredKeyError(objectKey, bytes.length);
  return bytes;
}
