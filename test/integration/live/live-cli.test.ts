import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCloudFrontEmulator } from '../../../lib/dev/cloudfront-emulator';
import { publishedBuckets } from '../../../lib/dev/s3-bucket-model';
import { runCli } from '../../fixtures/run-cli';
import { PROJECT_ROOT } from '../../fixtures/synth-keygate';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'keygate-live-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Nothing was written: the folder does not exist, or is empty. */
const untouched = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

describe('keygate live: bad input is one line, and nothing is published', () => {
  it.each([
    [['news', '--input', 'test'], /give either --out <origin folder> or --bucket/],
    [['news', '--input', '/no/such/file.mp4', '--out', 'OUT'], /^keygate: --input: no file at \/no\/such\/file.mp4/],
    [['news', '--input', 'test', '--out', 'OUT', '--rotate-every', '0'], /--rotate-every must be a whole number ≥ 1/],
    [['news', '--input', 'test', '--out', 'OUT', '--window', '2'], /--window must be a whole number ≥ 3/],
    [['bad/id', '--input', 'test', '--out', 'OUT'], /<channel>: channel id "bad\/id" must be a video id/],
    [['news', '--input', 'test', '--bucket', 'media'], /--bucket needs --key-bucket/],
    [['news', '--input', 'test', '--out', 'OUT', '--key-provider', 'keys'], /--key-provider must be a URL/],
    [['news', '--input', 'test', '--out', 'OUT', '--key-provider', 'http://keys.example.com/'], /--key-provider must use https/],
  ])('refuses %j with one line', async (args, message) => {
    const out = join(root, `bad-${Math.random().toString(36).slice(2)}`);
    const result = await runCli(['live', ...args.map((a) => (a === 'OUT' ? out : a))]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(untouched(out)).toBe(true);
  });

  it('refuses an unreachable stream with ffprobe’s reason and publishes nothing', async () => {
    // A port that answers and then closes: a source that is not there.
    const closed: Server = createServer((_req, res) => res.destroy());
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const out = join(root, 'unreachable');
    try {
      const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/feed.ts`;
      const result = await runCli(['live', 'news', '--input', url, '--out', out]);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^keygate: --input: cannot read http:\/\/127.0.0.1:\d+\/feed.ts/);
      expect(untouched(out)).toBe(true);
    } finally {
      closed.closeAllConnections();
      closed.close();
    }
  });
});

describe('keygate live --input test --out <folder>', () => {
  it('publishes a live channel the dev CloudFront model serves with live TTLs, and ends it with EXT-X-ENDLIST on Ctrl-C', async () => {
    const out = join(root, 'origin');
    const args = ['--test-size', '320x180', '--ladder', '180p,144p', '--rotate-every', '2', '--window', '4', '--out', out];
    const live = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'keygate.js'), 'live', 'news', '--input', 'test', ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    live.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => live.once('exit', (code) => resolve(code)));
    const playlistPath = join(out, 'videos', 'news', '180p', 'index.m3u8');
    const keyCount = () =>
      existsSync(join(out, 'keys', 'news')) ? readdirSync(join(out, 'keys', 'news')).filter((f) => f.endsWith('.key')).length : 0;
    while (keyCount() < 2) await new Promise((resolve) => setTimeout(resolve, 250));

    // What keygate dev would serve from this folder: short-lived playlists, immutable segments, hidden files never.
    const emulator = createCloudFrontEmulator({
      mediaBucket: publishedBuckets(out).media,
      keyBucket: publishedBuckets(out).keys,
      handler: async () => ({ status: '403', headers: {} }),
      allowedOrigins: [],
    });
    await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
    try {
      const playlist = await fetch(`${base}/videos/news/180p/index.m3u8`);
      expect(playlist.headers.get('cache-control')).toBe('public, max-age=1');
      const firstSegment = /\n(\d+\.ts)\n/.exec(await playlist.text())?.[1];
      const segment = await fetch(`${base}/videos/news/180p/${firstSegment}`);
      expect(segment.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await fetch(`${base}/videos/news/180p/.index.m3u8.headers.json`)).status).toBe(403);
      expect((await fetch(`${base}/live-state/news.json`)).status).toBe(403);
    } finally {
      emulator.server.closeAllConnections();
      emulator.server.close();
    }

    live.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/ended news: \d+ segments/);
    expect(readFileSync(playlistPath, 'utf8')).toMatch(/#EXT-X-ENDLIST\n$/);
  });
});
