/**
 * Deleting a package (or a cabinet with its packages) takes its content off the relays: every
 * relay that holds the content gets a delete order in the deleting transaction, the relay learns
 * it on its next heartbeat and reports it done, and its page shows the order for the deleted
 * package. Content another package still has stays. Heartbeats are driven over HTTP as
 * depot-relay sends them, parsed with the contract's schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, relayOrders } from '@/db/schema';
import { heartbeatResponseSchema, type HeartbeatRequest, type HeartbeatResponse } from '@/lib/contract/relay-api';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let deployer: Session;
type Pkg = { id: string; sha256: string; size: number };
const pkg: Record<string, Pkg> = {};
const relay: Record<string, { id: string; token: string }> = {};

type ErrorBody = { error: { code: string; field?: string; message: string } };
type Order = { id: string; kind: string; state: string; error: string | null; sha256: string; batchId: string | null; packageId: string | null; packageLabel: string; packageDeleted: boolean; requestedBy: string | null };

const post = <T = unknown>(path: string, json: unknown = {}, session: Session = admin) => api<T & ErrorBody>(server.url, path, { method: 'POST', session, json });
const del = (path: string, session: Session = deployer) => api<ErrorBody>(server.url, path, { method: 'DELETE', session });
const ordersOf = async (name: string) => (await api<{ relay: { orders: Order[] } }>(server.url, `/api/relays/${relay[name].id}`, { session: admin })).body.relay.orders;

/** A heartbeat as depot-relay sends it: what the relay holds now and the outcomes since its last one. */
async function heartbeat(name: string, held: Pkg[], orders: HeartbeatRequest['orders'] = []): Promise<HeartbeatResponse> {
  const body: HeartbeatRequest = {
    diskFreeBytes: 1_000_000_000,
    cacheUsedBytes: held.reduce((n, p) => n + p.size, 0),
    cacheLimitBytes: 5_000_000_000,
    held: held.map((p) => ({ sha256: p.sha256, size: p.size, lastUsedAt: null })),
    orders,
    health: { version: '0.1.0-test', startedAt: new Date().toISOString(), activeClients: 0, maxClients: 64, bytesServed: 0, bytesFetched: 0, refused: 0, lastError: null },
  };
  const res = await fetch(`${server.url}/api/relay/v1/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${relay[name].token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(200);
  return heartbeatResponseSchema.parse(json);
}

async function page(path: string): Promise<string> {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: admin.cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The HTML of one order's row on the relay page. */
function orderRow(html: string, orderId: string): string {
  const start = html.indexOf(`data-testid="order-row-${orderId}"`);
  expect(start, `order ${orderId} on the page`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
}

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  expect((await post('/api/users', { email: 'deployer-gone@depot.test', name: 'Deployer', role: 'deployer', password: 'relay-delete-password' })).status).toBe(201);
  deployer = await mustSignIn(server.url, 'deployer-gone@depot.test', 'relay-delete-password');
  await seedCabinet(server.url, admin, 'tools');
  await seedCabinet(server.url, admin, 'doomed');
  // "twin" and "twin-again" are different packages with the very same file.
  const twinContent = '#!/bin/sh\necho twin\n';
  pkg.lone = await seedPackage(server.url, admin, 'tools', 'lone', '#!/bin/sh\necho lone\n');
  pkg.twin = await seedPackage(server.url, admin, 'tools', 'twin', twinContent);
  pkg.twinAgain = await seedPackage(server.url, admin, 'tools', 'twin-again', twinContent);
  pkg.doomed = await seedPackage(server.url, admin, 'doomed', 'doomed', '#!/bin/sh\necho doomed\n');
  expect(pkg.twin.sha256).toBe(pkg.twinAgain.sha256);
  for (const name of ['Oslo', 'Bergen', 'Tromso', 'Narvik']) {
    const res = await post<{ relay: { id: string; token: string } }>('/api/relays', { name, url: `http://relay-${name.toLowerCase()}:8081` });
    expect(res.status).toBe(201);
    relay[name] = { id: res.body.relay.id, token: res.body.relay.token };
  }
});
afterAll(async () => {
  await server?.dispose();
});

