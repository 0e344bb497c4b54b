import { execFile, spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createCloudFrontEmulator } from '../../../lib/dev/cloudfront-emulator';
import { publishedBuckets } from '../../../lib/dev/s3-bucket-model';
import { fixedChannelRegistry } from '../../../lib/live/channel-registry';
import { FolderLiveKeyStore } from '../../../lib/live/folder-live-key-store';
import { functionUrlKeyProvider } from '../../../lib/live/function-url-key-provider';
import { createKeyProvider } from '../../../lib/live/key-provider';
import { ROOT_RELATIVE_KEY_URIS } from '../../../lib/live/live-key-material';
import { regionOfFunctionUrl, sigv4RequestSigner, type SigningCredentials } from '../../../lib/live/sigv4-request-signer';
import { KeyProviderRefusedError } from '../../../lib/live/speke-client-errors';
import { SpekeKeySource, type SpekeHttpRequest } from '../../../lib/live/speke-key-source';
import { startFunctionUrl, type FunctionUrlServer } from '../../fixtures/function-url-server';
import { PROJECT_ROOT } from '../../fixtures/synth-keygate';

// The deployed key provider's front door, modelled: a function URL with AWS_IAM auth that recomputes
// each request's SigV4 signature with the SDK's own signer and refuses any mismatch before the function runs.
const ADMIN: SigningCredentials = { accessKeyId: 'AKIDKEYGATEADMIN', secretAccessKey: 'admin-secret-0123456789abcdefghijklmnop' };
const REGION = 'eu-west-1';
let origin: string;
let fn: FunctionUrlServer;

beforeAll(async () => {
  origin = mkdtempSync(join(tmpdir(), 'keygate-provider-sigv4-'));
  const provider = createKeyProvider(
    {
      store: new FolderLiveKeyStore(origin),
      channels: fixedChannelRegistry(['concert', 'news']),
      randomBytes: (n) => require('node:crypto').randomBytes(n),
      now: () => Date.now(),
    },
    { keyUriBase: ROOT_RELATIVE_KEY_URIS },
  );
  fn = await startFunctionUrl(
    functionUrlKeyProvider(provider, () => {}),
    { callers: [ADMIN], region: REGION, service: 'lambda' },
  );
});

afterAll(async () => {
  await fn?.close();
  rmSync(origin, { recursive: true, force: true });
});

const source = (signRequest?: (request: SpekeHttpRequest) => Promise<SpekeHttpRequest>) =>
  new SpekeKeySource({ endpoint: fn.url, signRequest, attempts: 1 });
const signedAs = (credentials: SigningCredentials, region = REGION) => sigv4RequestSigner({ credentials, region, service: 'lambda' });
const keyFile = (channel: string, period: number) => join(origin, 'keys', channel, `${period}.key`);

describe('SPEKE requests signed with SigV4, checked as a function URL with AWS_IAM auth checks them', () => {
  it('gets a key with the admin’s credentials: the signature recomputed by the SDK’s signer matches', async () => {
    const before = fn.invocations.length;
    const key = await source(signedAs(ADMIN)).keyFor('concert', 1);
    expect(readFileSync(keyFile('concert', 1))).toEqual(Buffer.from(key.key));
    expect(fn.invocations.length).toBe(before + 1);
    expect(fn.invocations.at(-1)?.headers?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDKEYGATEADMIN\/\d{8}\/eu-west-1\/lambda\//,
    );
  });

  it.each([
    ['a wrong secret key', signedAs({ ...ADMIN, secretAccessKey: 'not-the-admin-secret' })],
    ['an unknown access key', signedAs({ accessKeyId: 'AKIDSTRANGER', secretAccessKey: ADMIN.secretAccessKey })],
    ['a signature scoped to another region', signedAs(ADMIN, 'us-east-1')],
    ['no signature', undefined],
    [
      'a body changed after signing',
      async (request: SpekeHttpRequest) => ({ ...(await signedAs(ADMIN)(request)), body: request.body.replace('news', 'news ') }),
    ],
  ])('refuses %s with 403 before the function runs, and stores nothing', async (_name, signRequest) => {
    const before = fn.invocations.length;
    const refused = await source(signRequest)
      .keyFor('news', 2)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KeyProviderRefusedError);
    expect((refused as KeyProviderRefusedError).status).toBe(403);
    expect(fn.invocations.length).toBe(before);
    expect(existsSync(keyFile('news', 2))).toBe(false);
  });

  it('signs for the region a function URL names', () => {
    expect(regionOfFunctionUrl('https://abcdefghij0123456789.lambda-url.ap-southeast-2.on.aws/')).toBe('ap-southeast-2');
    expect(regionOfFunctionUrl('https://keys.example.com/speke')).toBeUndefined();
  });
});

