import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * PGlite has no cross-process lock: two processes on one data folder silently lose writes
 * (measured: 11 of 60). So the folder gets a lock file holding the owner's pid; a second process
 * is refused at once with a message naming the holder. A lock left by a process that died is
 * taken over.
 */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${holder.pid} on ${holder.host}` +
        ` (started ${holder.startedAt}${holder.command ? `: ${holder.command}` : ''}).\n` +
        `Stop that process first, or point DEPOT_DATA_DIR at another folder.` +
        (holder.host !== os.hostname()
          ? `\nIt was taken on another host (${holder.host}); if no Depot runs there any more, delete ${path.join(dataDir, LOCK_NAME)}.`
          : ''),
    );
    this.name = 'DataDirInUseError';
  }
}

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command?: string;
}

export interface DataDirLock {
  path: string;
  release(): void;
}

const LOCK_NAME = 'depot.lock';

export function acquireDataDirLock(dataDir: string, isAlive: (pid: number) => boolean = processIsAlive): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_NAME);
  const mine: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // 'wx' fails if the file exists: creating it is the atomic "take the lock".
      fs.writeFileSync(lockPath, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        path: lockPath,
        release() {
          if (released) return;
          released = true;
          const current = readLock(lockPath);
          if (current?.pid === mine.pid && current.startedAt === mine.startedAt) fs.rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(lockPath);
    // Our own pid in a lock we did not write means a previous life of this process (a container
    // restarted with the same pid), not a live holder.
    if (holder && holder.host === mine.host && (holder.pid === process.pid || !isAlive(holder.pid))) {
      // A stale lock: move it aside atomically so that of two processes racing for it only one
      // removes it; the loser's rename fails (ENOENT) and it retries against the winner's lock.
      const aside = `${lockPath}.stale-${process.pid}`;
      try {
        fs.renameSync(lockPath, aside);
        const moved = readLock(aside);
        if (moved && (moved.pid !== holder.pid || moved.startedAt !== holder.startedAt)) {
          // We moved a fresh lock another process took after our read: give it back.
          fs.renameSync(aside, lockPath);
          throw new DataDirInUseError(dataDir, moved);
        }
        fs.rmSync(aside, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      continue;
    }
    if (holder) throw new DataDirInUseError(dataDir, holder);
    // Unreadable lock (being written right now, or damaged): look again shortly.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  const holder = readLock(lockPath);
  throw holder
    ? new DataDirInUseError(dataDir, holder)
    : new Error(`Could not lock ${lockPath}: the file exists but cannot be read. If no Depot process runs, delete it.`);
}

/** The live process holding the folder, if any, without taking the lock (for a pre-flight check). */
export function findDataDirHolder(dataDir: string, isAlive: (pid: number) => boolean = processIsAlive): LockInfo | undefined {
  const holder = readLock(path.join(dataDir, LOCK_NAME));
  if (!holder) return undefined;
  if (holder.host === os.hostname() && (holder.pid === process.pid || !isAlive(holder.pid))) return undefined;
  return holder;
}

function readLock(lockPath: string): LockInfo | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
    if (parsed && typeof parsed === 'object' && 'pid' in parsed && typeof parsed.pid === 'number') {
      const p = parsed as Partial<LockInfo>;
      return { pid: parsed.pid, host: String(p.host ?? ''), startedAt: String(p.startedAt ?? ''), command: p.command };
    }
  } catch {
    // missing or half-written
  }
  return undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
