import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { objectHeadersFile, objectPolicyOf, type StoredObjectHeaders } from '../media/origin-layout';
import { assertPublishable, liveStateKey, type LiveObject, type LiveOrigin } from './live-origin';

/** Writes through a temporary file and a rename: a reader (the dev server) never sees half an object. */
function writeAtomically(path: string, body: Uint8Array | string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, body, { mode, flag: 'wx' });
  renameSync(temporary, path);
}

/**
 * A local origin folder laid out as `keygate publish` reads it (videos/ and keys/), which `keygate dev`
 * serves as its two buckets. An object whose headers are not its kind's usual ones (a live playlist)
 * gets them in a hidden file beside it, written first, as S3 stores them with the object.
 */
export class FolderLiveOrigin implements LiveOrigin {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `folder ${dir}`;
  }

  async put(object: LiveObject): Promise<void> {
    assertPublishable(object.key);
    const path = join(this.dir, ...object.key.split('/'));
    // Only headers that differ from the kind's own (live playlists) need the file; S3 keeps them per object.
    const usual = objectPolicyOf(object.key);
    if (usual?.contentType !== object.contentType || usual?.cacheControl !== object.cacheControl) {
      const headers: StoredObjectHeaders = { 'content-type': object.contentType, 'cache-control': object.cacheControl };
      writeAtomically(objectHeadersFile(path), JSON.stringify(headers), 0o644);
    }
    writeAtomically(path, object.body, object.key.startsWith('keys/') ? 0o600 : 0o644);
  }

  async readState(channel: string): Promise<string | undefined> {
    try {
      return readFileSync(join(this.dir, liveStateKey(channel)), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async writeState(channel: string, text: string): Promise<void> {
    writeAtomically(join(this.dir, liveStateKey(channel)), text, 0o644);
  }
}
