import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockAgentDir, AgentBusy } from '../agent/dir-lock';
import { CacheBusy, lockCacheDir } from '../relay/cache-lock';
import { takePidLock } from './pid-lock';

const dirs: string[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-lock-'));
  dirs.push(d);
  return d;
};

/** A process that is alive while the test runs. */
function liveProcess(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  return child.pid!;
}

describe('takePidLock', () => {
  it('holds the pid, refuses while its owner lives, and is released', () => {
    const file = path.join(tempDir(), 'x.lock');
    const release = takePidLock(file, (owner) => new Error(`busy ${owner}`));
    expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
    release();
    expect(fs.existsSync(file)).toBe(false);

    const owner = liveProcess();
    fs.writeFileSync(file, String(owner));
    expect(() => takePidLock(file, (o) => new Error(`busy ${o}`))).toThrow(`busy ${owner}`);
  });

  it('takes over a lock whose owner has exited', () => {
    const file = path.join(tempDir(), 'x.lock');
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    fs.writeFileSync(file, gone);
    takePidLock(file, () => new Error('busy'))();
  });

  it("is the agent directory's and the relay cache's lock, each with its own message", () => {
    const owner = liveProcess();
    const agentDir = tempDir();
    fs.writeFileSync(path.join(agentDir, 'agent.lock'), String(owner));
    expect(() => lockAgentDir(agentDir)).toThrow(AgentBusy);
    expect(() => lockAgentDir(agentDir)).toThrow(`another depot-agent (pid ${owner}) is running with ${agentDir}`);
    const cacheDir = tempDir();
    fs.writeFileSync(path.join(cacheDir, 'relay.lock'), String(owner));
    expect(() => lockCacheDir(cacheDir)).toThrow(CacheBusy);
    expect(() => lockCacheDir(cacheDir)).toThrow(`another depot-relay (pid ${owner}) is using the cache ${cacheDir}`);
  });
});
