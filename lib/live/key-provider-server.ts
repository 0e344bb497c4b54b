import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_CPIX_BYTES } from './cpix-xml';
import type { KeyProvider } from './key-provider';

export interface KeyProviderServer {
  /** The SPEKE endpoint encryptors POST to, like http://127.0.0.1:40123/speke/v2.0/copyProtection. */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The path Keygate's own endpoint uses (SPEKE's examples' shape); the provider itself answers a POST on any path. */
export const SPEKE_ENDPOINT_PATH = '/speke/v2.0/copyProtection';

/**
 * Reads a request body up to `cap + 1` bytes: enough for the provider to see it is too large and
 * refuse it, without holding more. The rest is drained, not kept.
 */
function readCappedBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > cap) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => resolve(Buffer.concat(chunks).subarray(0, cap + 1)));
    req.on('error', reject);
  });
}

/**
 * The key provider over node:http, for `keygate dev --live` and a self-hosted `keygate live`: a
 * thin adapter that hands each request to the pure provider. Listens on loopback by default.
 */
export async function startKeyProviderServer(
  provider: KeyProvider,
  options: { host?: string; port?: number; maxBodyBytes?: number } = {},
): Promise<KeyProviderServer> {
  const cap = options.maxBodyBytes ?? MAX_CPIX_BYTES;
  const server = createServer(async (req, res) => {
    try {
      const body = await readCappedBody(req, cap);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const answer = await provider({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], headers, body });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The key provider failed: no key was handed out.\n');
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => done());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}${SPEKE_ENDPOINT_PATH}`,
    server,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
