import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from '../../../lib/dev/data-dir-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The id of a process that has exited: a lock it left behind is stale. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('one keygate dev per data dir', () => {
  it('refuses a second lock while the first is held, naming the process that holds it', () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(`another keygate dev (process ${process.pid}) is using ${dir}`);
    release();
    expect(existsSync(join(dir, 'dev.lock'))).toBe(false);
  });

  it('takes over a lock left by a process that has gone', () => {
    const pid = deadPid();
    writeFileSync(join(dir, 'dev.lock'), `${pid}\n`);
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'dev.lock'), 'utf8')).toBe(`${process.pid}\n`);
    release();
  });

  it('takes over a lock file that names no process', () => {
    writeFileSync(join(dir, 'dev.lock'), 'garbage');
    expect(() => lockDataDir(dir)()).not.toThrow();
  });
});
