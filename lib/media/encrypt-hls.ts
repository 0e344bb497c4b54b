import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, posix, relative, sep } from 'node:path';
import { VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import {
  isMasterPlaylist,
  parseMasterPlaylist,
  parseMediaPlaylist,
  PlaylistError,
  keyTag,
  withKeyTags,
  type MediaPlaylist,
} from './hls-playlist';
import { decryptSegment, encryptSegmentFile, hasNoSyncPattern, isClearTransportStream } from './segment-crypto';
import { KeygateError } from '../keygate-error';
import { KEYS_PREFIX, VIDEOS_PREFIX } from './origin-layout';

/** A packaging or encryption run that cannot go on. */
export class PackagingError extends KeygateError {}

export interface EncryptOptions {
  /** A folder of clear HLS: a master playlist (master.m3u8 or any with #EXT-X-STREAM-INF) or one media playlist. */
  inputDir: string;
  videoId: string;
  /** Receives videos/<videoId>/… and keys/<videoId>/<n>.key; may already hold other videos. */
  outDir: string;
  /** Segments per key: one key request per window, whatever the rendition. */
  rotateEvery: number;
  /** Absolute base of key URIs (e.g. `https://keys.example.com/keys`); by default they are relative to each playlist. */
  keyBaseUrl?: string;
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface EncryptResult {
  videoId: string;
  masterPlaylist: string;
  renditions: string[];
  segmentCount: number;
  keyCount: number;
}

interface Rendition {
  playlistPath: string;
  playlist: MediaPlaylist;
}

function insideDir(root: string, uri: string): string {
  if (/^[a-z]+:/i.test(uri) || uri.startsWith('/')) throw new PlaylistError(`segment and playlist URIs must be relative: ${uri}`);
  const path = normalize(join(root, uri));
  if (relative(root, path).startsWith('..') || relative(root, path).split(sep).includes('..'))
    throw new PlaylistError(`URI leaves the folder: ${uri}`);
  return path;
}

function findPlaylists(inputDir: string): { master?: string; media: string[] } {
  if (!existsSync(inputDir)) throw new PackagingError(`no folder at ${inputDir}`);
  const candidates = readdirSync(inputDir).filter((f) => f.endsWith('.m3u8'));
  const master = candidates.find((f) => isMasterPlaylist(readFileSync(join(inputDir, f), 'utf8')));
  if (master) {
    const variants = parseMasterPlaylist(readFileSync(join(inputDir, master), 'utf8'));
    return { master, media: variants.map((v) => relative(inputDir, insideDir(inputDir, v.uri))) };
  }
  if (candidates.length !== 1) throw new PackagingError(`expected one master or media playlist in ${inputDir}, found ${candidates.length}`);
  return { media: candidates };
}

/** Checks, before any work, that the video id is URL-safe and that its output does not exist yet (unless forced). */
export function assertCanWriteVideo(outDir: string, videoId: string, force: boolean): { finalVideos: string; finalKeys: string } {
  if (!VIDEO_ID_PATTERN.test(videoId)) throw new PackagingError(`video id ${JSON.stringify(videoId)} must be 1–128 of A-Z a-z 0-9 _ -`);
  // `/t/<token>/videos/keys/…` would match the path-token keys behavior (`/t/*/keys/*`) and be refused there.
  if (videoId === 'keys')
    throw new PackagingError('video id "keys" is reserved: path-token URLs would send its media to the key authorizer');
  const finalVideos = join(outDir, 'videos', videoId);
  const finalKeys = join(outDir, 'keys', videoId);
  if (!force && (existsSync(finalVideos) || existsSync(finalKeys))) {
    throw new PackagingError(`${videoId} already exists in ${outDir}`, 'force');
  }
  return { finalVideos, finalKeys };
}

/**
 * The keys folder of a video relative to one of its playlists (`../../../keys/<id>` from
 * `videos/<id>/<rendition>/index.m3u8`). Relative key URIs keep whatever prefix the playlist was
 * fetched under: a path token (`/t/<token>/videos/…`) reaches the keys too, and no host is baked in.
 */
function relativeKeysUrl(videoId: string, playlistPath: string): string {
  const playlistDir = posix.dirname(posix.join(VIDEOS_PREFIX, videoId, playlistPath.split(sep).join('/')));
  return posix.relative(playlistDir, posix.join(KEYS_PREFIX, videoId));
}

/**
 * Encrypts clear HLS for Keygate: a random key and IV per rotation window, shared by every
 * rendition (one key URI per window), segments encrypted by streaming AES-128-CBC, playlists
 * rewritten with #EXT-X-KEY. Works in a temporary folder inside outDir, verifies the result, and
 * moves it into place only on success: a failure leaves nothing behind.
 */
export async function encryptHls(options: EncryptOptions): Promise<EncryptResult> {
  const { inputDir, videoId, outDir, rotateEvery } = options;
  if (!Number.isInteger(rotateEvery) || rotateEvery < 1) throw new PackagingError('must be a whole number of segments ≥ 1', 'rotateEvery');
  const keyBaseUrl = options.keyBaseUrl?.replace(/\/$/, '');
  const { finalVideos, finalKeys } = assertCanWriteVideo(outDir, videoId, options.force === true);

  const { master, media } = findPlaylists(inputDir);
  const reserved = media.find((path) => path.split(sep).includes('keys'));
  if (reserved)
    throw new PackagingError(`${reserved}: a folder named "keys" is reserved (path-token URLs would send it to the key authorizer)`);
  const renditions: Rendition[] = media.map((playlistPath) => ({
    playlistPath,
    playlist: parseMediaPlaylist(readFileSync(join(inputDir, playlistPath), 'utf8')),
  }));
  const windows = Math.ceil(Math.max(...renditions.map((r) => r.playlist.segmentLines.length)) / rotateEvery);
  const keys = Array.from({ length: windows }, () => ({ key: randomBytes(16), iv: randomBytes(16) }));
  const total = renditions.reduce((n, r) => n + r.playlist.segmentLines.length, 0);

  mkdirSync(outDir, { recursive: true });
  const work = join(outDir, `.keygate-tmp-${videoId}-${randomBytes(4).toString('hex')}`);
  const workVideos = join(work, 'videos', videoId);
  const workKeys = join(work, 'keys', videoId);
  try {
    mkdirSync(workKeys, { recursive: true, mode: 0o700 });
    keys.forEach(({ key }, n) => writeFileSync(join(workKeys, `${n}.key`), key, { mode: 0o600 }));
    let done = 0;
    for (const { playlistPath, playlist } of renditions) {
      const playlistDir = dirname(join(inputDir, playlistPath));
      for (const [index, lineIndex] of playlist.segmentLines.entries()) {
        const source = insideDir(playlistDir, playlist.lines[lineIndex].trim());
        const target = join(workVideos, relative(inputDir, source));
        mkdirSync(dirname(target), { recursive: true });
        const { key, iv } = keys[Math.floor(index / rotateEvery)];
        await encryptSegmentFile(source, target, key, iv);
        options.onProgress?.(++done, total);
      }
      const keysUrl = keyBaseUrl === undefined ? relativeKeysUrl(videoId, playlistPath) : `${keyBaseUrl}/${videoId}`;
      const rewritten = withKeyTags(playlist, rotateEvery, (n) => keyTag(`${keysUrl}/${n}.key`, keys[n].iv));
      mkdirSync(dirname(join(workVideos, playlistPath)), { recursive: true });
      writeFileSync(join(workVideos, playlistPath), rewritten);
    }
    // A master playlist carries no keys and is copied as is; a lone media playlist is its own entry point.
    const entry = master ?? media[0];
    if (master) writeFileSync(join(workVideos, master), readFileSync(join(inputDir, master)));
    verifyEncryptedHls(workVideos, renditions, keys, rotateEvery);

    if (options.force) {
      rmSync(finalVideos, { recursive: true, force: true });
      rmSync(finalKeys, { recursive: true, force: true });
    }
    mkdirSync(dirname(finalVideos), { recursive: true });
    mkdirSync(dirname(finalKeys), { recursive: true });
    renameSync(workVideos, finalVideos);
    renameSync(workKeys, finalKeys);
    return { videoId, masterPlaylist: join(finalVideos, entry), renditions: media, segmentCount: total, keyCount: windows };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Refuses to publish output that is not what it claims: every segment encrypted, first segments decrypt to TS, playlists parse. */
function verifyEncryptedHls(videosDir: string, renditions: Rendition[], keys: { key: Buffer; iv: Buffer }[], rotateEvery: number): void {
  for (const { playlistPath } of renditions) {
    const text = readFileSync(join(videosDir, playlistPath), 'utf8');
    const keyLines = text.split('\n').filter((l) => l.startsWith('#EXT-X-KEY:'));
    const segments = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    if (keyLines.length !== Math.ceil(segments.length / rotateEvery))
      throw new PackagingError(`${playlistPath}: wrong number of keys after rewriting`);
    segments.forEach((uri, index) => {
      const data = readFileSync(insideDir(dirname(join(videosDir, playlistPath)), uri));
      if (!hasNoSyncPattern(data)) throw new PackagingError(`${uri} still looks like clear MPEG-TS after encryption`);
      if (index === 0) {
        const { key, iv } = keys[0];
        if (!isClearTransportStream(decryptSegment(data, key, iv))) throw new PackagingError(`${uri} does not decrypt back to MPEG-TS`);
      }
    });
  }
}
