import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVideo } from '../../../lib/media/package-video';
import { decryptSegment, hasNoSyncPattern, isClearTransportStream } from '../../../lib/media/segment-crypto';
import { generateTestClip } from '../../../lib/media/test-clip';
import { runCli } from '../../fixtures/run-cli';

let root: string;
let clip: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keygate-package-'));
  clip = join(root, 'clip.mp4');
  await generateTestClip(clip, { seconds: 8, width: 320, height: 180 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const playlistLines = (path: string) => readFileSync(path, 'utf8').split('\n');

describe('packageVideo on a generated clip', () => {
  let out: string;
  beforeAll(async () => {
    out = join(root, 'origin');
    await packageVideo({ input: clip, videoId: 'clip', outDir: out, ladder: ['360p', '180p', '144p'], segmentSeconds: 1, rotateEvery: 2 });
  });

  it('never upscales: a 180p source gets no 360p rendition', () => {
    expect(readdirSync(join(out, 'videos', 'clip')).sort()).toEqual(['144p', '180p', 'master.m3u8']);
  });

  it('writes a master playlist with BANDWIDTH, RESOLUTION and CODECS for each rendition', () => {
    const master = readFileSync(join(out, 'videos', 'clip', 'master.m3u8'), 'utf8');
    const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    expect(variants).toHaveLength(2);
    expect(variants[0]).toMatch(/BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=320x180,CODECS="avc1\.640028,mp4a\.40\.2"/);
    expect(variants[1]).toMatch(/RESOLUTION=256x144/);
  });

  it('aligns segments across renditions, so a rotation window spans the same time in each', () => {
    const durations = (r: string) => playlistLines(join(out, 'videos', 'clip', r, 'index.m3u8')).filter((l) => l.startsWith('#EXTINF:'));
    expect(durations('180p')).toHaveLength(8);
    expect(durations('144p')).toEqual(durations('180p'));
  });

  it('shares one key URI per window across renditions, with a key file per window', () => {
    const uris = (r: string) =>
      playlistLines(join(out, 'videos', 'clip', r, 'index.m3u8'))
        .filter((l) => l.startsWith('#EXT-X-KEY:'))
        .map((l) => /URI="([^"]+)"/.exec(l)?.[1]);
    expect(uris('180p')).toEqual([0, 1, 2, 3].map((n) => `../../../keys/clip/${n}.key`));
    expect(uris('144p')).toEqual(uris('180p'));
    expect(readdirSync(join(out, 'keys', 'clip')).sort()).toEqual(['0.key', '1.key', '2.key', '3.key']);
  });

  it('encrypts every segment, and each decrypts back to valid MPEG-TS', () => {
    for (const r of ['180p', '144p']) {
      const lines = playlistLines(join(out, 'videos', 'clip', r, 'index.m3u8'));
      let key = Buffer.alloc(0);
      let iv = Buffer.alloc(0);
      for (const line of lines) {
        const tag = /^#EXT-X-KEY:METHOD=AES-128,URI="\.\.\/\.\.\/\.\.\/keys\/clip\/(\d+)\.key",IV=0x([0-9a-f]{32})$/.exec(line);
        if (tag) {
          key = readFileSync(join(out, 'keys', 'clip', `${tag[1]}.key`));
          iv = Buffer.from(tag[2], 'hex');
        } else if (line.endsWith('.ts')) {
          const data = readFileSync(join(out, 'videos', 'clip', r, line));
          expect(hasNoSyncPattern(data)).toBe(true);
          expect(isClearTransportStream(decryptSegment(data, key, iv))).toBe(true);
        }
      }
    }
  });
});

describe('a failed packaging leaves nothing behind', () => {
  it('when ffmpeg is killed mid-run', async () => {
    const out = join(root, 'origin-killed');
    const controller = new AbortController();
    await expect(
      packageVideo({
        input: clip,
        videoId: 'killed',
        outDir: out,
        ladder: ['180p', '144p'],
        segmentSeconds: 1,
        rotateEvery: 2,
        signal: controller.signal,
        onProgress: (_done, _total, label) => label === 'transcoding' && controller.abort(),
      }),
    ).rejects.toThrow(/interrupted|ffmpeg failed/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('when the input is corrupt', async () => {
    const corrupt = join(root, 'corrupt.mp4');
    writeFileSync(corrupt, readFileSync(clip).subarray(0, 2000));
    const out = join(root, 'origin-corrupt');
    await expect(packageVideo({ input: corrupt, videoId: 'corrupt', outDir: out, ladder: ['144p'], segmentSeconds: 1 })).rejects.toThrow();
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

describe('keygate package (the real CLI)', () => {
  it('packages and reports the ladder it made', async () => {
    const result = await runCli([
      'package',
      clip,
      '--video',
      'cli',
      '--out',
      join(root, 'origin-cli'),
      '--ladder',
      '144p',
      '--segment-seconds',
      '2',
      '--rotate-every',
      '2',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('packaged cli: 144p 256x144; 4 segments, 2 key(s)');
  });

  it('says how to install ffmpeg when it is missing', async () => {
    const emptyPath = mkdtempSync(join(root, 'empty-path-'));
    const result = await runCli(['package', clip, '--video', 'x', '--out', join(root, 'origin-noffmpeg')], { PATH: emptyPath });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'keygate: ffprobe was not found on PATH: install it with "apt-get install ffmpeg" (Debian/Ubuntu) or "brew install ffmpeg" (macOS)\n',
    );
  });

  it('refuses an unknown ladder rung', async () => {
    const result = await runCli(['package', clip, '--video', 'x', '--out', join(root, 'o3'), '--ladder', '4k']);
    expect(result.stderr).toMatch(/^keygate: unknown ladder rung 4k: choose from 1080p, 720p/);
  });
});
