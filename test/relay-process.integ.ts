/**
 * The built depot-relay binary as operators run it, against a stand-in managing server (the
 * real server's relay API is tested with it after merging): a two-level chain, heartbeats and a
 * delete order, SIGTERM in the middle of a download, and a kill -9 in the middle of one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFreshBundles, startRelayProcess } from './helpers/relay-process';
import { get, startStandIn, testBytes, type StandIn } from './helpers/relay-stand-in';
import { projectDir } from './helpers/server';
import { waitFor } from './helpers/wait-for';

let standIn: StandIn;
const dirs: string[] = [];
const processes: ChildProcess[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-relay-integ-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  // The test is of the bundle `npm run build` makes: a stale one would test old code through tsx.
  requireFreshBundles();
  standIn = await startStandIn();
  standIn.answer.heartbeatSeconds = 1;
});

afterAll(async () => {
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await standIn?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('depot-relay process', () => {
  it('serves machines through a child relay and its parent, with one fetch from the server, and reports on its heartbeat', async () => {
    standIn.relayTokens.add('dpr_parent-token').add('dpr_child-token');
    const bytes = testBytes(5 * 1024 * 1024 + 3, 11);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_m1', [sha]);
    standIn.allowMachine('dpm_m2', [sha]);

    const parent = await startRelayProcess(['--server', standIn.url, '--cache', tempDir(), '--heartbeat', '1s'], { DEPOT_RELAY_TOKEN: 'dpr_parent-token' });
    processes.push(parent.child);
    const child = await startRelayProcess(['--server', standIn.url, '--upstream', parent.url, '--cache', tempDir(), '--token', 'dpr_child-token', '--max-clients', '10'], {});
    processes.push(child.child);

    const [m1, m2] = await Promise.all(['dpm_m1', 'dpm_m2'].map((t) => get(`${child.url}/api/agent/v1/content/${sha}`, { authorization: `Bearer ${t}` })));
    for (const res of [m1, m2]) expect([res.status, res.cut, res.body.equals(bytes)]).toEqual([200, false, true]);
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(1);
    // The parent checked the child's relay token with the server; the child checked each machine's.
    expect(standIn.count('HEAD', `/api/relay/v1/content/${sha}`)).toBe(1);
    expect(standIn.count('HEAD', `/api/agent/v1/content/${sha}`)).toBe(2);

    // Up or down for anyone; the figures with the relay's own token.
    expect(JSON.parse((await get(`${parent.url}/healthz`)).body.toString())).toEqual({ status: 'ok' });
    const health = JSON.parse((await get(`${parent.url}/healthz`, { authorization: 'Bearer dpr_parent-token' })).body.toString());
    expect(health).toMatchObject({ status: 'ok', bytesServed: bytes.length, bytesFetched: bytes.length });

    // Both report what they hold on their heartbeats, each with its own token.
    const reported = (token: string) => standIn.heartbeats.filter((_, i) => standIn.heartbeatAuth[i] === `Bearer ${token}`);
    await waitFor(() => reported('dpr_child-token').some((h) => h.held.some((c) => c.sha256 === sha)), 10_000);
    await waitFor(() => reported('dpr_parent-token').some((h) => h.held.some((c) => c.sha256 === sha)), 10_000);
    const last = reported('dpr_child-token').at(-1)!;
    expect(last.health).toMatchObject({ maxClients: 10, bytesServed: 2 * bytes.length, bytesFetched: bytes.length });
    expect(last.cacheLimitBytes).toBe(20 * 2 ** 30);
    expect(last.diskFreeBytes).toBeGreaterThan(0);
    for (const p of [parent, child]) {
      expect(p.output()).not.toContain('dpr_parent-token');
      expect(p.output()).not.toContain('dpr_child-token');
      expect(p.output()).not.toContain('dpm_m1');
    }

    // A delete order from the server: the file goes, and the next heartbeat says so.
    const orderId = '00000000-0000-4000-8000-0000000000a1';
    standIn.answer.orders = [{ orderId, kind: 'delete', sha256: sha, size: bytes.length }];
    const parentDir = /cache (\S+) \(limit/.exec(parent.output())![1];
    await waitFor(() => standIn.heartbeats.some((h) => h.orders.some((o) => o.orderId === orderId && o.state === 'done')), 10_000);
    standIn.answer.orders = [];
    expect(fs.existsSync(path.join(parentDir, 'blobs', sha))).toBe(false);

    for (const p of [parent, child]) p.child.kill('SIGTERM');
    expect(await parent.exited).toBe(0);
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('depot-relay: stopped');
  });

  it('lets a running download finish on SIGTERM, then exits 0', async () => {
    const bytes = testBytes(2 * 1024 * 1024, 12);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_m3', [sha]);
    standIn.relayTokens.add('dpr_term');
    standIn.behave(sha, { kind: 'stall', after: 512 * 1024 });
    const relay = await startRelayProcess(['--server', standIn.url, '--cache', tempDir()], { DEPOT_RELAY_TOKEN: 'dpr_term' });
    processes.push(relay.child);

    const started = standIn.bodyStarted(sha);
    const running = get(`${relay.url}/api/agent/v1/content/${sha}`, { authorization: 'Bearer dpm_m3' });
    await started;
    relay.child.kill('SIGTERM');
    await waitFor(() => relay.output().includes('SIGTERM: stopping'), 10_000);
    standIn.release(sha);
    const res = await running;
    expect([res.status, res.cut, res.body.equals(bytes)]).toEqual([200, false, true]);
    expect(await relay.exited).toBe(0);
  });

  it('after a kill -9 in the middle of a download, deletes the half file at start and serves a whole verified copy', async () => {
    const bytes = testBytes(3 * 1024 * 1024, 13);
    const sha = standIn.addContent(bytes);
    standIn.allowMachine('dpm_m4', [sha]);
    standIn.relayTokens.add('dpr_kill');
    standIn.behave(sha, { kind: 'stall', after: 1024 * 1024 });
    const cacheDir = tempDir();
    const first = await startRelayProcess(['--server', standIn.url, '--cache', cacheDir], { DEPOT_RELAY_TOKEN: 'dpr_kill' });
    processes.push(first.child);

    const started = standIn.bodyStarted(sha);
    const cut = get(`${first.url}/api/agent/v1/content/${sha}`, { authorization: 'Bearer dpm_m4' });
    await started;
    await waitFor(() => fs.readdirSync(path.join(cacheDir, 'tmp')).some((f) => f.startsWith(sha) && fs.statSync(path.join(cacheDir, 'tmp', f)).size >= 1024 * 1024), 10_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const lost = await cut;
    expect(lost.cut).toBe(true);
    expect(fs.readdirSync(path.join(cacheDir, 'tmp'))).toHaveLength(1);

    standIn.behave(sha, { kind: 'ok' });
    const second = await startRelayProcess(['--server', standIn.url, '--cache', cacheDir], { DEPOT_RELAY_TOKEN: 'dpr_kill' });
    processes.push(second.child);
    expect(second.output()).toContain('removed 1 unfinished download');
    expect(fs.readdirSync(path.join(cacheDir, 'tmp'))).toEqual([]);
    const res = await get(`${second.url}/api/agent/v1/content/${sha}`, { authorization: 'Bearer dpm_m4' });
    expect([res.status, res.cut, res.body.equals(bytes)]).toEqual([200, false, true]);
    expect(standIn.count('GET', `/api/relay/v1/content/${sha}`)).toBe(2);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses bad options with exit code 2, naming the option', async () => {
    const child = spawn(process.execPath, [path.join(projectDir, 'agent/bin/depot-relay.mjs'), '--server', 'http://127.0.0.1:1', '--listen', 'nowhere', '--cache', tempDir(), '--token', 't'], { cwd: projectDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--listen: expected [HOST:]PORT');
  });
});
