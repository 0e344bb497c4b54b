import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KeygateError } from '../keygate-error';

const LOCK_FILE = 'dev.lock';

export class DataDirInUseError extends KeygateError {}

/** True when a process with this id runs (a lock whose owner died is stale). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data dir for this process: a second `keygate dev` on the same dir would otherwise die
 * deep inside dynalite's store lock. A lock left by a crashed run (its process gone) is taken over.
 * Returns the release.
 */
export function lockDataDir(dataDir: string, pid = process.pid): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new DataDirInUseError(`another keygate dev (process ${owner}) is using ${dataDir}`, 'dataDir');
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirInUseError(`cannot lock ${dataDir}: ${file} keeps coming back`, 'dataDir');
}
