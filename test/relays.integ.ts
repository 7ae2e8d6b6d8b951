/**
 * Relay systems, on the managing server's side: registering relays, the relay protocol driven
 * over HTTP as depot-relay drives it (parsed with the contract's own schemas), orders, the plan's
 * content sources and their plan-version bumps, pinned content, revocation, the pages, and who
 * may do what.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, relayContents, relayOrders, relays } from '@/db/schema';
import { planSchema, type Plan } from '@/lib/contract/agent-api';
import { heartbeatResponseSchema, type HeartbeatRequest, type HeartbeatResponse } from '@/lib/contract/relay-api';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage, sha256 } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let deployer: Session;
let auditor: Session;
let user: Session;
const m: Record<string, EnrolledMachine> = {};
const machineNames = ['site-a1', 'site-a2', 'site-b1', 'lone'] as const;
type MachineName = (typeof machineNames)[number];
const pkg: Record<'a' | 'b' | 'c', { id: string; sha256: string; size: number; content: string }> = {} as never;
const relay: Record<string, { id: string; token: string }> = {};
let groupSiteA: string;
let groupAlpha: string;
let jobA: string;

type ErrorBody = { error: { code: string; field?: string; message: string } };
const NOBODY = '00000000-0000-4000-8000-000000000000';

const post = <T = unknown>(path: string, json: unknown = {}, session: Session = admin) => api<T & ErrorBody>(server.url, path, { method: 'POST', session, json });
const put = <T = unknown>(path: string, json: unknown, session: Session = admin) => api<T & ErrorBody>(server.url, path, { method: 'PUT', session, json });
const patch = <T = unknown>(path: string, json: unknown, session: Session = admin) => api<T & ErrorBody>(server.url, path, { method: 'PATCH', session, json });
const get = <T = unknown>(path: string, session: Session = admin) => api<T & ErrorBody>(server.url, path, { session });
const err = (res: { status: number; body: unknown }) => ({ status: res.status, code: (res.body as ErrorBody)?.error?.code, field: (res.body as ErrorBody)?.error?.field });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function heartbeatBody(extra: Partial<HeartbeatRequest> = {}): HeartbeatRequest {
  return {
    diskFreeBytes: 50_000_000_000,
    cacheUsedBytes: 0,
    cacheLimitBytes: 10_000_000_000,
    held: [],
    orders: [],
    health: { version: '0.1.0-test', startedAt: new Date().toISOString(), activeClients: 1, maxClients: 64, bytesServed: 1000, bytesFetched: 500, refused: 0, lastError: null },
    ...extra,
  };
}

async function rawHeartbeat(token: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/relay/v1/heartbeat`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A heartbeat as depot-relay sends it; the answer must parse with the contract's schema. */
async function heartbeat(name: string, extra: Partial<HeartbeatRequest> = {}): Promise<HeartbeatResponse> {
  const res = await rawHeartbeat(relay[name].token, heartbeatBody(extra));
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return heartbeatResponseSchema.parse(body);
}

type RelayDetail = {
  state: string;
  lastHeartbeatAt: string | null;
  diskFreeBytes: number | null;
  cacheUsedBytes: number | null;
  cacheLimitBytes: number | null;
  health: Record<string, unknown>;
  heldCount: number;
  held: { sha256: string; size: number; lastUsedAt: string | null; packages: { id: string; label: string }[] }[];
  orders: { id: string; kind: string; state: string; error: string | null; batchId: string | null; doneAt: string | null; packageLabel: string }[];
  machines: { total: number; list: { hostname: string; via: string }[] };
  groups: { name: string; members: number }[];
};
const relayDetail = async (name: string) => (await get<{ relay: RelayDetail }>(`/api/relays/${relay[name].id}`)).body.relay;

// Plans: the etag of each machine's last plan, to see whose plan version a change bumped.
const etags = {} as Record<MachineName, string>;
const agentGet = (name: MachineName, path: string, init: RequestInit = {}) => fetch(`${server.url}/api/agent/v1${path}`, { ...init, headers: { ...bearer(m[name].identity.token), ...(init.headers ?? {}) } });

async function planOf(name: MachineName): Promise<Plan> {
  const res = await agentGet(name, '/plan');
  expect(res.status).toBe(200);
  etags[name] = res.headers.get('etag')!;
  return planSchema.parse(await res.json());
}

/** The machines whose plan changed since their last plan (a 200 instead of a 304), in name order. */
async function bumpedPlans(): Promise<string[]> {
  const changed: string[] = [];
  for (const name of machineNames) {
    const res = await agentGet(name, '/plan', { headers: { 'if-none-match': etags[name] } });
    if (res.status === 200) {
      changed.push(name);
      etags[name] = res.headers.get('etag')!;
    } else {
      expect(res.status).toBe(304);
    }
    await res.arrayBuffer();
  }
  return changed;
}

const sourcesOf = async (name: MachineName) => (await planOf(name)).contentSources.map((s) => s.name);

async function makeUser(role: string): Promise<Session> {
  const email = `${role}-relays@depot.test`;
  expect((await post('/api/users', { email, name: role, role, password: 'relays-test-password' })).status).toBe(201);
  return mustSignIn(server.url, email, 'relays-test-password');
}

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  deployer = await makeUser('deployer');
  auditor = await makeUser('auditor');
  user = await makeUser('user');
  const secret = await createSecret(server.url, admin, 'relays');
  for (const name of machineNames) m[name] = await enrollTestMachine(server.url, secret, name);
  await seedCabinet(server.url, admin, 'relays');
  for (const key of ['a', 'b', 'c'] as const) {
    const content = `#!/bin/sh\necho relay-${key} ${'x'.repeat(100)}\n`;
    const p = await seedPackage(server.url, admin, 'relays', `relay-${key}`, content);
    pkg[key] = { id: p.id, sha256: p.sha256, size: p.size, content };
  }
});
afterAll(async () => {
  await server?.dispose();
});