describe('deleting a package takes its content off the relays', () => {
  it('orders every relay that holds it to delete it, in one batch; a waiting transfer closes; a revoked relay is left out', async () => {
    await heartbeat('Oslo', [pkg.lone, pkg.twin]);
    await heartbeat('Bergen', [pkg.lone, pkg.doomed]);
    await heartbeat('Tromso', [pkg.lone]);
    expect((await post(`/api/relays/${relay.Tromso.id}/revoke`)).status).toBe(200);
    // Narvik does not hold it yet but was asked to fetch it.
    const transfer = await post<{ orders: { id: string }[] }>(`/api/relays/${relay.Narvik.id}/orders`, { kind: 'prefetch', packageId: pkg.lone.id });
    expect(transfer.status).toBe(201);

    // A deployer may delete packages without managing relays: the orders come with the deletion.
    expect((await del(`/api/packages/${pkg.lone.id}`)).status).toBe(204);

    const made: Record<string, Order> = {};
    for (const name of ['Oslo', 'Bergen', 'Narvik']) {
      const mine = (await ordersOf(name)).filter((o) => o.sha256 === pkg.lone.sha256 && o.kind === 'delete');
      expect(mine, name).toHaveLength(1);
      made[name] = mine[0];
      expect(made[name]).toMatchObject({ state: 'requested', packageId: null, packageLabel: 'lone 1.0.0 (generation 1)', packageDeleted: true, requestedBy: 'deployer-gone@depot.test', batchId: expect.any(String) });
    }
    expect(new Set(Object.values(made).map((o) => o.batchId)).size).toBe(1);
    expect((await ordersOf('Tromso')).filter((o) => o.kind === 'delete')).toEqual([]);
    expect((await ordersOf('Narvik')).find((o) => o.id === transfer.body.orders[0].id)).toMatchObject({
      state: 'failed',
      error: 'Its package was deleted before the relay fetched it; the server no longer has this content.',
    });

    // The relay learns it on its next heartbeat (the server has no such content any more: size 0)…
    const hb = await heartbeat('Oslo', [pkg.lone, pkg.twin]);
    expect(hb.orders).toEqual([{ orderId: made.Oslo.id, kind: 'delete', sha256: pkg.lone.sha256, size: 0 }]);
    // …and reports it done on the one after, without the file.
    const after = await heartbeat('Oslo', [pkg.twin], [{ orderId: made.Oslo.id, state: 'done', error: null }]);
    expect(after.orders).toEqual([]);
    expect((await ordersOf('Oslo')).find((o) => o.id === made.Oslo.id)).toMatchObject({ state: 'done', error: null });

    const html = await page(`/relays/${relay.Oslo.id}`);
    const row = orderRow(html, made.Oslo.id);
    for (const text of ['Deleted', 'lone 1.0.0 (generation 1)', `deleted package · ${pkg.lone.sha256.slice(0, 12)}…`]) expect(row).toContain(text);
    // Bergen's is still waiting.
    expect(orderRow(await page(`/relays/${relay.Bergen.id}`), made.Bergen.id)).toContain('Requested');
  });

  it('keeps content another package still has; the last one deleted orders it off, once per relay', async () => {
    expect((await del(`/api/packages/${pkg.twin.id}`)).status).toBe(204);
    expect((await ordersOf('Oslo')).filter((o) => o.sha256 === pkg.twin.sha256)).toEqual([]);
    expect((await heartbeat('Oslo', [pkg.twin])).orders).toEqual([]);

    // An admin already asked Oslo to delete it: deleting the last package adds no second order.
    const asked = await post<{ orders: { id: string }[] }>(`/api/relays/${relay.Oslo.id}/orders`, { kind: 'delete', packageId: pkg.twinAgain.id });
    expect(asked.status).toBe(201);
    await heartbeat('Bergen', [pkg.doomed, pkg.twin]);
    expect((await del(`/api/packages/${pkg.twinAgain.id}`)).status).toBe(204);
    const oslo = (await ordersOf('Oslo')).filter((o) => o.sha256 === pkg.twin.sha256);
    expect(oslo.map((o) => [o.id, o.state, o.packageDeleted])).toEqual([[asked.body.orders[0].id, 'requested', true]]);
    const bergen = (await ordersOf('Bergen')).filter((o) => o.sha256 === pkg.twin.sha256);
    expect(bergen).toMatchObject([{ kind: 'delete', state: 'requested', packageLabel: 'twin-again 1.0.0 (generation 1)', packageDeleted: true }]);
    expect((await heartbeat('Bergen', [pkg.doomed, pkg.twin])).orders.map((o) => [o.kind, o.sha256])).toEqual([
      ['delete', pkg.lone.sha256],
      ['delete', pkg.twin.sha256],
    ]);
  });

  it('deleting a cabinet orders its packages’ content off the relays too', async () => {
    expect((await del('/api/cabinets/doomed?confirm=doomed')).status).toBe(200);
    const bergen = (await ordersOf('Bergen')).filter((o) => o.sha256 === pkg.doomed.sha256);
    expect(bergen).toMatchObject([{ kind: 'delete', state: 'requested', packageLabel: 'doomed 1.0.0 (generation 1)', packageDeleted: true }]);
    const hb = await heartbeat('Bergen', [pkg.doomed, pkg.twin]);
    const outcomes = hb.orders.map((o) => ({ orderId: o.orderId, state: 'done' as const, error: null }));
    expect(outcomes).toHaveLength(3);
    expect((await heartbeat('Bergen', [], outcomes)).orders).toEqual([]);
    expect((await ordersOf('Bergen')).filter((o) => o.kind === 'delete').map((o) => o.state)).toEqual(['done', 'done', 'done']);
    // A bare content order (no package ever) is not called a deleted package.
    const bare = await post<{ orders: { id: string }[] }>(`/api/relays/${relay.Bergen.id}/orders`, { kind: 'delete', sha256: 'f'.repeat(64) });
    expect((await ordersOf('Bergen')).find((o) => o.id === bare.body.orders[0].id)).toMatchObject({ packageLabel: `content ${'f'.repeat(12)}…`, packageDeleted: false });
  });

  it('writes an audit row for each content ordered off the relays, and the orders outlive the packages', async () => {
    await server.stop();
    const rows = await server.inspect(async (db) => ({
      audit: await db.select().from(auditLog),
      orders: await db.select().from(relayOrders),
    }));
    await server.restart();
    const ordered = rows.audit.filter((a) => a.action === 'relay.order_delete' && a.targetType === 'content');
    expect(ordered.map((a) => [a.targetId, (a.after as { relays: string[] }).relays.sort()])).toEqual(
      expect.arrayContaining([
        [pkg.lone.sha256, ['Bergen', 'Narvik', 'Oslo']],
        [pkg.twin.sha256, ['Bergen']],
        [pkg.doomed.sha256, ['Bergen']],
      ]),
    );
    expect(ordered).toHaveLength(3);
    expect(rows.orders.filter((o) => o.kind === 'delete' && o.sha256 === pkg.lone.sha256)).toHaveLength(3);
    expect(rows.orders.every((o) => o.packageId === null)).toBe(true);
  });
});
