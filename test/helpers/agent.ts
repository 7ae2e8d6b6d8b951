import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inventory } from '@/lib/contract/agent-api';
import { writeIdentity, type Identity } from '@/agent/agent/agent-dir';
import { realProbe } from '@/agent/agent/checks';
import { AgentDaemon, type AgentWorld } from '@/agent/agent/daemon';
import type { DownloadTuning } from '@/agent/agent/download';
import { runProcess } from '@/agent/agent/process-runner';
import { api, type Session } from './http';

export interface EnrolledMachine {
  identity: Identity;
  dir: string;
}

/** Enrols a machine through the agent API and leaves its identity in a fresh agent directory. */
export async function enrollTestMachine(baseUrl: string, secret: string, hostname: string): Promise<EnrolledMachine> {
  const res = await api<{ machineId: string; token: string }>(baseUrl, '/api/agent/v1/enroll', { method: 'POST', json: { secret, hostname, timeZone: 'UTC' } });
  if (res.status !== 201) throw new Error(`enrol ${hostname}: ${res.status} ${JSON.stringify(res.body)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `depot-agent-${hostname}-`));
  const identity = { server: baseUrl, machineId: res.body.machineId, token: res.body.token, enrolledAt: new Date().toISOString() };
  writeIdentity(dir, identity);
  return { identity, dir };
}

export async function createSecret(baseUrl: string, admin: Session, name: string): Promise<string> {
  const res = await api<{ enrolmentSecret: { secret: string } }>(baseUrl, '/api/enrolment-secrets', { method: 'POST', session: admin, json: { name } });
  if (res.status !== 201) throw new Error(`secret: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.enrolmentSecret.secret;
}

export const testFacts = (hostname: string): Inventory => ({
  hostname,
  timeZone: 'UTC',
  os: { platform: 'linux', distro: 'Debian', release: '12', kernel: os.release(), arch: 'x64' },
  cpu: { model: 'test', cores: 2 },
  memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
  disks: [{ mount: '/', sizeBytes: 100e9, freeBytes: 50e9 }],
  network: [],
  uptimeSeconds: 100,
});

/**
 * A real AgentDaemon in the test process: real HTTP to the real server, real installers and
 * checks, but a clock the test moves, so window tests never sleep.
 */
export function inProcessAgent(m: EnrolledMachine, options: { now: number; fetch?: typeof fetch; facts?: Partial<Inventory>; download?: DownloadTuning }) {
  const logs: string[] = [];
  const clock = { now: options.now };
  const world: AgentWorld = {
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    wait: async (ms, wakeAt) => {
      clock.now = wakeAt ? Math.min(clock.now + ms, wakeAt.getTime()) : clock.now + ms;
    },
    random: () => 0.5,
    fetch: options.fetch ?? fetch,
    // facts: what the machine reports instead (its host name and zone change the server's row).
    collect: async () => ({ ...testFacts(m.identity.machineId.slice(0, 8)), ...options.facts }),
    log: (line) => logs.push(line),
    run: runProcess,
    probe: realProbe(runProcess),
  };
  return { daemon: new AgentDaemon(m.identity, m.dir, world, options.download), clock, logs };
}

/** Builds a real Debian package with dpkg-deb; returns its bytes. */
export function buildDeb(name: string, version: string, dir: string): Buffer {
  const root = path.join(dir, `${name}-build`);
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/share', name), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/share', name, 'hello.txt'), `hello from ${name} ${version}\n`);
  fs.writeFileSync(
    path.join(root, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Depot tests <depot@example.com>\nDescription: Depot test package\n A package built by the Depot integration tests.\n`,
  );
  const out = path.join(dir, `${name}_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, out], { stdio: 'pipe' });
  return fs.readFileSync(out);
}
