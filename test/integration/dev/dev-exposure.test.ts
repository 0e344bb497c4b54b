import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawHttpGet } from '../../../lib/admin/raw-http';
import { startDevProcess, type DevProcess } from '../../fixtures/dev-stack-process';
import { runCli } from '../../fixtures/run-cli';

// Adversaries: a machine on the network (a non-loopback bind), a web page the developer opens
// (DNS rebinding sends a foreign Host; a cross-site POST carries a foreign Origin).
let loopback: DevProcess;
let exposed: DevProcess;
let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'keygate-exposure-'));
  [loopback, exposed] = await Promise.all([startDevProcess(), startDevProcess({ args: ['--host', '0.0.0.0', '--expose', '--oidc'] })]);
});
afterAll(async () => {
  await Promise.all([loopback?.stop(), exposed?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

const get = (dev: DevProcess, path: string, host?: string) =>
  rawHttpGet()(new URL(dev.ready.url.replace('0.0.0.0', '127.0.0.1')), path, host ? { host } : {});
const portOf = (url: string) => new URL(url).port;

/** This machine's first address another machine could reach, if it has one. */
const networkAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;

/** Whether anything accepts a TCP connection at host:port. */
const accepts = (host: string, port: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

function post(dev: DevProcess, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, dev.ready.url), { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('keygate dev on a network address', () => {
  it('is refused without --expose, in one line, before it creates anything', async () => {
    const dataDir = join(scratch, 'refused');
    const result = await runCli(['dev', '--host', '0.0.0.0', '--port', '0', '--short-demo', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'keygate: 0.0.0.0 is not a loopback address: anyone who can reach it could sign in as any viewer and mint tokens for them; ' +
        'pass --expose as well to serve it there anyway, or --host 127.0.0.1\n',
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('with --expose, says loudly what anyone who can reach it can do', () => {
    expect(exposed.stderr()).toContain(
      `WARNING: keygate dev is exposed at ${exposed.ready.url}: anyone who can reach it can mint tokens for any viewer`,
    );
    expect(loopback.stderr()).not.toContain('WARNING');
  });

  it('keeps the DynamoDB endpoint and the OpenID provider on loopback whatever --host says', async () => {
    expect(new URL(exposed.ready.dynamodbEndpoint).hostname).toBe('127.0.0.1');
    expect(new URL(exposed.ready.oidc!.issuer).hostname).toBe('127.0.0.1');
    // From the network side: the site answers there, the table and the provider do not listen there.
    const address = networkAddress ?? '127.0.0.1';
    expect(networkAddress).toBeDefined();
    expect(await accepts(address, portOf(exposed.ready.url))).toBe(true);
    expect(await accepts(address, portOf(exposed.ready.dynamodbEndpoint))).toBe(false);
    expect(await accepts(address, portOf(exposed.ready.oidc!.issuer))).toBe(false);
    expect((await get(exposed, '/', `${address}:${portOf(exposed.ready.url)}`)).status).toBe(200);
  });
});

describe('keygate dev answers only the Host names it is bound to (DNS rebinding)', () => {
  it.each(['/', '/__keygate/token?as=alice', '/keys/demo/0.key', '/videos/demo/master.m3u8'])(
    'gives 421 and no token to Host rebind.attacker.example on %s',
    async (path) => {
      for (const dev of [loopback, exposed]) {
        const response = await get(dev, path, `rebind.attacker.example:${portOf(dev.ready.url)}`);
        expect(response.status).toBe(421);
        expect(response.body.toString()).not.toContain('token');
      }
    },
  );

  it('serves 127.0.0.1, localhost and [::1] by name', async () => {
    const port = portOf(loopback.ready.url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      expect((await get(loopback, '/__keygate/token?as=alice', host)).status).toBe(200);
    }
  });
});

describe("the demo page's admin endpoints", () => {
  it('run the CLI’s revoke and grant for a request from the page itself', async () => {
    const own = { origin: new URL(loopback.ready.url).origin };
    expect((await loopback.keygate('grant', 'admin-demo', 'demo')).code).toBe(0);
    const revoked = await post(loopback, '/__keygate/revoke?as=admin-demo&video=demo', own);
    expect(revoked).toEqual({
      status: 200,
      body: JSON.stringify({ done: true, message: 'revoked admin-demo demo: playback stops at the next key window' }),
    });
    expect((await loopback.keygate('list', 'admin-demo')).stdout).toBe('admin-demo has no grants\n');
    expect((await post(loopback, '/__keygate/grant?as=admin-demo&video=demo', own)).status).toBe(200);
    expect((await loopback.keygate('list', 'admin-demo', '--json')).stdout).toContain('"sk":"demo"');
  });

  it('refuse a cross-site request (CSRF) and a GET, changing nothing', async () => {
    expect((await loopback.keygate('grant', 'csrf-target', 'demo')).code).toBe(0);
    const forged = await post(loopback, '/__keygate/revoke?as=csrf-target&video=demo', { origin: 'http://evil.example' });
    expect(forged.status).toBe(403);
    expect((await get(loopback, '/__keygate/revoke?as=csrf-target&video=demo')).status).toBe(405);
    expect((await loopback.keygate('list', 'csrf-target', '--json')).stdout).toContain('"sk":"demo"');
  });

  it('say plainly that a viewer without stream limits has no session to end', async () => {
    const result = await post(loopback, '/__keygate/end-session?as=alice&session=no-such-session', {});
    expect(result.status).toBe(404);
    expect(JSON.parse(result.body)).toEqual({
      done: false,
      message: 'alice has no session no-such-session (keygate sessions alice lists them)',
    });
  });
});

describe('a second keygate dev on the same data dir', () => {
  it('stops with one clear line instead of a store stack trace', async () => {
    const result = await runCli(['dev', '--port', '0', '--short-demo', '--data-dir', loopback.dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^keygate: another keygate dev \(process \d+\) is using \S+: stop it, or pass --data-dir <another dir>\n$/,
    );
    // The first one is unharmed.
    expect((await get(loopback, '/')).status).toBe(200);
  });
});
