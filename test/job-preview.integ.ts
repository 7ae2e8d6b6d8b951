import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, testFacts, type EnrolledMachine } from './helpers/agent';
import { demoAdmin, demoUser } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { manifestFor, seedCabinet, uploadPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let m: EnrolledMachine[];
let packageId: string;

type Preview = { machines: number; alreadyInstalled: number; failConditions: number; failExamples: { hostname: string; reason: string }[]; noInventory: number; firstStart: string | null; lastStart: string | null };
type ErrorBody = { error: { code: string; field?: string; message: string } };
const post = <T = unknown>(path: string, json: unknown, session = admin) => api<T & ErrorBody>(server.url, path, { method: 'POST', session, json });
const preview = async (json: unknown) => post<{ preview: Preview }>('/api/jobs/preview', json);
const agentCall = (machine: EnrolledMachine, path: string, body: unknown) =>
  fetch(`${server.url}/api/agent/v1/${path}`, { method: 'POST', headers: { authorization: `Bearer ${machine.identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(server.url, admin, 'preview');
  m = [];
  for (const name of ['big', 'small', 'silent']) m.push(await enrollTestMachine(server.url, secret, `pv-${name}`));
  // big has 64 GiB free on /, small 1 GiB; silent never reports inventory.
  for (const [i, free, name] of [[0, 64, 'pv-big'], [1, 1, 'pv-small']] as const) {
    const facts = { ...testFacts(name), disks: [{ mount: '/', sizeBytes: 100 * 2 ** 30, freeBytes: free * 2 ** 30 }] };
    expect((await agentCall(m[i], 'inventory', facts)).status).toBe(200);
  }
  await seedCabinet(server.url, admin, 'preview');
  const upload = await uploadPackage(server.url, admin, 'preview', manifestFor('roomy', { conditions: { minFreeDisk: { path: '/opt', mib: 4096 } } }), '#!/bin/sh\necho roomy\n');
  expect(upload.status).toBe(201);
  packageId = upload.body.package!.id;
});
afterAll(async () => {
  await server?.dispose();
});

describe('job preview', () => {
  it('counts destinations, machines that fail the conditions and those without inventory, and creates nothing', async () => {
    const ids = m.map((x) => x.identity.machineId);
    const res = await preview({ kind: 'install', packageId, machineIds: ids, timing: 'asap' });
    expect(res.status).toBe(200);
    expect(res.body.preview).toMatchObject({ machines: 3, alreadyInstalled: 0, failConditions: 1, noInventory: 1 });
    expect(res.body.preview.failExamples).toEqual([{ hostname: 'pv-small', reason: 'needs 4.0 GiB free on /opt, has 1.0 GiB' }]);
    const jobs = await api<{ jobs: unknown[] }>(server.url, '/api/jobs', { session: admin });
    expect(jobs.body.jobs).toHaveLength(0);
  });

  it('says when the first and last machines would start, in their own windows and zones', async () => {
    // Windows every day at 22:00 in UTC for one machine; the other has none (any time).
    expect((await api(server.url, `/api/machines/${m[0].identity.machineId}/windows`, { method: 'PUT', session: admin, json: { windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '22:00', minutes: 60 })) } })).status).toBe(200);
    const before = Date.now();
    const res = await preview({ kind: 'install', packageId, machineIds: [m[0].identity.machineId, m[1].identity.machineId], timing: 'windows' });
    expect(res.status).toBe(200);
    const first = Date.parse(res.body.preview.firstStart!);
    const last = new Date(res.body.preview.lastStart!);
    expect(first).toBeGreaterThanOrEqual(before - 1000);
    expect(first).toBeLessThan(Date.now() + 1000);
    // 22:00 today, or tomorrow when it has passed (and now when the window is open).
    expect(last.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect(last.getUTCHours() === 22 || last.getTime() <= Date.now() + 1000).toBe(true);
  });

  it('counts machines where Depot already installed this version', async () => {
    const created = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId, machineIds: [m[0].identity.machineId], timing: 'asap' });
    expect(created.status).toBe(201);
    const view = await api<{ assignments: { id: string }[] }>(server.url, `/api/jobs/${created.body.job.id}`, { session: admin });
    const done = await agentCall(m[0], 'report', { events: [{ assignmentId: view.body.assignments[0].id, attempt: 1, state: 'installed', at: new Date().toISOString() }] });
    expect(done.status).toBe(200);
    const res = await preview({ kind: 'install', packageId, machineIds: m.map((x) => x.identity.machineId), timing: 'asap' });
    expect(res.body.preview.alreadyInstalled).toBe(1);
  });

  it('fails exactly where creating would, and only deployers may preview', async () => {
    const empty = await preview({ kind: 'install', packageId, machineIds: [], timing: 'asap' });
    expect(empty.status).toBe(422);
    expect(empty.body.error.field).toBe('machineIds');
    const unknown = await preview({ kind: 'install', packageId: '00000000-0000-4000-8000-000000000000', machineIds: [m[0].identity.machineId] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.field).toBe('packageId');
    const cap = await preview({ kind: 'install', packageId, machineIds: [m[0].identity.machineId], maxConcurrent: 0 });
    expect(cap.status).toBe(422);
    expect(cap.body.error.field).toBe('maxConcurrent');
    const user = await mustSignIn(server.url, demoUser.email, demoUser.password);
    expect((await post('/api/jobs/preview', { kind: 'install', packageId, machineIds: [m[0].identity.machineId] }, user)).status).toBe(403);
  });
});
