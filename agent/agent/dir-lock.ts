import fs from 'node:fs';
import path from 'node:path';
import { takePidLock } from '../shared/pid-lock';

export class AgentBusy extends Error {}

/**
 * One running agent per agent directory: two (the service and a `run --once` typed by hand)
 * would run the same installer twice and overwrite each other's journal and reports.
 */
export function lockAgentDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'agent.lock');
  return takePidLock(file, (owner) =>
    owner ? new AgentBusy(`another depot-agent (pid ${owner}) is running with ${dir}; stop it first (systemctl stop depot-agent)`) : new AgentBusy(`could not take the lock ${file}`),
  );
}
