import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawHttpGet } from '../../../lib/admin/raw-http';
import { startDevProcess, type DevProcess } from '../../fixtures/dev-stack-process';
import { encodedPathAttacks } from '../../fixtures/encoded-path-attacks';

// One data dir, two starts of `keygate dev`: what the first one made, the second one reuses.
let dataDir: string;
let running: DevProcess | undefined;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keygate-restart-'));
});
afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const demoKeyFile = () => join(dataDir, 'origin', 'keys', 'demo', '0.key');
const tokenFor = async (dev: DevProcess, uid: string) =>
  ((await (await fetch(new URL(`/__keygate/token?as=${uid}`, dev.ready.url))).json()) as { token: string }).token;
const fetchDemoKey = (dev: DevProcess, token: string) =>
  fetch(new URL('/keys/demo/0.key', dev.ready.url), { headers: { authorization: `Bearer ${token}` } });

describe('keygate dev across a restart', () => {
  it('stops on SIGTERM with exit code 0, keeps the data dir, and a second start reuses the table, keys and video', async () => {
    running = await startDevProcess({ dataDir });
    const first = running;
    expect(first.ready.videos).toEqual(['demo']);
    const packagedKey = readFileSync(demoKeyFile());
    const signingKey = readFileSync(first.ready.signingKey);
    const tokenOfFirstRun = await tokenFor(first, 'alice');
    expect((await first.keygate('grant', 'zoe', 'demo')).code).toBe(0);

    expect(await first.stop()).toBe(0);
    running = undefined;
    expect(existsSync(demoKeyFile())).toBe(true);

    running = await startDevProcess({ dataDir });
    const second = running;
    // Not repackaged (keys are random per packaging) and not re-keyed: tokens of the first run still open the key.
    expect(readFileSync(demoKeyFile())).toEqual(packagedKey);
    expect(readFileSync(second.ready.signingKey)).toEqual(signingKey);
    const key = await fetchDemoKey(second, tokenOfFirstRun);
    expect(key.status).toBe(200);
    expect(Buffer.from(await key.arrayBuffer())).toEqual(packagedKey);
    // The table persisted: zoe's grant made during the first run is still there.
    const zoe = await second.keygate('list', 'zoe', '--json');
    expect(zoe.code).toBe(0);
    expect(zoe.stdout).toContain('"demo"');
  });

  it('hands no key to any encoded-path attack, even with the token of a viewer who owns the video', async () => {
    const dev = running!;
    const key = readFileSync(demoKeyFile());
    const token = await tokenFor(dev, 'alice');
    // Sent exactly as written; fetch would normalise the paths first.
    const rawGet = async (path: string, headers: Record<string, string>) =>
      (await rawHttpGet()(new URL(dev.ready.url), path, headers)).body;
    for (const { path } of encodedPathAttacks('demo', '0')) {
      for (const headers of [{}, { cookie: `keygate_token=${token}` }, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
        expect({ path, headers, leaked: (await rawGet(path, headers)).includes(key) }).toEqual({ path, headers, leaked: false });
      }
    }
    // The same token does open the key by its one true path.
    expect((await fetchDemoKey(dev, token)).status).toBe(200);
  });

  it('keeps a revocation made in an earlier run instead of granting the demo to alice again', async () => {
    const dev = running!;
    expect((await dev.keygate('revoke', 'alice', 'demo')).code).toBe(0);
    expect(await dev.stop()).toBe(0);
    running = await startDevProcess({ dataDir });
    const refused = await fetchDemoKey(running, await tokenFor(running, 'alice'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-keygate-reason')).toBe('not-entitled');
  });
});
