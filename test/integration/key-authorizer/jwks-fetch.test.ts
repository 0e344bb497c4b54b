import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsJwksFetcher, JwksFetchError } from '../../../lambda/key-authorizer/identity/jwks-fetch';

/** The fetcher the edge uses, against a loopback https server that answers per path. */
const MAX_BYTES = 2048;
let server: Server;
let base: string;
let ca: string;
const dir = mkdtempSync(join(tmpdir(), 'keygate-jwks-tls-'));

const routes: Record<string, (res: import('node:http').ServerResponse) => void> = {
  '/jwks': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}'),
  '/big': (res) => res.writeHead(200).end(JSON.stringify({ keys: [], pad: 'x'.repeat(MAX_BYTES) })),
  // No content-length: the cap must hold while streaming, not only on the header.
  '/big-chunked': (res) => {
    res.writeHead(200);
    for (let i = 0; i < 8; i += 1) res.write('x'.repeat(MAX_BYTES / 2));
    res.end();
  },
  '/missing': (res) => res.writeHead(404).end('{}'),
  '/redirect': (res) => res.writeHead(302, { location: '/jwks' }).end(),
  '/html': (res) => res.writeHead(200).end('<html>'),
  '/stall': () => undefined,
};

beforeAll(async () => {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(cert, 'utf8');
  server = createServer({ key: readFileSync(key), cert: ca }, (req, res) => (routes[req.url ?? ''] ?? routes['/missing'])(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const fetcher = (overrides = {}) => httpsJwksFetcher({ timeoutMs: 300, maxBytes: MAX_BYTES, localCa: ca, ...overrides });

describe('httpsJwksFetcher', () => {
  it('returns the parsed JWKS from an https URL whose certificate it trusts', async () => {
    await expect(fetcher()(`${base}/jwks`)).resolves.toEqual({ keys: [] });
  });

  it.each([
    ['an http URL, without connecting', () => 'http://127.0.0.1:1/jwks', /not https/],
    ['a body over the cap', () => `${base}/big`, /larger than the cap/],
    ['a streamed body over the cap', () => `${base}/big-chunked`, /larger than the cap/],
    ['a status other than 200', () => `${base}/missing`, /answered 404/],
    ['a redirect (it could lead anywhere)', () => `${base}/redirect`, /answered 302/],
    ['a body that is not JSON', () => `${base}/html`, /not JSON/],
    ['a server that never answers, at the deadline', () => `${base}/stall`, /no JWKS within 300 ms/],
  ])('refuses %s', async (_name, url, message) => {
    const failure = fetcher()(url());
    await expect(failure).rejects.toThrow(JwksFetchError);
    await expect(failure).rejects.toThrow(message);
  });

  it('refuses a certificate it does not trust (the deployed default: public CAs only)', async () => {
    await expect(httpsJwksFetcher({ timeoutMs: 300, maxBytes: MAX_BYTES })(`${base}/jwks`)).rejects.toThrow(JwksFetchError);
  });
});
