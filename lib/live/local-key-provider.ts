import { randomBytes } from 'node:crypto';
import { fixedChannelRegistry } from './channel-registry';
import { createKeyProvider, type KeyProviderLogEntry } from './key-provider';
import { startKeyProviderServer } from './key-provider-server';
import { ROOT_RELATIVE_KEY_URIS } from './live-key-material';
import type { LiveKeyStore } from './live-key-store';
import { SpekeKeySource } from './speke-key-source';

/** What the key provider did: `keygate dev`'s stack and the bench read it. */
export interface LocalKeyProviderCounts {
  /** SPEKE requests answered (any status). */
  readonly requests: number;
  /** Keys it created and stored (a retried or repeated period is not a new key). */
  readonly keysCreated: number;
}

export interface LocalKeyProvider {
  /** The SPEKE endpoint on loopback. */
  readonly url: string;
  /** The packager's SPEKE client of this provider. */
  readonly keys: SpekeKeySource;
  counts(): LocalKeyProviderCounts;
  close(): Promise<void>;
}

/**
 * The key provider as `keygate live` and `keygate dev --live` run it on the packager's machine: the
 * same provider the deployment runs, serving SPEKE v2.0 over HTTP on loopback, and a SPEKE client for
 * the packager. So the packager gets every key the way MediaPackage will: a CPIX request, answered
 * only after the key is in the key bucket. Playlists name keys by path (`/keys/<channel>/<n>.key`)
 * unless a `keyUriBase` (the distribution's address) is given.
 */
export async function startLocalKeyProvider(options: {
  store: LiveKeyStore;
  channels: readonly string[];
  keyUriBase?: string;
  log?: (entry: KeyProviderLogEntry) => void;
}): Promise<LocalKeyProvider> {
  let requests = 0;
  let keysCreated = 0;
  const store: LiveKeyStore = {
    storeKeyOnce: async (channel, name, key) => {
      const stored = await options.store.storeKeyOnce(channel, name, key);
      if (stored.created) keysCreated++;
      return stored;
    },
  };
  const provider = createKeyProvider(
    { store, channels: fixedChannelRegistry(options.channels), randomBytes, now: Date.now, log: options.log },
    { keyUriBase: options.keyUriBase ?? ROOT_RELATIVE_KEY_URIS },
  );
  const server = await startKeyProviderServer((request) => {
    requests++;
    return provider(request);
  });
  return {
    url: server.url,
    keys: new SpekeKeySource({ endpoint: server.url }),
    counts: () => ({ requests, keysCreated }),
    close: () => server.close(),
  };
}
