import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * The adversary's server: another origin (127.0.0.1, another port, hence the same site as the page,
 * so a credentialed request would carry the sign-in cookie) that a hostile playlist names for a key
 * or a segment. It wants the viewer's token: it answers every CORS preflight with yes (any header,
 * credentials), serves the files it is given so playback goes on, and records every request.
 */
export async function startRecordingOrigin(files: (path: string) => string | undefined) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://recording.invalid').pathname;
    requests.push({ method: req.method ?? '', path, headers: req.headers });
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      'access-control-allow-methods': 'GET, OPTIONS',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const file = files(path);
    if (file === undefined) return void res.writeHead(404, cors).end();
    res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    },
  };
}
