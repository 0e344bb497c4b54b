import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectFile, publishedBuckets } from '../../../lib/dev/s3-bucket-model';
import { FolderLiveKeyStore } from '../../../lib/live/folder-live-key-store';
import { CorruptStoredKeyError } from '../../../lib/live/live-key-store';

describe("FolderLiveKeyStore, keygate dev's key bucket", () => {
  let origin: string;
  beforeEach(() => (origin = mkdtempSync(join(tmpdir(), 'keygate-live-folder-'))));
  afterEach(() => rmSync(origin, { recursive: true, force: true }));

  it('writes the key where the dev key bucket serves it from, and nothing else', async () => {
    const key = new Uint8Array(16).fill(9);
    await expect(new FolderLiveKeyStore(origin).storeKeyOnce('concert', '5', key)).resolves.toEqual({ key, created: true });
    const file = objectFile(publishedBuckets(origin).keys, 'keys/concert/5.key');
    expect(file && readFileSync(file)).toEqual(Buffer.from(key));
    expect(readdirSync(join(origin, 'keys', 'concert'))).toEqual(['5.key']);
  });

  it('keeps the first key of a name and answers it to every later write', async () => {
    const store = new FolderLiveKeyStore(origin);
    await store.storeKeyOnce('concert', '5', new Uint8Array(16).fill(1));
    const again = await store.storeKeyOnce('concert', '5', new Uint8Array(16).fill(2));
    expect(again).toEqual({ key: new Uint8Array(16).fill(1), created: false });
  });

  it('lets exactly one of concurrent writers win', async () => {
    const store = new FolderLiveKeyStore(origin);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.storeKeyOnce('concert', '6', new Uint8Array(16).fill(i + 1))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const held = readFileSync(join(origin, 'keys', 'concert', '6.key'));
    for (const result of results) expect(Buffer.from(result.key)).toEqual(held);
  });

  it('refuses a file under the name that is not a 16-byte key', async () => {
    mkdirSync(join(origin, 'keys', 'concert'), { recursive: true });
    writeFileSync(join(origin, 'keys', 'concert', '7.key'), 'short');
    await expect(new FolderLiveKeyStore(origin).storeKeyOnce('concert', '7', new Uint8Array(16))).rejects.toThrow(CorruptStoredKeyError);
  });
});
