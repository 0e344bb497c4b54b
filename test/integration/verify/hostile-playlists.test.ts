import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dynamoDbClientFor } from '../../../lib/admin/entitlement-client';
import { startDevProcess, type DevProcess } from '../../fixtures/dev-stack-process';
import { runCli } from '../../fixtures/run-cli';

// The adversary: whoever can change a playlist of the title `keygate verify` is scheduled against.
// verify holds the deployment's signing key and table access. A distribution in front of `keygate
// dev` rewrites its playlists (or redirects) into each hostile shape; a second local server stands
// for "anywhere else" and counts every request it gets. The table is read at every request either
// server receives, so a grant made during the run is seen even though verify removes it at the end.
let dev: DevProcess;
let hostile: { server: Server; url: string };
let elsewhere: { server: Server; url: string; requests: string[] };
/** What the current test does to the distribution's answers. */
let shape: Shape = {};
/** The test viewers' grants (`<uid> <video>`) seen at any request during the run. */
let grantsSeen = new Set<string>();

interface Shape {
  master?: (text: string) => string;
  rendition?: (text: string) => string;
  /** Paths answered with a 302 to the same path elsewhere. */
  redirect?: RegExp;
}

const JWT_SHAPED = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const withKeyUri = (uri: string) => (text: string) => text.replace(/URI="[^"]*"/g, `URI="${uri}"`);

/** Every item of a `keygate-verify-…` viewer, as `<uid> <sk>`. */
async function testViewerItems(): Promise<string[]> {
  const client = dynamoDbClientFor({ table: dev.ready.table, region: dev.ready.region, endpoint: dev.ready.dynamodbEndpoint });
  try {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: dev.ready.table }));
    return Items.map((item) => `${item.uid?.S} ${item.sk?.S}`).filter((row) => row.startsWith('keygate-verify-'));
  } finally {
    client.destroy();
  }
}
const noteGrants = async () => {
  for (const row of await testViewerItems()) if (!row.split(' ')[1].startsWith('#')) grantsSeen.add(row);
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function passThrough(req: IncomingMessage, res: ServerResponse, rewrite?: (text: string) => string) {
  const target = new URL(dev.ready.url);
  const upstream = request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent: false },
    (answer) => {
      if (!rewrite || answer.statusCode !== 200) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = rewrite(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(body);
      });
    },
  );
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
}

beforeAll(async () => {
  dev = await startDevProcess();
  const requests: string[] = [];
  const elsewhereServer = createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ? 'with a bearer' : 'without a bearer'}`);
    await noteGrants();
    res.writeHead(200).end(req.url?.endsWith('.key') ? Buffer.alloc(16, 1) : '#EXTM3U\n');
  });
  elsewhere = { server: elsewhereServer, url: await listen(elsewhereServer), requests };
  const hostileServer = createServer(async (req, res) => {
    await noteGrants();
    const path = req.url ?? '/';
    if (shape.redirect?.test(path)) return void res.writeHead(302, { location: `${elsewhere.url}${path}` }).end();
    if (path.endsWith('/master.m3u8')) return passThrough(req, res, shape.master);
    if (path.endsWith('.m3u8')) return passThrough(req, res, shape.rendition);
    passThrough(req, res);
  });
  hostile = { server: hostileServer, url: await listen(hostileServer) };
});

beforeEach(() => {
  shape = {};
  grantsSeen = new Set();
  elsewhere.requests.length = 0;
});

afterAll(async () => {
  for (const { server } of [hostile, elsewhere].filter(Boolean)) {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  }
  await dev?.stop();
});

/** verify as the scheduled canary runs it: signing key and table access, against the hostile distribution. */
const verify = () =>
  runCli([
    'verify',
    hostile.url,
    '--video',
    'demo',
    ...['--key', dev.ready.signingKey, '--issuer', dev.ready.issuer, '--audience', dev.ready.audience],
    ...['--table', dev.ready.table, '--region', dev.ready.region, '--endpoint', dev.ready.dynamodbEndpoint],
    ...['--ttl-wait', '2', '--json'],
  ]);

interface JsonReport {
  passed: boolean;
  viewer?: string;
  checks: { check: string; outcome: string; detail: string }[];
}
const detail = (report: JsonReport, check: string) => report.checks.find((c) => c.check === check)?.detail ?? '';

describe('keygate verify through a distribution that changes nothing (the control)', () => {
  it('passes, and the table read at each request sees its grant of demo, so a grant of another video would show', async () => {
    const result = await verify();
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect([...grantsSeen]).toEqual([`${report.viewer} demo`]);
    expect(elsewhere.requests).toEqual([]);
    // Its grant is gone and both of its viewers are signed out: the tokens it minted open nothing now.
    expect(
      (await testViewerItems()).filter((row) => row.startsWith(`${report.viewer} `) || row.startsWith(`${report.viewer}-`)).sort(),
    ).toEqual([`${report.viewer} #revoked`, `${report.viewer}-nobody #revoked`]);
  });
});

