import fs from 'node:fs';

/**
 * Takes a lock file holding this process's pid, for "one process per directory" (one agent per
 * agent directory, one relay per cache). A lock left by a process that no longer exists, or by a
 * zombie, is taken over; one held by a live process throws busy(owner). Returns the release.
 */
export function takePidLock(file: string, busy: (ownerPid: number) => Error): () => void {
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && alive(owner)) throw busy(owner);
      fs.rmSync(file, { force: true });
    }
  }
  throw busy(0);
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
