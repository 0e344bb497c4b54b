import { randomBytes } from 'node:crypto';
import { KEY_CACHE_CONTROL } from '../media/origin-layout';
import type { LiveKey, LiveKeySource } from './live-key-source';
import type { LiveOrigin } from './live-origin';

/** The key path of a live channel's key: what the playlist names and what the authorizer serves. */
export const liveKeyPath = (channel: string, name: string) => `/keys/${channel}/${name}.key`;

/** Keys kept per channel for a packager's retries; older periods are never asked for again. */
const REMEMBERED_PERIODS = 4;

/**
 * A key source on the packager's own machine: a random key and IV per period, named by the period
 * index, stored in the key bucket before it is handed out. Asking for the same period again gives
 * the same key (a packager retrying after an upload error). The SPEKE client replaces it in
 * deployments; it answers through the same interface.
 */
export class LocalLiveKeySource implements LiveKeySource {
  private readonly keys = new Map<string, Promise<LiveKey>>();
  /** How many keys were created (each one a store write): the bench's "key-provider calls". */
  created = 0;

  constructor(private readonly origin: LiveOrigin) {}

  keyFor(channel: string, period: number): Promise<LiveKey> {
    const id = `${channel}/${period}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = this.create(channel, period);
      this.keys.set(id, key);
      // A failed store write is not a key: the next call tries again with a new one.
      key.catch(() => this.keys.delete(id));
    }
    return key;
  }

  private async create(channel: string, period: number): Promise<LiveKey> {
    const name = String(period);
    const key = { period, name, key: randomBytes(16), iv: randomBytes(16), uri: liveKeyPath(channel, name) };
    await this.origin.put({
      key: liveKeyPath(channel, name).slice(1),
      body: key.key,
      contentType: 'application/octet-stream',
      cacheControl: KEY_CACHE_CONTROL,
    });
    this.created++;
    // Periods only move forward: a channel that runs for days keeps only the last few keys in memory.
    this.keys.delete(`${channel}/${period - REMEMBERED_PERIODS}`);
    return key;
  }
}