describe.each<[string, () => Shape, RegExp]>([
  [
    'a key on another host',
    () => ({ rendition: withKeyUri(`${elsewhere.url}/keys/demo/0.key`) }),
    /the key URI http:\/\/127\.0\.0\.1:\d+\/keys\/demo\/0\.key, which leaves the distribution/,
  ],
  [
    'a protocol-relative key host',
    () => ({ rendition: withKeyUri(`//${new URL(elsewhere.url).host}/keys/demo/0.key`) }),
    /the key URI http:\/\/127\.0\.0\.1:\d+\/keys\/demo\/0\.key, which leaves the distribution/,
  ],
  [
    'another video’s key on the distribution',
    () => ({ rendition: withKeyUri('/keys/trailer/0.key') }),
    /the key URI http:\/\/127\.0\.0\.1:\d+\/keys\/trailer\/0\.key, which names the key of video trailer/,
  ],
  [
    'a path-token-prefixed key',
    () => ({ rendition: withKeyUri(`/t/${JWT_SHAPED}/keys/demo/0.key`) }),
    /the key URI http:\/\/127\.0\.0\.1:\d+\/t\/[^,]+\/keys\/demo\/0\.key, which is not a \/keys\/<videoId>\/<keyName>\.key path/,
  ],
  [
    'a path-token-prefixed key of another video',
    () => ({ rendition: withKeyUri(`/t/${JWT_SHAPED}/keys/trailer/0.key`) }),
    /\/t\/[^,]+\/keys\/trailer\/0\.key, which is not a \/keys\/<videoId>\/<keyName>\.key path/,
  ],
  [
    'segments on another host',
    () => ({ rendition: (text) => text.replace(/^(seg\d+\.ts)$/gm, `${elsewhere.url}/videos/demo/$1`) }),
    /the segment URI http:\/\/127\.0\.0\.1:\d+\/videos\/demo\/seg00000\.ts, which leaves the distribution/,
  ],
  [
    'a variant playlist on another host',
    () => ({ master: (text) => text.replace(/^([^#\n].*\.m3u8)$/gm, `${elsewhere.url}/videos/demo/$1`) }),
    /the variant playlist URI http:\/\/127\.0\.0\.1:\d+\/videos\/demo\/[^,]+, which leaves the distribution/,
  ],
  [
    'a master playlist redirected elsewhere',
    () => ({ redirect: /\/master\.m3u8$/ }),
    /master\.m3u8 answered a 302 redirect to http:\/\/127\.0\.0\.1:\d+\/videos\/demo\/master\.m3u8, which verify does not follow/,
  ],
  [
    'a rendition playlist redirected elsewhere',
    () => ({ redirect: /\/index\.m3u8$/ }),
    /index\.m3u8 answered a 302 redirect to http:\/\/127\.0\.0\.1:\d+\/videos\/demo\/[^ ]+, which verify does not follow/,
  ],
])('keygate verify against a playlist with %s', (_what, makeShape, refusal) => {
  it('fails, naming the URI, sends nothing off the distribution, and grants nothing', async () => {
    shape = makeShape();
    const result = await verify();
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(detail(report, 'media-public')).toMatch(refusal);
    expect(report.checks.every((c) => c.outcome === 'fail')).toBe(true);
    expect(elsewhere.requests).toEqual([]);
    expect(grantsSeen.size).toBe(0);
    expect((await testViewerItems()).filter((row) => !row.split(' ')[1].startsWith('#'))).toEqual([]);
  });
});

describe('keygate verify against a distribution that redirects keys or segments elsewhere', () => {
  it('fails the key checks with the redirect named, follows none, and grants only the video it was given', async () => {
    shape = { redirect: /^\/keys\// };
    const result = await verify();
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as JsonReport;
    for (const check of ['anonymous', 'unentitled', 'entitled'])
      expect(detail(report, check)).toMatch(
        /got 302, .*a 302 redirect to http:\/\/127\.0\.0\.1:\d+\/keys\/demo\/0\.key, which verify does not follow/,
      );
    expect(elsewhere.requests).toEqual([]);
    expect([...grantsSeen]).toEqual([`${report.viewer} demo`]);
  });

  it('fails the media check on a redirected segment and follows it nowhere', async () => {
    shape = { redirect: /\.ts$/ };
    const result = await verify();
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(detail(report, 'media-public')).toMatch(
      /seg00000\.ts answered a 302 redirect to http:\/\/127\.0\.0\.1:\d+\/videos\/demo\/.*, which verify does not follow/,
    );
    expect(elsewhere.requests).toEqual([]);
  });
});
