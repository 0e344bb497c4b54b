import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../fixtures/run-cli';

let root: string;
let busy: Server;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keygate-devcmd-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => busy.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('keygate dev fails with one line that says what to do', () => {
  it('when ffmpeg is missing for the demo video', async () => {
    const result = await runCli(['dev', '--port', '0', '--data-dir', join(root, 'no-ffmpeg')], {
      PATH: mkdtempSync(join(root, 'empty-path-')),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').pop()).toBe(
      'keygate: ffmpeg was not found on PATH: install it with "apt-get install ffmpeg" (Debian/Ubuntu) or "brew install ffmpeg" (macOS)',
    );
  });

  it('when the port is in use', async () => {
    const port = (busy.address() as AddressInfo).port;
    const result = await runCli(['dev', '--port', String(port), '--json', '--data-dir', join(root, 'busy')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`keygate: port ${port} on 127.0.0.1 is in use: stop what uses it or pass --port <another>\n`);
  });
});
