import fs from 'node:fs';
import path from 'node:path';

export class AgentBusy extends Error {}

/**
 * One running agent per agent directory: two (the service and a `run --once` typed by hand)
 * would run the same installer twice and overwrite each other's journal and reports. The lock
 * file holds the owner's pid; a lock left by a process that no longer exists is taken over.
 */
export function lockAgentDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'agent.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && alive(owner)) {
        throw new AgentBusy(`another depot-agent (pid ${owner}) is running with ${dir}; stop it first (systemctl stop depot-agent)`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new AgentBusy(`could not take the lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) holds no lock.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return true;
  }
}