describe('keygate live --key-provider <url>', () => {
  it('packages a channel whose keys come from the signed provider, named by the playlists, decrypting its segments, playing in keygate dev', async () => {
    // One folder for the provider's keys and the packager's media: the key and media buckets of `keygate dev`.
    const out = origin;
    const args = ['--test-size', '320x180', '--ladder', '180p', '--rotate-every', '1', '--window', '4', '--out', out];
    const live = spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'keygate.js'), 'live', 'news', '--input', 'test', '--key-provider', fn.url, '--region', REGION, ...args],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
          AWS_PROFILE: '',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    let stderr = '';
    live.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => live.once('exit', (code) => resolve(code)));
    const playlistPath = join(out, 'videos', 'news', '180p', 'index.m3u8');
    const segmentsListed = () => (existsSync(playlistPath) ? (readFileSync(playlistPath, 'utf8').match(/\.ts\n/g) ?? []).length : 0);
    try {
      while (segmentsListed() < 2 && live.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 250));
      expect(stderr).not.toMatch(/refused|403/);
      const playlist = readFileSync(playlistPath, 'utf8');
      const [, uri, iv] =
        /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)",IV=0x([0-9a-fA-F]{32})[^\n]*\n(?:#[^\n]*\n)*?#EXTINF/.exec(playlist) ?? [];
      const keyPath = join(out, 'videos', 'news', '180p', uri);
      expect(keyPath).toMatch(new RegExp(`^${origin}/keys/news/\\d+\\.key$`));
      const segment = /\n(\d+\.ts)\n/.exec(playlist)?.[1] as string;
      const key = readFileSync(keyPath);
      const decipher = createDecipheriv('aes-128-cbc', key, Buffer.from(iv, 'hex'));
      const clear = Buffer.concat([decipher.update(readFileSync(join(out, 'videos', 'news', '180p', segment))), decipher.final()]);
      expect([clear[0], clear[188]]).toEqual([0x47, 0x47]);
      // Every key the provider handed out came through a verified signature.
      expect(fn.invocations.filter((e) => /contentId="news"/.test(e.body ?? '')).length).toBeGreaterThan(0);

      // And a real HLS client (ffmpeg) plays it through keygate dev's CloudFront model, keys behavior included.
      const emulator = createCloudFrontEmulator({
        mediaBucket: publishedBuckets(out).media,
        keyBucket: publishedBuckets(out).keys,
        handler: async (event) => event.Records[0].cf.request,
        allowedOrigins: [],
      });
      await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', resolve));
      try {
        const master = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}/videos/news/master.m3u8`;
        const played = await new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile('ffmpeg', ['-v', 'error', '-i', master, '-t', '1', '-f', 'null', '-'], (error, _stdout, stderr) =>
            resolve({ code: error ? 1 : 0, stderr }),
          ),
        );
        expect(played).toEqual({ code: 0, stderr: '' });
        expect(emulator.stats().edgeInvocations).toBeGreaterThan(0);
      } finally {
        emulator.server.closeAllConnections();
        emulator.server.close();
      }
    } finally {
      live.kill('SIGINT');
      await exited;
    }
  });
});
