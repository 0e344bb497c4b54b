import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptHls, PackagingError } from '../../../lib/media/encrypt-hls';
import { PlaylistError } from '../../../lib/media/hls-playlist';
import { decryptSegment, hasNoSyncPattern, isClearTransportStream } from '../../../lib/media/segment-crypto';
import { makeClearHls } from '../../fixtures/clear-hls';
import { runCli } from '../../fixtures/run-cli';

let root: string;
let clear: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'keygate-encrypt-'));
  clear = join(root, 'clear');
  makeClearHls(clear, 6);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const keyLines = (playlist: string) =>
  readFileSync(playlist, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('#EXT-X-KEY:'));
const segmentsOf = (playlist: string) =>
  readFileSync(playlist, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('.ts'));

describe('encryptHls on clear HLS made by ffmpeg', () => {
  let out: string;
  beforeAll(async () => {
    out = join(root, 'origin');
    await encryptHls({ inputDir: clear, videoId: 'demo', outDir: out, rotateEvery: 2 });
  });

  it('writes one 16-byte key per rotation window under keys/, never beside the segments', () => {
    expect(readdirSync(join(out, 'keys', 'demo')).sort()).toEqual(['0.key', '1.key', '2.key']);
    for (const f of readdirSync(join(out, 'keys', 'demo'))) expect(readFileSync(join(out, 'keys', 'demo', f))).toHaveLength(16);
    expect(JSON.stringify(readdirSync(join(out, 'videos', 'demo'), { recursive: true }))).not.toContain('.key');
  });

  it('gives every rendition the same key URI per window, so a player makes one request per window', () => {
    const uris = (r: string) => keyLines(join(out, 'videos', 'demo', r, 'index.m3u8')).map((l) => /URI="([^"]+)"/.exec(l)?.[1]);
    expect(uris('180p')).toEqual(['../../../keys/demo/0.key', '../../../keys/demo/1.key', '../../../keys/demo/2.key']);
    expect(uris('90p')).toEqual(uris('180p'));
  });

  it('writes key URIs relative to each playlist, so they keep whatever prefix the playlist came under', () => {
    const uri = /URI="([^"]+)"/.exec(keyLines(join(out, 'videos', 'demo', '180p', 'index.m3u8'))[0])?.[1] as string;
    expect(new URL(uri, 'https://cdn.example.com/videos/demo/180p/index.m3u8').pathname).toBe('/keys/demo/0.key');
    expect(new URL(uri, 'https://cdn.example.com/t/TOKEN/videos/demo/180p/index.m3u8').pathname).toBe('/t/TOKEN/keys/demo/0.key');
  });

  it('writes absolute key URIs under --key-base-url when one is given', async () => {
    const absolute = join(root, 'absolute');
    await encryptHls({ inputDir: clear, videoId: 'demo', outDir: absolute, rotateEvery: 2, keyBaseUrl: 'https://keys.example.com/keys/' });
    expect(keyLines(join(absolute, 'videos', 'demo', '180p', 'index.m3u8'))[0]).toContain('URI="https://keys.example.com/keys/demo/0.key"');
  });

  it('writes a random, non-zero IV per window', () => {
    const ivs = keyLines(join(out, 'videos', 'demo', '180p', 'index.m3u8')).map((l) => /IV=0x([0-9a-f]{32})$/.exec(l)?.[1]);
    expect(ivs.every((iv) => iv !== undefined && !/^0+$/.test(iv))).toBe(true);
    expect(new Set(ivs).size).toBe(ivs.length);
  });

  it('encrypts every segment, and each decrypts with its window key back to valid MPEG-TS', () => {
    for (const rendition of ['180p', '90p']) {
      const playlist = join(out, 'videos', 'demo', rendition, 'index.m3u8');
      const ivs = keyLines(playlist).map((l) => Buffer.from(/IV=0x([0-9a-f]{32})$/.exec(l)?.[1] as string, 'hex'));
      segmentsOf(playlist).forEach((segment, index) => {
        const window = Math.floor(index / 2);
        const data = readFileSync(join(out, 'videos', 'demo', rendition, segment));
        expect(hasNoSyncPattern(data)).toBe(true);
        const key = readFileSync(join(out, 'keys', 'demo', `${window}.key`));
        expect(isClearTransportStream(decryptSegment(data, key, ivs[window]))).toBe(true);
        expect(decryptSegment(data, key, ivs[window]).equals(readFileSync(join(clear, rendition, segment)))).toBe(true);
      });
    }
  });

  it('keeps the master playlist and its attributes', () => {
    expect(readFileSync(join(out, 'videos', 'demo', 'master.m3u8'), 'utf8')).toBe(readFileSync(join(clear, 'master.m3u8'), 'utf8'));
  });

  it('refuses to overwrite an existing video without --force', async () => {
    // The library names the input that fixes it (force); the CLI turns that into "pass --force".
    await expect(encryptHls({ inputDir: clear, videoId: 'demo', outDir: out, rotateEvery: 2 })).rejects.toMatchObject({
      message: expect.stringMatching(/already exists/),
      input: 'force',
    });
    const cli = await runCli(['encrypt', clear, '--video', 'demo', '--out', out]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^keygate: demo already exists in .*; pass --force to replace it\n$/);
  });
});

