/**
 * Relay systems end to end, every part a real process: the managing server (server.ts), the
 * built depot-relay binary and `depot-agent run --once` for each machine. Three agents install
 * through one relay while the server serves the content once; the relay is killed and they fall
 * back to the server; a delete order empties its cache and the pages say so; a child relay under
 * a parent relay serves a machine; a revoked relay answers 401 and its machines use the server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSchema, type Plan } from '@/lib/contract/agent-api';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { depotAgent } from './helpers/depot-pack';
import { api, mustSignIn, type Session } from './helpers/http';
import { requireFreshBundles, startRelayProcess, type RelayProcess } from './helpers/relay-process';
import { seedCabinet, uploadPackage } from './helpers/seed';
import { freePort, startServer, type TestServer } from './helpers/server';
import { waitForAsync } from './helpers/wait-for';

type ErrorBody = { error: { code: string; message: string; field?: string } };
interface Pkg {
  id: string;
  sha256: string;
  size: number;
  packageId: string;
}
interface RelayRecord {
  id: string;
  name: string;
  token: string;
  port: number;
  cacheDir: string;
  process?: RelayProcess;
}
interface RelayHealth {
  bytesServed: number;
  bytesFetched: number;
}
interface RelayDetail {
  state: string;
  parentId: string | null;
  parent: { id: string; name: string } | null;
  health: RelayHealth | Record<string, never>;
  held: { sha256: string }[];
  orders: { id: string; kind: string; state: string; error: string | null }[];
}

let server: TestServer;
let admin: Session;
let secret: string;
const machines: Record<string, EnrolledMachine> = {};
const names = ['m1', 'm2', 'm3'] as const;
const relays: Record<string, RelayRecord> = {};
const dirs: string[] = [];
/** The package of the first test, which the delete test deletes from the relay. */
let first: Pkg;

const tempDir = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const post = <T = unknown>(p: string, json: unknown = {}) => api<T & ErrorBody>(server.url, p, { method: 'POST', session: admin, json });
const put = <T = unknown>(p: string, json: unknown) => api<T & ErrorBody>(server.url, p, { method: 'PUT', session: admin, json });
const relayDetail = async (name: string) => (await api<{ relay: RelayDetail }>(server.url, `/api/relays/${relays[name].id}`, { session: admin })).body.relay;

/** Registers a relay on the server for a port chosen now (its URL must be known before it starts). */
async function registerRelay(name: string, parent?: string): Promise<RelayRecord> {
  const port = await freePort();
  const res = await post<{ relay: { id: string; token: string } }>('/api/relays', { name, url: `http://127.0.0.1:${port}`, parentId: parent ? relays[parent].id : null });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  relays[name] = { id: res.body.relay.id, name, token: res.body.relay.token, port, cacheDir: tempDir(`depot-relay-${name}-`) };
  return relays[name];
}

/** Starts depot-relay for a registered relay, with a one-second heartbeat; resolves once the server has its first heartbeat. */
async function runRelay(name: string, upstream?: string): Promise<RelayProcess> {
  const r = relays[name];
  const args = ['--server', server.url, '--listen', `127.0.0.1:${r.port}`, '--cache', r.cacheDir, '--heartbeat', '1s', ...(upstream ? ['--upstream', upstream] : [])];
  const before = (await relayDetail(name)).health;
  r.process = await startRelayProcess(args, { DEPOT_RELAY_TOKEN: r.token });
  // A new process reports a new startedAt: its first heartbeat has arrived.
  await waitForAsync(async () => {
    const health = (await relayDetail(name)).health as { startedAt?: string };
    return !!health.startedAt && health.startedAt !== (before as { startedAt?: string }).startedAt;
  }, 20_000);
  return r.process;
}

