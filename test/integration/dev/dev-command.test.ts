import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli } from '../../fixtures/run-cli';
import { PROJECT_ROOT } from '../../fixtures/example-context';

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

  it('when the degraded-mode grace is above its cap', async () => {
    const result = await runCli(['dev', '--port', '0', '--stale-if-error', '301', '--data-dir', join(root, 'grace')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('keygate: --stale-if-error must be a whole number of seconds from 0 to 300 (got 301)\n');
  });
});

describe('keygate dev stopped during its first start', () => {
  it('exits 0 on SIGTERM while packaging the demo video and leaves no half-written video behind', async () => {
    const dataDir = join(root, 'interrupted');
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'keygate.js'), 'dev', '--port', '0', '--data-dir', dataDir], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stderr! }).on('line', (line) => line.startsWith('packaging the demo video') && resolve());
        void exited.then((code) => reject(new Error(`keygate dev exited with ${code} before packaging`)));
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dataDir, 'origin', 'videos', 'demo'))).toBe(false);
      expect(existsSync(join(dataDir, 'origin', 'keys', 'demo'))).toBe(false);
      expect(readdirSync(dataDir).filter((name) => name.endsWith('.mp4'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
