/**
 * Bad input to every JSON route (found from the file tree): malformed JSON, the wrong content
 * type, the wrong shape, missing fields and wrong types each get a 4xx naming the field, never a
 * 5xx. Runs as admin, who may call every route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type ApiResult, type Session } from './helpers/http';
import { routeMethods } from './helpers/inventory';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let realUserId: string;
let realPackageId: string;
let realTokenId: string;
const routes = routeMethods();
const bodyRoutes = routes.filter((r) => r.hasBody);
const queryRoutes = routes.filter((r) => r.hasQuery);

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const res = await api<{ user: { id: string } }>(server.url, '/api/users', {
    method: 'POST',
    session: admin,
    json: { email: 'target@depot.test', name: 'Target', role: 'user', password: 'validation-password' },
  });
  realUserId = res.body.user.id;
  await seedCabinet(server.url, admin, 'validation');
  realPackageId = (await seedPackage(server.url, admin, 'validation', 'validation-app')).id;
  realTokenId = (await api<{ token: { id: string } }>(server.url, '/api/tokens', { method: 'POST', session: admin, json: { name: 'v', role: 'auditor' } })).body.token.id;
});
afterAll(async () => {
  await server?.dispose();
});

type ErrorBody = { error?: { code?: string; field?: string; message?: string } };

function expectFieldError(res: ApiResult, status: number | number[], field?: string) {
  const body = res.body as ErrorBody;
  expect(Array.isArray(status) ? status : [status], JSON.stringify(res.body)).toContain(res.status);
  expect(body.error?.field, JSON.stringify(res.body)).toBeTruthy();
  if (field) expect(body.error?.field).toBe(field);
  expect(body.error?.message).toContain(body.error!.field!);
  expect(JSON.stringify(res.body)).not.toMatch(/at \S+\.(ts|js):\d+|select |insert |update |relation "/i);
}

// Routes about one row get a real row, so the body is what gets judged.
const pathOf = (p: string) =>
  p.replace(/\/api\/(users|cabinets|packages|tokens)\/00000000-0000-4000-8000-000000000000/, (_, kind: string) => {
    const real = { users: realUserId, cabinets: 'validation', packages: realPackageId, tokens: realTokenId }[kind];
    return `/api/${kind}/${real}`;
  });

describe.each(bodyRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_, r) => {
  it('refuses malformed JSON with 400 naming the body', async () => {
    expectFieldError(await api(server.url, pathOf(r.path), { method: r.method, session: admin, rawBody: '{"email": "x@y.z", ' }), 400, 'body');
  });

  it('refuses a body that is not JSON', async () => {
    expectFieldError(await api(server.url, pathOf(r.path), { method: r.method, session: admin, rawBody: 'email=x', contentType: 'application/x-www-form-urlencoded' }), 400, 'body');
  });

  it('refuses JSON of the wrong shape', async () => {
    for (const json of [[1, 2], 'text', 42, null]) {
      expectFieldError(await api(server.url, pathOf(r.path), { method: r.method, session: admin, json }), 422, 'body');
    }
  });

  it('names a missing field, then the same field given the wrong type', async () => {
    const empty = await api<ErrorBody>(server.url, pathOf(r.path), { method: r.method, session: admin, json: {} });
    expectFieldError(empty, 422);
    const field = empty.body.error!.field!;
    if (field === 'body') return; // every field optional: covered by the unknown-field case below
    for (const wrong of [12345, true, { $ne: 1 }, ['x']]) {
      expectFieldError(await api(server.url, pathOf(r.path), { method: r.method, session: admin, json: { [field]: wrong } }), 422);
    }
  });

  it('names an unknown or mistyped field', async () => {
    const res = await api<ErrorBody>(server.url, pathOf(r.path), { method: r.method, session: admin, json: { name: 12345, role: 'superuser', disabled: 'yes', password: 1 } });
    expectFieldError(res, 422);
  });
});

describe.each(queryRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_, r) => {
  it('names a bad query parameter', async () => {
    const res = await api(server.url, `${pathOf(r.path)}?page=abc&pageSize=-1&limit=abc&before=abc&role=superuser&confirm=${'x'.repeat(65)}`, { method: r.method, session: admin });
    expectFieldError(res, 422);
  });
});

describe('paged lists', () => {
  // A page past what the database can OFFSET to was a 500; it is a page number out of range.
  it.each(['/api/jobs', '/api/packages', '/api/users', '/api/machines', '/api/portal/catalog', '/api/portal/history'])('%s refuses a page past the last one it can answer, naming page', async (path) => {
    for (const page of ['9007199254740991', '1e300', '100001']) expectFieldError(await api(server.url, `${path}?page=${page}`, { session: admin }), 422, 'page');
    expect((await api(server.url, `${path}?page=100000`, { session: admin })).status).toBe(200);
  });
});

describe('row routes', () => {
  it('answers 404 for an unknown or malformed id, never 500', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
      const res = await api<ErrorBody>(server.url, `/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', session: admin, json: { name: 'x' } });
      expect(res.status).toBe(404);
      expect(res.body.error?.code).toBe('not_found');
    }
  });

  it('refuses a duplicate email naming the field', async () => {
    const res = await api(server.url, '/api/users', { method: 'POST', session: admin, json: { email: 'TARGET@depot.test', name: 'Again', role: 'user', password: 'validation-password' } });
    expectFieldError(res, 409, 'email');
  });

  it('refuses to leave the system without an active admin', async () => {
    const [me] = ((await api<{ users: { id: string }[] }>(server.url, `/api/users?q=${demoAdmin.email}`, { session: admin })).body.users);
    const res = await api<ErrorBody>(server.url, `/api/users/${me.id}`, { method: 'PATCH', session: admin, json: { disabled: true } });
    expect(res.status).toBe(409);
    expect(res.body.error?.message).toBe('You cannot disable your own account.');
  });
});

describe('last admin', () => {
  it('lets only one of two admins disabling each other at the same moment succeed', async () => {
    const make = async (email: string) =>
      (await api<{ user: { id: string } }>(server.url, '/api/users', { method: 'POST', session: admin, json: { email, name: email, role: 'admin', password: 'race-admin-password' } })).body.user.id;
    const aId = await make('race-a@depot.test');
    const bId = await make('race-b@depot.test');
    const a = await mustSignIn(server.url, 'race-a@depot.test', 'race-admin-password');
    const b = await mustSignIn(server.url, 'race-b@depot.test', 'race-admin-password');
    // Leave only these two as active admins.
    const [me] = (await api<{ users: { id: string }[] }>(server.url, `/api/users?q=${demoAdmin.email}`, { session: admin })).body.users;
    expect((await api(server.url, `/api/users/${me.id}`, { method: 'PATCH', session: a, json: { disabled: true } })).status).toBe(200);
    const results = await Promise.all([
      api(server.url, `/api/users/${bId}`, { method: 'PATCH', session: a, json: { disabled: true } }),
      api(server.url, `/api/users/${aId}`, { method: 'PATCH', session: b, json: { disabled: true } }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // One wins; the other is refused as the last admin, or finds its own session ended (401).
    expect(statuses[0]).toBe(200);
    expect([401, 409]).toContain(statuses[1]);
    const active = await api<{ users: { disabled: boolean }[] }>(server.url, '/api/users?role=admin', { session: statuses[0] === 200 && results[0].status === 200 ? a : b });
    expect(active.body.users.filter((u) => !u.disabled)).toHaveLength(1);
  });
});