describe('a failed run leaves nothing behind', () => {
  it('removes everything when a segment is missing', async () => {
    const broken = join(root, 'broken');
    cpSync(clear, broken, { recursive: true });
    unlinkSync(join(broken, '90p', 'seg004.ts'));
    const out = join(root, 'origin-broken');
    await expect(encryptHls({ inputDir: broken, videoId: 'demo', outDir: out, rotateEvery: 2 })).rejects.toThrow();
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses an already encrypted playlist with a clear error', async () => {
    const twice = join(root, 'origin-twice');
    await encryptHls({ inputDir: clear, videoId: 'once', outDir: twice, rotateEvery: 3 });
    const out = join(root, 'origin-again');
    await expect(encryptHls({ inputDir: join(twice, 'videos', 'once'), videoId: 'again', outDir: out, rotateEvery: 3 })).rejects.toThrow(
      PlaylistError,
    );
    expect(existsSync(join(out, 'videos', 'again'))).toBe(false);
  });

  it('refuses a video id that is not URL-safe', async () => {
    await expect(encryptHls({ inputDir: clear, videoId: '../x', outDir: join(root, 'o'), rotateEvery: 2 })).rejects.toThrow(PackagingError);
  });

  it('refuses the video id "keys", whose path-token URLs the keys behavior would take', async () => {
    await expect(encryptHls({ inputDir: clear, videoId: 'keys', outDir: join(root, 'o'), rotateEvery: 2 })).rejects.toThrow(
      /"keys" is reserved/,
    );
  });

  it('refuses a playlist whose segment URI leaves its folder', async () => {
    const escaping = join(root, 'escaping');
    cpSync(join(clear, '180p'), escaping, { recursive: true });
    const playlist = join(escaping, 'index.m3u8');
    writeFileSync(playlist, readFileSync(playlist, 'utf8').replace('seg000.ts', '../../etc/passwd'));
    const out = join(root, 'origin-escaping');
    await expect(encryptHls({ inputDir: escaping, videoId: 'esc', outDir: out, rotateEvery: 2 })).rejects.toThrow(/leaves the folder/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('keygate encrypt (the real CLI)', () => {
  it('encrypts and reports what it did', async () => {
    const result = await runCli(['encrypt', clear, '--video', 'cli', '--out', join(root, 'origin-cli'), '--rotate-every', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('encrypted 12 segments of 2 rendition(s) with 2 key(s)');
  });

  it('ends with one actionable line on bad input', async () => {
    const result = await runCli(['encrypt', join(root, 'nowhere'), '--video', 'x', '--out', join(root, 'o2')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^keygate: no folder at .*nowhere\n$/);
  });
});
