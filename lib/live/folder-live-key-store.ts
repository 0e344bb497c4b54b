import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { liveKeyObjectKey } from './live-key-material';
import { storedKeyBytes, type LiveKeyStore, type StoredKey } from './live-key-store';

/**
 * The key bucket of `keygate dev`: an origin folder, where `keys/<channel>/<name>.key` is the file of
 * that path (the dev CloudFront model serves it with publish's key Cache-Control). The key is written
 * to a temporary file and then hard-linked into place: `link` fails if the name exists, so the first
 * key wins as with S3's conditional write, and no reader ever sees a half-written key.
 */
export class FolderLiveKeyStore implements LiveKeyStore {
  constructor(private readonly originDir: string) {}

  async storeKeyOnce(channel: string, name: string, key: Uint8Array): Promise<StoredKey> {
    const objectKey = liveKeyObjectKey(channel, name);
    const path = join(this.originDir, ...objectKey.split('/'));
    await mkdir(dirname(path), { recursive: true });
    // A dot name is never a key name (the authorizer's key path has none), and publish ignores it.
    const temporary = join(dirname(path), `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(temporary, key, { mode: 0o600 });
    try {
      await link(temporary, path);
      return { key, created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return { key: storedKeyBytes(objectKey, new Uint8Array(await readFile(path))), created: false };
    } finally {
      await unlink(temporary);
    }
  }
}