/** The relay's figures as its latest heartbeat reported them to the server, once they satisfy ok. */
async function reportedHealth(name: string, ok: (h: RelayHealth) => boolean): Promise<RelayHealth> {
  let health: RelayHealth | undefined;
  await waitForAsync(async () => {
    health = (await relayDetail(name)).health as RelayHealth;
    return health.bytesServed !== undefined && ok(health);
  }, 20_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${name} last reported ${JSON.stringify(health)}\n${relays[name].process?.output()}`);
  });
  return health!;
}

/** A script package of about 2.7 MB that leaves a file in its agent's HOME (each agent runs with its own). */
async function scriptPackage(packageId: string): Promise<Pkg> {
  // After `exit 0`, so the shell never reads it: bulk that makes the transfer worth measuring.
  const padding = crypto.randomBytes(2 * 1024 * 1024).toString('base64');
  const content = `#!/bin/sh\ntouch "$HOME/${packageId}.installed"\necho "installed ${packageId}"\nexit 0\n# ${padding}\n`;
  const res = await uploadPackage(server.url, admin, 'relay-chain', { packageId, displayName: `${packageId} app`, version: '1.0.0', installer: { kind: 'script' } }, content);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const p = res.body.package!;
  return { id: p.id, sha256: p.sha256, size: p.size, packageId };
}

async function installJob(pkg: Pkg, who: readonly string[]): Promise<string> {
  const res = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId: pkg.id, machineIds: who.map((n) => machines[n].identity.machineId), timing: 'asap' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.job.id;
}

/** Runs `depot-agent run --once` for these machines at the same time, as separate processes. */
async function runAgents(who: readonly string[]): Promise<void> {
  await Promise.all(
    who.map(async (n) => {
      const run = await depotAgent(['run', '--once'], { DEPOT_AGENT_DIR: machines[n].dir, HOME: machines[n].dir });
      expect(run.status, `${n}: ${run.stdout}${run.stderr}`).toBe(0);
    }),
  );
}

interface ReadyEvent {
  state: string;
  source: string | null;
  reason: string | null;
}
/** Each assignment's state and its ready event (source and reason), by machine (m1, m2, m3: their host names become the real one's). */
async function outcomes(jobId: string): Promise<Record<string, ReadyEvent>> {
  const job = await api<{ assignments: { id: string; machineId: string; state: string }[] }>(server.url, `/api/jobs/${jobId}`, { session: admin });
  const byId = new Map(Object.entries(machines).map(([n, m]) => [m.identity.machineId, n]));
  const result: Record<string, ReadyEvent> = {};
  for (const a of job.body.assignments) {
    const detail = await api<{ assignment: { events: { state: string; source: string | null; reason: string | null }[] } }>(server.url, `/api/assignments/${a.id}`, { session: admin });
    const ready = detail.body.assignment.events.find((e) => e.state === 'ready');
    result[byId.get(a.machineId) ?? a.machineId] = { state: a.state, source: ready?.source ?? null, reason: ready?.reason ?? null };
  }
  return result;
}

const installed = (n: string, pkg: Pkg) => fs.existsSync(path.join(machines[n].dir, `${pkg.packageId}.installed`));

async function planOf(n: string): Promise<Plan> {
  const res = await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${machines[n].identity.token}` } });
  expect(res.status).toBe(200);
  return planSchema.parse(await res.json());
}

beforeAll(async () => {
  requireFreshBundles();
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  secret = await createSecret(server.url, admin, 'relay chain');
  for (const n of names) {
    machines[n] = await enrollTestMachine(server.url, secret, n);
    dirs.push(machines[n].dir);
  }
  await seedCabinet(server.url, admin, 'relay-chain');
});

afterAll(async () => {
  for (const r of Object.values(relays)) await r.process?.kill();
  await server?.dispose();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('a real server, real relays and real agents', () => {
  it('three agents install through their relay, and the server serves the content once', { timeout: 120_000 }, async () => {
    const site = await registerRelay('site');
    // Shown once at creation, never again.
    expect(site.token).toMatch(/^dpr_/);
    expect(JSON.stringify((await api(server.url, `/api/relays/${site.id}`, { session: admin })).body)).not.toContain(site.token);
    await runRelay('site');
    expect((await relayDetail('site')).state).toBe('online');

    // Two machines by their own relay, the third through its group's.
    for (const n of ['m1', 'm2']) expect((await put(`/api/machines/${machines[n].identity.machineId}/relay`, { relayId: site.id })).status).toBe(200);
    const group = await post<{ group: { id: string } }>('/api/groups', { name: 'Site office' });
    expect(group.status).toBe(201);
    expect((await post(`/api/groups/${group.body.group.id}/members`, { machineIds: [machines.m3.identity.machineId] })).status).toBe(200);
    expect((await put(`/api/groups/${group.body.group.id}/relay`, { relayId: site.id })).status).toBe(200);
    for (const n of names) expect((await planOf(n)).contentSources).toEqual([{ relayId: site.id, name: 'site', url: `http://127.0.0.1:${site.port}` }]);

    const pkg = (first = await scriptPackage('through-relay'));
    const job = await installJob(pkg, names);
    await runAgents(names);

    const result = await outcomes(job);
    for (const n of names) {
      expect(result[n], JSON.stringify(result[n])).toMatchObject({ state: 'installed', source: 'relay:site' });
      expect(installed(n, pkg)).toBe(true);
    }
    // The relay fetched the content from the server once and served it three times, as its
    // heartbeat reports (the agents' sources say nobody else fetched it from the server).
    const health = await reportedHealth('site', (h) => h.bytesServed >= 3 * pkg.size);
    expect({ served: health.bytesServed, fetched: health.bytesFetched }).toEqual({ served: 3 * pkg.size, fetched: pkg.size });
    const detail = await relayDetail('site');
    expect(detail.held.map((h) => h.sha256)).toEqual([pkg.sha256]);
    expect(fs.readFileSync(path.join(site.cacheDir, 'blobs', pkg.sha256)).length).toBe(pkg.size);
  });

  it('a killed relay: the agents fall back to the managing server at once and still install', { timeout: 120_000 }, async () => {
    await relays.site.process!.kill();
    const pkg = await scriptPackage('after-relay-died');
    const job = await installJob(pkg, names);
    await runAgents(names);

    const result = await outcomes(job);
    for (const n of names) {
      expect(result[n], JSON.stringify(result[n])).toMatchObject({ state: 'installed', source: 'server' });
      // Passed over at connect ("cannot be reached"), not after waiting out the agent's 5 s relay
      // timeout ("sent no response headers within 5 s").
      expect(result[n].reason).toContain('relay:site cannot be reached');
      expect(installed(n, pkg)).toBe(true);
    }
  });

  it('delete from relay: the restarted relay deletes the file on its next heartbeat, and the API and page say so', { timeout: 120_000 }, async () => {
    const site = relays.site;
    // Restarted on the cache the kill left (its lock taken over): it still holds the first package.
    await runRelay('site');
    const file = path.join(site.cacheDir, 'blobs', first.sha256);
    expect((await relayDetail('site')).held.map((h) => h.sha256)).toEqual([first.sha256]);

    const order = await post<{ orders: { id: string; state: string }[] }>(`/api/relays/${site.id}/orders`, { kind: 'delete', packageId: first.id });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const orderId = order.body.orders[0].id;
    expect(order.body.orders[0].state).toBe('requested');
    await waitForAsync(async () => {
      const detail = await relayDetail('site');
      return detail.orders.some((o) => o.id === orderId && o.state !== 'requested') && detail.held.length === 0;
    }, 20_000);
    const detail = await relayDetail('site');
    expect(detail.orders.find((o) => o.id === orderId)).toMatchObject({ kind: 'delete', state: 'done', error: null });
    expect(detail.held).toEqual([]);
    expect(fs.existsSync(file)).toBe(false);
    expect(site.process!.output()).toContain(`order ${orderId}: delete ${first.sha256.slice(0, 12)}… done`);

    const page = await (await fetch(`${server.url}/relays/${site.id}`, { headers: { cookie: admin.cookie } })).text();
    expect(rowOf(page, `order-row-${orderId}`)).toContain('Deleted');
    expect(page).not.toContain(`held-row-${first.sha256}`);
    expect(page).toContain('Packages it holds (0');
  });

  it('a two-level chain: a child relay fetches from its parent, the parent once from the server', { timeout: 120_000 }, async () => {
    const parent = await registerRelay('parent');
    const child = await registerRelay('child', 'parent');
    const childDetail = await relayDetail('child');
    expect([childDetail.parentId, childDetail.parent?.name]).toEqual([parent.id, 'parent']);
    const parentProcess = await runRelay('parent');
    await runRelay('child', parentProcess.url);

    expect((await put(`/api/machines/${machines.m1.identity.machineId}/relay`, { relayId: child.id })).status).toBe(200);
    expect((await planOf('m1')).contentSources.map((s) => [s.name, s.url])).toEqual([
      ['child', `http://127.0.0.1:${child.port}`],
      ['parent', `http://127.0.0.1:${parent.port}`],
    ]);
    const pkg = await scriptPackage('through-chain');
    const job = await installJob(pkg, ['m1']);
    await runAgents(['m1']);
    expect((await outcomes(job)).m1).toMatchObject({ state: 'installed', source: 'relay:child' });
    expect(installed('m1', pkg)).toBe(true);

    // The parent fetched from the server once and served the child; the child fetched from the parent and served the machine.
    const parentHealth = await reportedHealth('parent', (h) => h.bytesServed >= pkg.size);
    const childHealth = await reportedHealth('child', (h) => h.bytesServed >= pkg.size);
    expect([parentHealth.bytesFetched, parentHealth.bytesServed]).toEqual([pkg.size, pkg.size]);
    expect([childHealth.bytesFetched, childHealth.bytesServed]).toEqual([pkg.size, pkg.size]);
    for (const r of [parent, child]) expect(fs.existsSync(path.join(r.cacheDir, 'blobs', pkg.sha256))).toBe(true);

    // Delete from every relay at once (the batch): both copies go, and the site relay, which never had it, reports done too.
    const batch = await post<{ batchId: string; orders: { id: string; relay: string }[] }>('/api/relay-orders', { kind: 'delete', packageId: pkg.id, all: true });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    expect(batch.body.orders.map((o) => o.relay).sort()).toEqual(['child', 'parent', 'site']);
    for (const o of batch.body.orders) {
      await waitForAsync(async () => (await relayDetail(o.relay)).orders.some((x) => x.id === o.id && x.state !== 'requested'), 20_000);
      expect((await relayDetail(o.relay)).orders.find((x) => x.id === o.id)).toMatchObject({ state: 'done', error: null });
    }
    for (const r of [parent, child]) expect(fs.existsSync(path.join(r.cacheDir, 'blobs', pkg.sha256))).toBe(false);
  });

  it('a revoked relay answers 401 after its next heartbeat, and its machines install from the managing server', { timeout: 120_000 }, async () => {
    const site = relays.site;
    const revoked = await post(`/api/relays/${site.id}/revoke`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    await waitForAsync(async () => (await fetch(`${site.process!.url}/healthz`)).status === 503, 20_000);
    const pkg = await scriptPackage('after-revoke');
    const job = await installJob(pkg, ['m2', 'm3']);
    const refused = await fetch(`${site.process!.url}/api/agent/v1/content/${pkg.sha256}`, { headers: { authorization: `Bearer ${machines.m2.identity.token}` } });
    expect({ status: refused.status, code: ((await refused.json()) as ErrorBody).error.code }).toEqual({ status: 401, code: 'unauthorized' });
    // The plan no longer offers it.
    for (const n of ['m2', 'm3']) expect((await planOf(n)).contentSources).toEqual([]);
    await runAgents(['m2', 'm3']);
    const result = await outcomes(job);
    for (const n of ['m2', 'm3']) {
      expect(result[n], JSON.stringify(result[n])).toMatchObject({ state: 'installed', source: 'server' });
      expect(installed(n, pkg)).toBe(true);
    }

    // A revoked parent stays out of the plan, but its child still asks it: the child cannot
    // fetch (the parent answers 401), says so with a 502, and the agent falls back to the server.
    expect((await post(`/api/relays/${relays.parent.id}/revoke`)).status).toBe(200);
    await waitForAsync(async () => (await fetch(`${relays.parent.process!.url}/healthz`)).status === 503, 20_000);
    expect((await planOf('m1')).contentSources.map((s) => s.name)).toEqual(['child']);
    const late = await scriptPackage('behind-revoked-parent');
    const lateJob = await installJob(late, ['m1']);
    await runAgents(['m1']);
    const m1 = (await outcomes(lateJob)).m1;
    expect(m1, JSON.stringify(m1)).toMatchObject({ state: 'installed', source: 'server' });
    expect(m1.reason).toContain('relay:child answered 502');
    expect(installed('m1', late)).toBe(true);
  });
});

/** The HTML of one table row, by its data-testid. */
function rowOf(html: string, testId: string): string {
  const start = html.indexOf(`data-testid="${testId}"`);
  expect(start, `no row ${testId}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
}