describe('relay systems', () => {
  it('registers a relay: the token is shown once, with clear errors', async () => {
    // Before any relay, the page explains how to run one.
    const empty = await fetch(`${server.url}/relays`, { headers: { cookie: admin.cookie } });
    expect(await empty.text()).toContain('depot-relay --server');

    const created = await post<{ relay: { id: string; token: string; url: string; prefix: string } }>('/api/relays', { name: 'Berlin', url: 'http://relay-berlin:8081/', description: 'Third floor' });
    expect(created.status).toBe(201);
    expect(created.body.relay.token).toMatch(/^dpr_[\w-]{40,}$/);
    expect(created.body.relay.url).toBe('http://relay-berlin:8081');
    expect(created.body.relay.token.startsWith(created.body.relay.prefix)).toBe(true);
    relay.Berlin = { id: created.body.relay.id, token: created.body.relay.token };
    for (const [name, parent] of [['Munich', 'Berlin'], ['Hamburg', null]] as const) {
      const res = await post<{ relay: { id: string; token: string } }>('/api/relays', { name, url: `http://relay-${name.toLowerCase()}:8081`, parentId: parent ? relay[parent].id : null });
      expect(res.status).toBe(201);
      relay[name] = { id: res.body.relay.id, token: res.body.relay.token };
    }

    // The token never comes back.
    const list = await get<{ relays: { name: string; state: string; parent: string | null; url: string }[] }>('/api/relays');
    expect(list.status).toBe(200);
    expect(list.body.relays.map((r) => [r.name, r.state, r.parent])).toEqual([
      ['Berlin', 'never', null],
      ['Hamburg', 'never', null],
      ['Munich', 'never', 'Berlin'],
    ]);
    const text = JSON.stringify([list.body, (await get(`/api/relays/${relay.Berlin.id}`)).body]);
    for (const r of Object.values(relay)) expect(text).not.toContain(r.token);
    expect(text).not.toContain('tokenHash');

    expect(err(await post('/api/relays', { name: 'Berlin', url: 'http://elsewhere:8081' }))).toEqual({ status: 409, code: 'conflict', field: 'name' });
    expect(err(await post('/api/relays', { name: 'FTP', url: 'ftp://relay:21' }))).toEqual({ status: 422, code: 'invalid_input', field: 'url' });
    expect(err(await post('/api/relays', { name: 'Creds', url: 'http://u:p@relay:8081' }))).toEqual({ status: 422, code: 'invalid_input', field: 'url' });
    expect(err(await post('/api/relays', { url: 'http://relay:8081' }))).toEqual({ status: 422, code: 'invalid_input', field: 'name' });
    expect(err(await post('/api/relays', { name: 'Bad parent', url: 'http://relay:8081', parentId: 'berlin' }))).toEqual({ status: 422, code: 'invalid_input', field: 'parentId' });
    expect(err(await post('/api/relays', { name: 'No parent', url: 'http://relay:8081', parentId: NOBODY }))).toEqual({ status: 404, code: 'not_found', field: 'parentId' });
    expect(err(await post('/api/relays', { name: 'Extra', url: 'http://relay:8081', token: 'mine' }))).toEqual({ status: 422, code: 'invalid_input', field: 'token' });
    expect(err(await get(`/api/relays/${NOBODY}`))).toMatchObject({ status: 404, code: 'not_found' });
    expect(err(await get('/api/relays/not-a-uuid'))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('a heartbeat replaces the list of what the relay holds and updates its figures', async () => {
    const stranger = sha256('content no package has');
    const first = await heartbeat('Berlin', {
      cacheUsedBytes: pkg.a.size + pkg.b.size,
      held: [
        { sha256: pkg.a.sha256, size: pkg.a.size, lastUsedAt: '2026-11-20T10:00:00Z' },
        { sha256: pkg.b.sha256, size: pkg.b.size, lastUsedAt: null },
        { sha256: stranger, size: 5, lastUsedAt: null },
      ],
    });
    expect(first).toMatchObject({ relayId: relay.Berlin.id, name: 'Berlin', orders: [], pinned: [] });
    expect(first.heartbeatSeconds).toBeGreaterThan(0);

    let detail = await relayDetail('Berlin');
    expect(detail).toMatchObject({ state: 'online', diskFreeBytes: 50_000_000_000, cacheUsedBytes: pkg.a.size + pkg.b.size, cacheLimitBytes: 10_000_000_000, heldCount: 3 });
    expect(detail.health).toMatchObject({ version: '0.1.0-test', maxClients: 64 });
    const bySha = new Map(detail.held.map((h) => [h.sha256, h]));
    expect(bySha.get(pkg.a.sha256)).toMatchObject({ size: pkg.a.size, lastUsedAt: '2026-11-20T10:00:00.000Z' });
    expect(bySha.get(pkg.a.sha256)!.packages.map((p) => p.label)).toEqual(['relay-a 1.0.0 (generation 1)']);
    expect(bySha.get(stranger)!.packages).toEqual([]);

    // The next heartbeat's list replaces the stored one: a is gone, b was used, c is new.
    await heartbeat('Berlin', {
      cacheUsedBytes: 777,
      diskFreeBytes: 40_000_000_000,
      held: [
        { sha256: pkg.b.sha256, size: pkg.b.size, lastUsedAt: '2026-11-21T08:30:00Z' },
        { sha256: pkg.c.sha256, size: pkg.c.size, lastUsedAt: null },
        // Listed twice: counted once.
        { sha256: pkg.c.sha256, size: pkg.c.size, lastUsedAt: null },
      ],
    });
    detail = await relayDetail('Berlin');
    expect(detail).toMatchObject({ cacheUsedBytes: 777, diskFreeBytes: 40_000_000_000, heldCount: 2 });
    expect(detail.held.map((h) => [h.sha256, h.lastUsedAt])).toEqual([
      [pkg.b.sha256, '2026-11-21T08:30:00.000Z'],
      [pkg.c.sha256, null],
    ]);
    const list = await get<{ relays: { name: string; state: string; heldCount: number; heldBytes: number }[] }>('/api/relays');
    expect(list.body.relays.find((r) => r.name === 'Berlin')).toMatchObject({ state: 'online', heldCount: 2, heldBytes: pkg.b.size + pkg.c.size });

    // An empty list empties it.
    await heartbeat('Hamburg', { held: [{ sha256: pkg.a.sha256, size: pkg.a.size, lastUsedAt: null }] });
    await heartbeat('Hamburg', { held: [] });
    expect((await relayDetail('Hamburg')).heldCount).toBe(0);
  });

  it('refuses a heartbeat without a valid relay token (401) or with a body that does not parse (422 naming the field)', async () => {
    const unauthorized = async (headers: Record<string, string>) => {
      const res = await fetch(`${server.url}/api/relay/v1/heartbeat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(heartbeatBody()) });
      return { status: res.status, code: ((await res.json()) as ErrorBody).error.code };
    };
    expect(await unauthorized({})).toEqual({ status: 401, code: 'unauthorized' });
    expect(await unauthorized(bearer(`dpr_${'x'.repeat(43)}`))).toEqual({ status: 401, code: 'unauthorized' });
    expect(await unauthorized(bearer(m['lone'].identity.token))).toEqual({ status: 401, code: 'unauthorized' });
    expect(await unauthorized({ cookie: admin.cookie })).toEqual({ status: 401, code: 'unauthorized' });

    const invalid = async (body: unknown) => {
      const res = await rawHeartbeat(relay.Berlin.token, body);
      const json = (await res.json()) as ErrorBody;
      expect(json.error.message).toContain(json.error.field);
      return { status: res.status, code: json.error.code, field: json.error.field };
    };
    const { diskFreeBytes: _, ...noDisk } = heartbeatBody();
    expect(await invalid(noDisk)).toEqual({ status: 422, code: 'invalid_input', field: 'diskFreeBytes' });
    expect(await invalid(heartbeatBody({ cacheUsedBytes: -1 }))).toEqual({ status: 422, code: 'invalid_input', field: 'cacheUsedBytes' });
    expect(await invalid(heartbeatBody({ health: { ...heartbeatBody().health, sending: { path: 'carrier pigeon' } } as never }))).toEqual({ status: 422, code: 'invalid_input', field: 'health.sending.path' });
    expect(await invalid(heartbeatBody({ held: [{ sha256: 'ABC', size: 1, lastUsedAt: null }] }))).toEqual({ status: 422, code: 'invalid_input', field: 'held.0.sha256' });
    expect(await invalid(heartbeatBody({ orders: [{ orderId: 'x', state: 'done', error: null }] }))).toEqual({ status: 422, code: 'invalid_input', field: 'orders.0.orderId' });
    expect(await invalid({ ...heartbeatBody(), surprise: 1 })).toEqual({ status: 422, code: 'invalid_input', field: 'surprise' });
    expect(await invalid([1])).toEqual({ status: 422, code: 'invalid_input', field: 'body' });
    // A refused heartbeat changed nothing.
    expect((await relayDetail('Berlin')).heldCount).toBe(2);
    // Unknown relay API paths are JSON 404s of the fast path, not pages.
    const unknown = await fetch(`${server.url}/api/relay/v1/nothing`, { headers: bearer(relay.Berlin.token) });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('not_found');
  });

  it('orders go requested → done or failed (with the error) as the relay reports them, once', async () => {
    const del = await post<{ batchId: string | null; orders: { id: string; relay: string; state: string }[] }>(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'delete', packageId: pkg.b.id });
    expect(del.status).toBe(201);
    expect(del.body.batchId).toBeNull();
    expect(del.body.orders).toEqual([{ id: expect.any(String), relayId: relay.Berlin.id, relay: 'Berlin', state: 'requested' }]);
    const pre = await post<{ orders: { id: string }[] }>(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'prefetch', packageId: pkg.a.id });
    expect(pre.status).toBe(201);
    const [delId, preId] = [del.body.orders[0].id, pre.body.orders[0].id];

    // The relay learns them on its next heartbeat, and again until it reports them.
    for (let i = 0; i < 2; i++) {
      const hb = await heartbeat('Berlin', { held: [{ sha256: pkg.b.sha256, size: pkg.b.size, lastUsedAt: null }] });
      expect(hb.orders).toEqual([
        { orderId: delId, kind: 'delete', sha256: pkg.b.sha256, size: pkg.b.size },
        { orderId: preId, kind: 'prefetch', sha256: pkg.a.sha256, size: pkg.a.size },
      ]);
    }
    expect((await heartbeat('Hamburg')).orders).toEqual([]);
    // Another relay reporting Berlin's order moves nothing.
    await heartbeat('Hamburg', { orders: [{ orderId: delId, state: 'failed', error: 'not mine' }] });
    expect((await relayDetail('Berlin')).orders.find((o) => o.id === delId)).toMatchObject({ state: 'requested', error: null });

    const outcome = await heartbeat('Berlin', {
      held: [],
      orders: [
        { orderId: delId, state: 'done', error: null },
        { orderId: preId, state: 'failed', error: 'upstream answered 503' },
      ],
    });
    expect(outcome.orders).toEqual([]);
    const after = await relayDetail('Berlin');
    const del1 = after.orders.find((o) => o.id === delId)!;
    const pre1 = after.orders.find((o) => o.id === preId)!;
    expect(del1).toMatchObject({ kind: 'delete', state: 'done', error: null, packageLabel: 'relay-b 1.0.0 (generation 1)' });
    expect(pre1).toMatchObject({ kind: 'prefetch', state: 'failed', error: 'upstream answered 503' });
    expect(after.heldCount).toBe(0);

    // The same report again (the relay did not get the answer) changes nothing.
    await heartbeat('Berlin', { orders: [{ orderId: delId, state: 'failed', error: 'late' }, { orderId: preId, state: 'done', error: null }] });
    const again = await relayDetail('Berlin');
    expect(again.orders.find((o) => o.id === delId)).toEqual(del1);
    expect(again.orders.find((o) => o.id === preId)).toEqual(pre1);

    // A content no package uses any more can still be deleted, by its SHA-256.
    const stranger = sha256('content no package has');
    const bare = await post<{ packageLabel: string }>(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'delete', sha256: stranger });
    expect(bare.status).toBe(201);
    expect(bare.body.packageLabel).toBe(`content ${stranger.slice(0, 12)}…`);

    expect(err(await post(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'delete', packageId: NOBODY }))).toEqual({ status: 404, code: 'not_found', field: 'packageId' });
    expect(err(await post(`/api/relays/${NOBODY}/orders`, { kind: 'delete', packageId: pkg.a.id }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(err(await post(`/api/relays/not-a-uuid/orders`, { kind: 'delete', packageId: pkg.a.id }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(err(await post(`/api/relays/${relay.Berlin.id}/orders`, {}))).toEqual({ status: 422, code: 'invalid_input', field: 'kind' });
    expect(err(await post(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'zap', packageId: pkg.a.id }))).toEqual({ status: 422, code: 'invalid_input', field: 'kind' });
    expect(err(await post(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'delete' }))).toEqual({ status: 422, code: 'invalid_input', field: 'packageId' });
    expect(err(await post(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'prefetch', sha256: stranger }))).toEqual({ status: 422, code: 'invalid_input', field: 'sha256' });
  });

  it('deletes a package from every relay at once (one order each, one batch); a newer order supersedes a waiting one of the other kind', async () => {
    const batch = await post<{ batchId: string; orders: { id: string; relay: string }[] }>('/api/relay-orders', { kind: 'delete', packageId: pkg.c.id, all: true });
    expect(batch.status).toBe(201);
    expect(batch.body.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(batch.body.orders.map((o) => o.relay).sort()).toEqual(['Berlin', 'Hamburg', 'Munich']);
    for (const name of ['Berlin', 'Hamburg', 'Munich']) {
      const hb = await heartbeat(name);
      expect(hb.orders.filter((o) => o.sha256 === pkg.c.sha256)).toEqual([{ orderId: batch.body.orders.find((o) => o.relay === name)!.id, kind: 'delete', sha256: pkg.c.sha256, size: pkg.c.size }]);
      const mine = (await relayDetail(name)).orders.find((o) => o.id === batch.body.orders.find((x) => x.relay === name)!.id);
      expect(mine).toMatchObject({ batchId: batch.body.batchId, state: 'requested' });
    }
    const munichOrder = batch.body.orders.find((o) => o.relay === 'Munich')!.id;
    await heartbeat('Munich', { orders: [{ orderId: munichOrder, state: 'done', error: null }] });

    // Transfer to chosen relays: Hamburg's waiting delete of the same content is superseded.
    const transfer = await post<{ batchId: string; orders: { relay: string }[] }>('/api/relay-orders', { kind: 'prefetch', packageId: pkg.c.id, relayIds: [relay.Hamburg.id, relay.Munich.id] });
    expect(transfer.status).toBe(201);
    expect(transfer.body.orders.map((o) => o.relay).sort()).toEqual(['Hamburg', 'Munich']);
    const hamburg = await relayDetail('Hamburg');
    expect(hamburg.orders.find((o) => o.id === batch.body.orders.find((x) => x.relay === 'Hamburg')!.id)).toMatchObject({ state: 'failed', error: 'Superseded by a later prefetch order before the relay carried it out.' });
    expect((await heartbeat('Hamburg')).orders.map((o) => o.kind)).toEqual(['prefetch']);
    // Munich's delete was already done: it stays done.
    expect((await relayDetail('Munich')).orders.find((o) => o.id === munichOrder)).toMatchObject({ state: 'done' });

    // The package page's view of it.
    const onRelays = await get<{ package: { relays: { name: string; holds: boolean }[]; orders: { relay: string; kind: string; state: string }[] } }>(`/api/packages/${pkg.c.id}/relays`);
    expect(onRelays.status).toBe(200);
    expect(onRelays.body.package.orders.filter((o) => o.kind === 'delete').map((o) => [o.relay, o.state]).sort()).toEqual([
      ['Berlin', 'requested'],
      ['Hamburg', 'failed'],
      ['Munich', 'done'],
    ]);

    expect(err(await post('/api/relay-orders', { kind: 'delete', packageId: pkg.c.id, relayIds: [relay.Berlin.id, NOBODY] }))).toEqual({ status: 404, code: 'not_found', field: 'relayIds' });
    expect(err(await post('/api/relay-orders', { kind: 'delete', packageId: pkg.c.id }))).toEqual({ status: 422, code: 'invalid_input', field: 'relayIds' });
    expect(err(await post('/api/relay-orders', { kind: 'delete', packageId: pkg.c.id, all: true, relayIds: [relay.Berlin.id] }))).toEqual({ status: 422, code: 'invalid_input', field: 'all' });
    expect(err(await post('/api/relay-orders', { kind: 'delete', packageId: pkg.c.id, all: false }))).toEqual({ status: 422, code: 'invalid_input', field: 'all' });
    expect(err(await post('/api/relay-orders', { kind: 'delete', packageId: NOBODY, all: true }))).toEqual({ status: 404, code: 'not_found', field: 'packageId' });
    expect(err(await post('/api/relay-orders', {}))).toEqual({ status: 422, code: 'invalid_input', field: 'kind' });
  });

  it('answers a HEAD for a machine’s content exactly as the GET, without a body: 200, 404, 401', async () => {
    const job = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId: pkg.a.id, machineIds: [m['site-a1'].identity.machineId], timing: 'asap', name: 'relay a' });
    expect(job.status).toBe(201);
    jobA = job.body.job.id;
    const both = async (token: string | undefined, sha: string) => {
      const headers = token ? bearer(token) : {};
      const url = `${server.url}/api/agent/v1/content/${sha}`;
      const [g, h] = await Promise.all([fetch(url, { headers }), fetch(url, { method: 'HEAD', headers })]);
      const [gBody, hBody] = await Promise.all([g.text(), h.text()]);
      expect(h.status).toBe(g.status);
      expect(hBody).toBe('');
      expect(h.headers.get('content-length')).toBe(g.headers.get('content-length'));
      return { status: g.status, getBody: gBody, headers: h.headers };
    };
    const allowed = await both(m['site-a1'].identity.token, pkg.a.sha256);
    expect(allowed.status).toBe(200);
    expect(allowed.getBody).toBe(pkg.a.content);
    expect(allowed.headers.get('content-length')).toBe(String(pkg.a.size));
    expect(allowed.headers.get('etag')).toBe(`"${pkg.a.sha256}"`);
    // Another machine, content assigned to nobody, no token, a relay token: as the GET.
    expect((await both(m['site-a2'].identity.token, pkg.a.sha256)).status).toBe(404);
    expect((await both(m['site-a1'].identity.token, pkg.b.sha256)).status).toBe(404);
    expect((await both(undefined, pkg.a.sha256)).status).toBe(401);
    expect((await both(`dpm_${'y'.repeat(43)}`, pkg.a.sha256)).status).toBe(401);
    expect((await both(relay.Berlin.token, pkg.a.sha256)).status).toBe(401);
  });

  it('serves any package content to a relay token, with Range and HEAD', async () => {
    const url = (sha: string) => `${server.url}/api/relay/v1/content/${sha}`;
    const whole = await fetch(url(pkg.b.sha256), { headers: bearer(relay.Berlin.token) });
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe(pkg.b.content);
    expect(whole.headers.get('x-content-sha256')).toBe(pkg.b.sha256);

    const part = await fetch(url(pkg.b.sha256), { headers: { ...bearer(relay.Munich.token), range: 'bytes=2-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-9/${pkg.b.size}`);
    expect(await part.text()).toBe(pkg.b.content.slice(2, 10));
    const tail = await fetch(url(pkg.b.sha256), { headers: { ...bearer(relay.Munich.token), range: `bytes=${pkg.b.size - 4}-` } });
    expect(tail.status).toBe(206);
    expect(await tail.text()).toBe(pkg.b.content.slice(-4));

    // A parent relay checks a child's token with a HEAD.
    const head = await fetch(url(pkg.c.sha256), { method: 'HEAD', headers: bearer(relay.Munich.token) });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(pkg.c.size));
    expect(await head.text()).toBe('');

    const missing = await fetch(url(sha256('nothing')), { headers: bearer(relay.Berlin.token) });
    expect({ status: missing.status, code: ((await missing.json()) as ErrorBody).error.code }).toEqual({ status: 404, code: 'not_found' });
    for (const headers of [{}, bearer(m['site-a1'].identity.token), { cookie: admin.cookie }] as Record<string, string>[]) {
      const res = await fetch(url(pkg.b.sha256), { headers });
      expect({ status: res.status, code: ((await res.json()) as ErrorBody).error.code }).toEqual({ status: 401, code: 'unauthorized' });
    }
    const headRefused = await fetch(url(pkg.b.sha256), { method: 'HEAD' });
    expect(headRefused.status).toBe(401);
    expect(await headRefused.text()).toBe('');
  });

  it('puts the relay chain in the plan (machine relay, else group relay by group name, then parents) and bumps exactly the machines it changes', async () => {
    for (const name of machineNames) expect((await planOf(name)).contentSources).toEqual([]);
    groupSiteA = (await post<{ group: { id: string } }>('/api/groups', { name: 'Site A' })).body.group.id;
    groupAlpha = (await post<{ group: { id: string } }>('/api/groups', { name: 'Alpha' })).body.group.id;
    expect((await post(`/api/groups/${groupSiteA}/members`, { machineIds: [m['site-a1'].identity.machineId, m['site-a2'].identity.machineId] })).status).toBe(200);
    expect((await post(`/api/groups/${groupAlpha}/members`, { machineIds: [m['site-a2'].identity.machineId] })).status).toBe(200);
    await bumpedPlans();

    // A group's relay: its members, with the relay's parent after it.
    const siteA = await put<{ group: { plansBumped: number } }>(`/api/groups/${groupSiteA}/relay`, { relayId: relay.Munich.id });
    expect(siteA.status).toBe(200);
    expect(siteA.body.group.plansBumped).toBe(2);
    expect(await bumpedPlans()).toEqual(['site-a1', 'site-a2']);
    const plan = await planOf('site-a1');
    expect(plan.contentSources).toEqual([
      { relayId: relay.Munich.id, name: 'Munich', url: 'http://relay-munich:8081' },
      { relayId: relay.Berlin.id, name: 'Berlin', url: 'http://relay-berlin:8081' },
    ]);

    // A group earlier by name with a relay wins for its members.
    expect((await put(`/api/groups/${groupAlpha}/relay`, { relayId: relay.Hamburg.id })).status).toBe(200);
    expect(await bumpedPlans()).toEqual(['site-a2']);
    expect(await sourcesOf('site-a2')).toEqual(['Hamburg']);

    // A machine's own relay wins over its groups'.
    const own = await put<{ machine: { planBumped: boolean } }>(`/api/machines/${m['site-b1'].identity.machineId}/relay`, { relayId: relay.Berlin.id });
    expect(own.status).toBe(200);
    expect(own.body.machine.planBumped).toBe(true);
    expect(await bumpedPlans()).toEqual(['site-b1']);
    expect(await sourcesOf('site-b1')).toEqual(['Berlin']);
    // Its own relay the same as its groups': nothing changes for the agent.
    const same = await put<{ machine: { planBumped: boolean } }>(`/api/machines/${m['site-a1'].identity.machineId}/relay`, { relayId: relay.Munich.id });
    expect(same.body.machine.planBumped).toBe(false);
    expect(await bumpedPlans()).toEqual([]);

    // A new parent: every machine served by the relay or its children.
    const parent = await patch<{ relay: { plansBumped: number } }>(`/api/relays/${relay.Berlin.id}`, { parentId: relay.Hamburg.id });
    expect(parent.status).toBe(200);
    expect(await bumpedPlans()).toEqual(['site-a1', 'site-b1']);
    expect(await sourcesOf('site-a1')).toEqual(['Munich', 'Berlin', 'Hamburg']);
    // A cycle is refused, naming the field.
    expect(err(await patch(`/api/relays/${relay.Hamburg.id}`, { parentId: relay.Munich.id }))).toEqual({ status: 422, code: 'invalid_input', field: 'parentId' });
    expect(err(await patch(`/api/relays/${relay.Hamburg.id}`, { parentId: relay.Hamburg.id }))).toEqual({ status: 422, code: 'invalid_input', field: 'parentId' });
    expect(err(await patch(`/api/relays/${relay.Hamburg.id}`, {}))).toEqual({ status: 422, code: 'invalid_input', field: 'body' });
    expect(err(await patch(`/api/relays/${relay.Hamburg.id}`, { url: 'relay' }))).toEqual({ status: 422, code: 'invalid_input', field: 'url' });
    expect(err(await patch(`/api/relays/${NOBODY}`, { description: 'x' }))).toMatchObject({ status: 404, code: 'not_found' });
    // A description changes nobody's plan; a URL changes those it serves.
    expect((await patch(`/api/relays/${relay.Berlin.id}`, { description: 'Moved to the basement' })).status).toBe(200);
    expect(await bumpedPlans()).toEqual([]);
    expect((await patch(`/api/relays/${relay.Berlin.id}`, { url: 'https://relay-berlin.example:8443/' })).status).toBe(200);
    expect(await bumpedPlans()).toEqual(['site-a1', 'site-b1']);
    expect((await planOf('site-b1')).contentSources[0].url).toBe('https://relay-berlin.example:8443');

    // Clearing the earlier group's relay gives its member the next group's.
    expect((await put(`/api/groups/${groupAlpha}/relay`, { relayId: null })).status).toBe(200);
    expect(await bumpedPlans()).toEqual(['site-a2']);
    expect(await sourcesOf('site-a2')).toEqual(['Munich', 'Berlin', 'Hamburg']);

    const detail = await relayDetail('Munich');
    expect(detail.machines).toEqual({ total: 2, list: [{ id: m['site-a1'].identity.machineId, hostname: 'site-a1', via: 'machine' }, { id: m['site-a2'].identity.machineId, hostname: 'site-a2', via: 'group' }] });
    expect(detail.groups).toEqual([{ id: groupSiteA, name: 'Site A', members: 2 }]);
    const list = await get<{ relays: { name: string; machinesServed: number }[] }>('/api/relays');
    expect(list.body.relays.map((r) => [r.name, r.machinesServed])).toEqual([
      ['Berlin', 1],
      ['Hamburg', 0],
      ['Munich', 2],
    ]);
    const machines = await get<{ machines: { hostname: string; relay: { name: string; via: string } | null }[] }>('/api/machines');
    expect(machines.body.machines.map((x) => [x.hostname, x.relay?.name ?? null, x.relay?.via ?? null])).toEqual([
      ['lone', null, null],
      ['site-a1', 'Munich', 'machine'],
      ['site-a2', 'Munich', 'group'],
      ['site-b1', 'Berlin', 'machine'],
    ]);

    const id = m['lone'].identity.machineId;
    expect(err(await put(`/api/machines/${id}/relay`, { relayId: NOBODY }))).toEqual({ status: 404, code: 'not_found', field: 'relayId' });
    expect(err(await put(`/api/machines/${id}/relay`, { relayId: 'berlin' }))).toEqual({ status: 422, code: 'invalid_input', field: 'relayId' });
    expect(err(await put(`/api/machines/${id}/relay`, {}))).toEqual({ status: 422, code: 'invalid_input', field: 'relayId' });
    expect(err(await put(`/api/machines/${NOBODY}/relay`, { relayId: null }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(err(await put(`/api/groups/${NOBODY}/relay`, { relayId: null }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(err(await put(`/api/groups/${groupAlpha}/relay`, { relayId: NOBODY }))).toEqual({ status: 404, code: 'not_found', field: 'relayId' });
    expect(await bumpedPlans()).toEqual([]);
  });

  it('pins exactly the content of unfinished jobs on the machines a relay serves, directly or through a child', async () => {
    // site-a1 (Munich, under Berlin, under Hamburg) has the unfinished install of a.
    const pinned = async (name: string) => (await heartbeat(name)).pinned;
    expect(await pinned('Munich')).toEqual([pkg.a.sha256]);
    expect(await pinned('Berlin')).toEqual([pkg.a.sha256]);
    expect(await pinned('Hamburg')).toEqual([pkg.a.sha256]);

    // A finished job pins nothing; a machine without a relay pins nothing anywhere.
    const done = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId: pkg.c.id, machineIds: [m['site-b1'].identity.machineId], timing: 'asap', name: 'c on b1' });
    const view = await get<{ assignments: { id: string }[] }>(`/api/jobs/${done.body.job.id}`);
    expect((await pinned('Berlin')).sort()).toEqual([pkg.a.sha256, pkg.c.sha256].sort());
    const report = await agentGet('site-b1', '/report', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ assignmentId: view.body.assignments[0].id, attempt: 1, state: 'installed', at: new Date().toISOString() }] }),
    });
    expect(report.status).toBe(200);
    expect(await pinned('Berlin')).toEqual([pkg.a.sha256]);
    expect((await post('/api/jobs', { kind: 'install', packageId: pkg.b.id, machineIds: [m['lone'].identity.machineId], timing: 'asap' })).status).toBe(201);
    expect(await pinned('Hamburg')).toEqual([pkg.a.sha256]);

    // An offer not yet chosen is unfinished: pinned while it lasts, not after it is cancelled.
    const offer = await post<{ job: { id: string } }>('/api/jobs', { kind: 'offer', packageId: pkg.b.id, machineIds: [m['site-a2'].identity.machineId], timing: 'asap' });
    expect(offer.status).toBe(201);
    expect(await pinned('Munich')).toEqual([pkg.a.sha256, pkg.b.sha256].sort());
    expect((await post(`/api/jobs/${offer.body.job.id}/cancel`)).status).toBe(200);
    expect(await pinned('Munich')).toEqual([pkg.a.sha256]);
    expect(await pinned('Berlin')).toEqual([pkg.a.sha256]);
  });

  it('revoking a relay: 401 on heartbeat and content, its machines fall back, its waiting orders close; changes to it are 409', async () => {
    await bumpedPlans(); // the jobs above changed some plans
    const waiting = await post<{ orders: { id: string }[] }>(`/api/relays/${relay.Munich.id}/orders`, { kind: 'prefetch', packageId: pkg.b.id });
    expect(waiting.status).toBe(201);
    const revoked = await post<{ relay: { plansBumped: number; ordersClosed: number } }>(`/api/relays/${relay.Munich.id}/revoke`);
    expect(revoked.status).toBe(200);
    // The waiting prefetch of b and the transfer of c from the batch before.
    expect(revoked.body.relay).toMatchObject({ plansBumped: 2, ordersClosed: 2 });
    expect(await bumpedPlans()).toEqual(['site-a1', 'site-a2']);
    // Left out of the plan; the chain goes on through its parents.
    expect(await sourcesOf('site-a1')).toEqual(['Berlin', 'Hamburg']);

    const hb = await rawHeartbeat(relay.Munich.token, heartbeatBody());
    expect({ status: hb.status, code: ((await hb.json()) as ErrorBody).error.code }).toEqual({ status: 401, code: 'unauthorized' });
    const content = await fetch(`${server.url}/api/relay/v1/content/${pkg.a.sha256}`, { headers: bearer(relay.Munich.token) });
    expect(content.status).toBe(401);
    await content.arrayBuffer();
    expect((await fetch(`${server.url}/api/relay/v1/content/${pkg.a.sha256}`, { method: 'HEAD', headers: bearer(relay.Munich.token) })).status).toBe(401);

    const detail = await relayDetail('Munich');
    expect(detail.state).toBe('revoked');
    expect(detail.orders.find((o) => o.id === waiting.body.orders[0].id)).toMatchObject({ state: 'failed', error: 'The relay system was revoked before it carried this out.' });

    expect(err(await post(`/api/relays/${relay.Munich.id}/revoke`))).toMatchObject({ status: 409, code: 'conflict' });
    expect(err(await post(`/api/relays/${relay.Munich.id}/orders`, { kind: 'delete', packageId: pkg.a.id }))).toMatchObject({ status: 409, code: 'conflict' });
    expect(err(await post('/api/relay-orders', { kind: 'delete', packageId: pkg.a.id, relayIds: [relay.Munich.id] }))).toEqual({ status: 409, code: 'conflict', field: 'relayIds' });
    expect(err(await put(`/api/machines/${m['lone'].identity.machineId}/relay`, { relayId: relay.Munich.id }))).toEqual({ status: 409, code: 'conflict', field: 'relayId' });
    expect(err(await put(`/api/groups/${groupAlpha}/relay`, { relayId: relay.Munich.id }))).toEqual({ status: 409, code: 'conflict', field: 'relayId' });
    expect(err(await patch(`/api/relays/${relay.Munich.id}`, { description: 'x' }))).toMatchObject({ status: 409, code: 'conflict' });
    expect(err(await patch(`/api/relays/${relay.Hamburg.id}`, { parentId: relay.Munich.id }))).toEqual({ status: 409, code: 'conflict', field: 'parentId' });
    expect(err(await post('/api/relays', { name: 'Under Munich', url: 'http://x:1', parentId: relay.Munich.id }))).toEqual({ status: 409, code: 'conflict', field: 'parentId' });
    // A batch to every relay leaves the revoked one out.
    const all = await post<{ orders: { relay: string }[] }>('/api/relay-orders', { kind: 'delete', packageId: pkg.a.id, all: true });
    expect(all.body.orders.map((o) => o.relay).sort()).toEqual(['Berlin', 'Hamburg']);
    await heartbeat('Berlin', { held: [{ sha256: pkg.b.sha256, size: pkg.b.size, lastUsedAt: '2026-11-22T00:00:00Z' }] });
  });

  it('a revoked relay serves nobody: the machines list and the machine and group pages name the source the plan starts with', async () => {
    // Kiel has no parent: a machine set to it downloads from the server once it is revoked.
    const kiel = await post<{ relay: { id: string; token: string } }>('/api/relays', { name: 'Kiel', url: 'http://relay-kiel:8081' });
    relay.Kiel = { id: kiel.body.relay.id, token: kiel.body.relay.token };
    expect((await put(`/api/machines/${m['lone'].identity.machineId}/relay`, { relayId: relay.Kiel.id })).status).toBe(200);
    expect((await post(`/api/relays/${relay.Kiel.id}/revoke`)).status).toBe(200);
    await bumpedPlans();

    type Listed = { hostname: string; relay: { id: string; name: string; via: string; revoked: boolean; downloadsFrom: { id: string; name: string } | null } | null };
    const listed = (await get<{ machines: Listed[] }>('/api/machines')).body.machines;
    expect(listed.map((x) => [x.hostname, x.relay && { name: x.relay.name, via: x.relay.via, revoked: x.relay.revoked, downloadsFrom: x.relay.downloadsFrom?.name ?? null }])).toEqual([
      ['lone', { name: 'Kiel', via: 'machine', revoked: true, downloadsFrom: null }],
      ['site-a1', { name: 'Munich', via: 'machine', revoked: true, downloadsFrom: 'Berlin' }],
      ['site-a2', { name: 'Munich', via: 'group', revoked: true, downloadsFrom: 'Berlin' }],
      ['site-b1', { name: 'Berlin', via: 'machine', revoked: false, downloadsFrom: 'Berlin' }],
    ]);
    // The list says what each plan says: its first content source, else the server.
    for (const x of listed) expect(x.relay?.downloadsFrom?.name ?? null, x.hostname).toBe((await sourcesOf(x.hostname as MachineName))[0] ?? null);

    const html = async (path: string, session: Session = admin) => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const row = (page: string, testId: string) => page.slice(page.indexOf(`data-testid="${testId}"`), page.indexOf('</tr>', page.indexOf(`data-testid="${testId}"`)));
    const list = await html('/machines');
    const a1 = row(list, 'machine-row-site-a1');
    expect(a1).toContain(`href="/relays/${relay.Berlin.id}"`);
    expect(a1).toContain('Munich (revoked)');
    expect(a1).not.toContain(`href="/relays/${relay.Munich.id}"`);
    const lone = row(list, 'machine-row-lone');
    expect(lone).toContain('Server');
    expect(lone).toContain('Kiel (revoked)');
    expect(lone).not.toContain('href="/relays/');
    expect(row(list, 'machine-row-site-b1')).not.toContain('revoked');

    // The machine page: the picker keeps the revoked relay selected and says so, instead of "None".
    const a1Page = await html(`/machines/${m['site-a1'].identity.machineId}`);
    expect(a1Page).toMatch(new RegExp(`<option value="${relay.Munich.id}" selected="">Munich \\(revoked: serves nobody\\)</option>`));
    expect(a1Page).toContain('Its own relay, Munich, was revoked');
    const a2Page = await html(`/machines/${m['site-a2'].identity.machineId}`);
    expect(a2Page).toContain('None: its groups’ relay (Munich, revoked)');
    expect(a2Page).toContain('Its groups’ relay, Munich, was revoked');
    expect(await html(`/machines/${m['site-a2'].identity.machineId}`, auditor)).toContain('From its groups: Munich, revoked.');
    expect(await html(`/machines/${m['site-b1'].identity.machineId}`)).not.toContain('was revoked');
    const groupPage = await html(`/groups/${groupSiteA}`);
    expect(groupPage).toMatch(new RegExp(`<option value="${relay.Munich.id}" selected="">Munich \\(revoked: serves nobody\\)</option>`));
    expect(await html(`/groups/${groupSiteA}`, auditor)).toContain('was revoked: members download through its parents');
    // Saving the revoked relay again is refused, naming the field.
    expect(err(await put(`/api/machines/${m['site-a1'].identity.machineId}/relay`, { relayId: relay.Munich.id }))).toEqual({ status: 409, code: 'conflict', field: 'relayId' });
  });

  it('shows relays on their pages, the package page, the machine and group pages and the machines list', async () => {
    const page = async (path: string, session: Session = admin) => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const list = await page('/relays');
    for (const text of ['Berlin', 'Hamburg', 'Munich', 'Online', 'Revoked', 'New relay system']) expect(list).toContain(text);
    const berlin = await page(`/relays/${relay.Berlin.id}`);
    for (const text of ['Packages it holds', 'Deleted', 'Failed', 'upstream answered 503', 'relay-b 1.0.0 (generation 1)', 'Transfer to relay', 'Revoke relay', 'site-b1']) expect(berlin).toContain(text);
    // How it sends cached files, from its health: a relay without the sendfile module says why.
    const health = heartbeatBody().health;
    await heartbeat('Hamburg', { health: { ...health, sending: { path: 'sendfile' } } });
    expect(await page(`/relays/${relay.Hamburg.id}`)).toContain('By sendfile(2)');
    await heartbeat('Hamburg', { health: { ...health, sending: { path: 'javascript', why: 'the sendfile module is not built; build it with npm run build:native' } } });
    expect(await page(`/relays/${relay.Hamburg.id}`)).toContain('Through JavaScript, about half as fast: the sendfile module is not built; build it with npm run build:native');
    // An auditor reads it without the buttons.
    const readOnly = await page(`/relays/${relay.Berlin.id}`, auditor);
    expect(readOnly).toContain('Packages it holds');
    expect(readOnly).not.toContain('Revoke relay');
    expect(await page('/relays', auditor)).not.toContain('New relay system');
    expect(await page(`/packages/${pkg.c.id}`)).toContain('Delete from relays');
    expect(await page(`/machines/${m['site-a1'].identity.machineId}`)).toContain('Downloads from');
    expect(await page(`/groups/${groupSiteA}`)).toContain('Relay system');
    const machinesPage = await page('/machines');
    expect(machinesPage).toContain('Relay');
    expect(machinesPage).toContain('from its groups');
  });

  it('lets only admins change relays (403 for deployers and auditors), and users read nothing', async () => {
    const machineId = m['lone'].identity.machineId;
    for (const session of [deployer, auditor]) {
      const calls = [
        post('/api/relays', { name: 'Nope', url: 'http://nope:1' }, session),
        patch(`/api/relays/${relay.Berlin.id}`, { description: 'nope' }, session),
        post(`/api/relays/${relay.Berlin.id}/revoke`, {}, session),
        post(`/api/relays/${relay.Berlin.id}/orders`, { kind: 'delete', packageId: pkg.a.id }, session),
        post('/api/relay-orders', { kind: 'delete', packageId: pkg.a.id, all: true }, session),
        put(`/api/machines/${machineId}/relay`, { relayId: relay.Berlin.id }, session),
        put(`/api/groups/${groupAlpha}/relay`, { relayId: relay.Berlin.id }, session),
      ];
      for (const res of await Promise.all(calls)) expect(err(res)).toMatchObject({ status: 403, code: 'forbidden' });
      expect((await get('/api/relays', session)).status).toBe(200);
      expect((await get(`/api/relays/${relay.Berlin.id}`, session)).status).toBe(200);
    }
    expect(err(await get('/api/relays', user))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(err(await get(`/api/packages/${pkg.a.id}/relays`, user))).toMatchObject({ status: 403, code: 'forbidden' });
    // Nothing changed.
    expect((await relayDetail('Berlin')).state).toBe('online');
  });

  it('stores only the token’s hash, the held list as last reported, and an audit row per change', async () => {
    await server.stop();
    const rows = await server.inspect(async (db) => ({
      relays: await db.select().from(relays),
      held: await db.select().from(relayContents).where(eq(relayContents.relayId, relay.Berlin.id)),
      orders: await db.select().from(relayOrders),
      audit: await db.select({ action: auditLog.action, label: auditLog.targetLabel }).from(auditLog),
    }));
    await server.restart();
    const text = JSON.stringify(rows);
    for (const r of Object.values(relay)) expect(text).not.toContain(r.token);
    for (const [name, r] of Object.entries(relay)) {
      const row = rows.relays.find((x) => x.id === r.id)!;
      expect(row.name).toBe(name);
      expect(row.tokenHash).toBe(crypto.createHash('sha256').update(r.token).digest('hex'));
    }
    expect(rows.relays.find((x) => x.id === relay.Munich.id)!.revokedAt).not.toBeNull();
    expect(rows.held.map((h) => [h.sha256, h.size, h.lastUsedAt?.toISOString()])).toEqual([[pkg.b.sha256, pkg.b.size, '2026-11-22T00:00:00.000Z']]);
    expect(rows.orders.filter((o) => o.state === 'requested').every((o) => o.relayId !== relay.Munich.id)).toBe(true);
    const actions = rows.audit.map((a) => a.action);
    for (const action of ['relay.create', 'relay.update', 'relay.revoke', 'relay.order_delete', 'relay.order_prefetch', 'machine.relay', 'group.relay']) expect(actions).toContain(action);
    expect(rows.audit.filter((a) => a.action === 'relay.create').map((a) => a.label).sort()).toEqual(['Berlin', 'Hamburg', 'Kiel', 'Munich']);
  });
});
