import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishedBuckets, serveS3Object } from '../../../lib/dev/s3-bucket-model';

// A live packager replaces each playlist (write, then rename) every segment, in the dev server's own
// process. The bucket model must answer one version whole: a length taken from one version and bytes
// from the next left the player's connection waiting for bytes that never came (seen under load as
// key requests queued for 20 s behind those connections).
describe('the S3 bucket model, while an object is replaced', () => {
  let origin: string;
  let server: Server;
  let url: string;
  const playlist = () => join(origin, 'videos', 'live', '180p', 'index.m3u8');
  const replace = (text: string) => {
    writeFileSync(`${playlist()}.tmp`, text);
    renameSync(`${playlist()}.tmp`, playlist());
  };
  const LONG = `#EXTM3U\n${'#EXTINF:2.0,\nseg.ts\n'.repeat(50)}`;
  const SHORT = '#EXTM3U\n#EXT-X-ENDLIST\n';

  beforeAll(async () => {
    origin = mkdtempSync(join(tmpdir(), 'keygate-s3-replaced-'));
    mkdirSync(join(origin, 'videos', 'live', '180p'), { recursive: true });
    const { media } = publishedBuckets(origin);
    server = createServer((req, res) => {
      serveS3Object(media, req.url ?? '/', req.method ?? 'GET', res);
      // The packager's next write lands in the same tick, before any read the model put off.
      replace(SHORT);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/videos/live/180p/index.m3u8`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    rmSync(origin, { recursive: true, force: true });
  });

  it('answers the version it found, with its own length, never a length of one and the bytes of another', async () => {
    for (let i = 0; i < 5; i++) {
      replace(LONG);
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(body));
      expect(body).toBe(LONG);
    }
  });
});
