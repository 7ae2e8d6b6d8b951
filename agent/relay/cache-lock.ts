import fs from 'node:fs';
import path from 'node:path';

export class CacheBusy extends Error {}

/**
 * One relay per cache directory: a second one would delete the first one's downloads in
 * progress at its start and evict behind its back. The lock file holds the owner's pid; a lock
 * left by a process that no longer exists is taken over.
 */
export function lockCacheDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, 'relay.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && alive(owner)) {
        throw new CacheBusy(`another depot-relay (pid ${owner}) is using the cache ${dir}; stop it first or give this one another --cache`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new CacheBusy(`could not take the lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) holds no lock.
  try {
    return !/^\d+ \(.*\) [ZX] /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
