import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderLiveKeyStore } from '../../../lib/live/folder-live-key-store';
import { startLocalKeyProvider, type LocalKeyProvider } from '../../../lib/live/local-key-provider';
import { ivForKey } from '../../../lib/live/live-key-material';
import { KeyProviderRefusedError } from '../../../lib/live/speke-client-errors';

// The key provider as `keygate live` and `keygate dev --live` run it: SPEKE v2.0 over real HTTP on
// loopback, the packager's SPEKE client asking it, and keys in an origin folder (the dev key bucket).
describe('the local key provider, asked over SPEKE on loopback', () => {
  let origin: string;
  let provider: LocalKeyProvider | undefined;
  beforeEach(() => (origin = mkdtempSync(join(tmpdir(), 'keygate-local-provider-'))));
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
    rmSync(origin, { recursive: true, force: true });
  });

  it('answers each period with a key it stored in the key bucket, named by path for the playlist', async () => {
    provider = await startLocalKeyProvider({ store: new FolderLiveKeyStore(origin), channels: ['concert'] });
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/speke\/v2\.0\/copyProtection$/);
    const key = await provider.keys.keyFor('concert', 3);
    expect(readFileSync(join(origin, 'keys', 'concert', '3.key'))).toEqual(Buffer.from(key.key));
    expect(key).toMatchObject({ period: 3, name: '3', uri: '/keys/concert/3.key' });
    expect(key.iv).toEqual(ivForKey(key.key));
    expect(provider.counts()).toEqual({ requests: 1, keysCreated: 1 });
  });

  it('names keys on the distribution when given its address', async () => {
    provider = await startLocalKeyProvider({
      store: new FolderLiveKeyStore(origin),
      channels: ['concert'],
      keyUriBase: 'https://video.example.com',
    });
    expect((await provider.keys.keyFor('concert', 0)).uri).toBe('https://video.example.com/keys/concert/0.key');
  });

  it('gives a restarted packager (a new provider on the same key bucket) the same key for a period, without creating one', async () => {
    provider = await startLocalKeyProvider({ store: new FolderLiveKeyStore(origin), channels: ['concert'] });
    const first = await provider.keys.keyFor('concert', 5);
    await provider.close();
    provider = await startLocalKeyProvider({ store: new FolderLiveKeyStore(origin), channels: ['concert'] });
    const again = await provider.keys.keyFor('concert', 5);
    expect(Buffer.from(again.key)).toEqual(Buffer.from(first.key));
    expect(provider.counts()).toEqual({ requests: 1, keysCreated: 0 });
    const next = await provider.keys.keyFor('concert', 6);
    expect(Buffer.from(next.key)).not.toEqual(Buffer.from(first.key));
  });

  it('refuses a channel it was not started for with SPEKE 4xx, and stores nothing', async () => {
    provider = await startLocalKeyProvider({ store: new FolderLiveKeyStore(origin), channels: ['concert'] });
    const refused = await provider.keys.keyFor('other', 0).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KeyProviderRefusedError);
    expect((refused as KeyProviderRefusedError).status).toBeGreaterThanOrEqual(400);
    expect((refused as KeyProviderRefusedError).status).toBeLessThan(500);
    expect(() => readFileSync(join(origin, 'keys', 'other', '0.key'))).toThrow(/ENOENT/);
    expect(provider.counts()).toEqual({ requests: 1, keysCreated: 0 });
  });

  it('refuses an id that is not a channel id before it listens', async () => {
    await expect(startLocalKeyProvider({ store: new FolderLiveKeyStore(origin), channels: ['../keys'] })).rejects.toThrow(
      /not a channel id/,
    );
  });

  it('stops listening when closed', async () => {
    provider = await startLocalKeyProvider({ store: new FolderLiveKeyStore(origin), channels: ['concert'] });
    const { url } = provider;
    await provider.close();
    provider = undefined;
    await expect(fetch(url, { method: 'POST', body: '' })).rejects.toThrow();
  });
});
