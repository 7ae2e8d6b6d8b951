import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let machines: EnrolledMachine[];
let packageId: string;

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(server.url, admin, 'jobs');
  machines = [await enrollTestMachine(server.url, secret, 'job-a'), await enrollTestMachine(server.url, secret, 'job-b'), await enrollTestMachine(server.url, secret, 'job-c')];
  await seedCabinet(server.url, admin, 'jobs');
  packageId = (await seedPackage(server.url, admin, 'jobs', 'job-app')).id;
});
afterAll(async () => {
  await server?.dispose();
});

type ErrorBody = { error: { code: string; field?: string; message: string } };
const post = <T = unknown>(path: string, json?: unknown) => api<T & ErrorBody>(server.url, path, { method: 'POST', session: admin, json: json ?? {} });
const ids = () => machines.map((m) => m.identity.machineId);
const report = (m: EnrolledMachine, events: Record<string, unknown>[]) =>
  fetch(`${server.url}/api/agent/v1/report`, { method: 'POST', headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
const view = async (id: string) => (await api<{ job: { state: string }; counts: Record<string, number>; assignments: { id: string; machineId: string; hostname: string; state: string; attempt: number }[] }>(server.url, `/api/jobs/${id}`, { session: admin })).body;
const plan = async (m: EnrolledMachine) =>
  (await (await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m.identity.token}` } })).json()) as { version: number; assignments: { assignmentId: string; attempt: number }[] };

describe('jobs', () => {
  it('fans out to every destination in one go and bumps exactly their plans', async () => {
    const before = await Promise.all(machines.map(plan));
    const created = await post<{ job: { id: string }; assignments: number }>('/api/jobs', { kind: 'install', packageId, machineIds: ids().slice(0, 2), timing: 'asap' });
    expect(created.status).toBe(201);
    expect(created.body.assignments).toBe(2);
    const after = await Promise.all(machines.map(plan));
    expect(after[0].version).toBe(before[0].version + 1);
    expect(after[1].version).toBe(before[1].version + 1);
    expect(after[2].version).toBe(before[2].version);
    expect(after[0].assignments).toHaveLength(1);
    const job = await view(created.body.job.id);
    expect(job.counts).toEqual({ pending: 2 });
    // Time-ordered ids (UUID version 7: milliseconds since 1970 first), made in machine id order.
    for (const a of job.assignments) {
      expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Math.abs(parseInt(a.id.replace('-', '').slice(0, 12), 16) - Date.now())).toBeLessThan(60_000);
    }
    const byId = [...job.assignments].sort((x, y) => x.id.localeCompare(y.id)).map((a) => a.machineId);
    expect(byId).toEqual(job.assignments.map((a) => a.machineId).sort());
  });

  it('cancels what has not started, refuses to cancel twice, and the machines learn it', async () => {
    const { body } = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId, machineIds: ids(), timing: 'asap', name: 'to cancel' });
    const jobId = body.job.id;
    const rows = (await view(jobId)).assignments;
    const a = machines[0];
    const mine = rows.find((r) => r.hostname === 'job-a')!;
    await report(a, [
      { assignmentId: mine.id, attempt: 1, state: 'installing', at: new Date().toISOString() },
    ]);
    const cancelled = await post<{ assignments: number; job: { state: string } }>(`/api/jobs/${jobId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ assignments: 2, job: { state: 'cancelled' } });
    expect((await view(jobId)).counts).toEqual({ installing: 1, cancelled: 2 });
    expect((await plan(machines[1])).assignments.some((x) => rows.some((r) => r.id === x.assignmentId))).toBe(false);
    const again = await post(`/api/jobs/${jobId}/cancel`);
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'conflict' });
    // The install that was running finishes and is recorded.
    const done = await report(a, [{ assignmentId: mine.id, attempt: 1, state: 'installed', exitCode: 0, at: new Date().toISOString() }]);
    expect(((await done.json()) as { results: { outcome: string }[] }).results[0].outcome).toBe('applied');
  });

  it('suspends and resumes, and re-runs only the failed machines as a new attempt', async () => {
    const { body } = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId, machineIds: ids(), timing: 'asap', name: 'lifecycle' });
    const jobId = body.job.id;
    const rows = (await view(jobId)).assignments;
    const row = (host: string) => rows.find((r) => r.hostname === host)!;
    await report(machines[0], [{ assignmentId: row('job-a').id, attempt: 1, state: 'failed', exitCode: 1, at: new Date().toISOString() }]);
    await report(machines[1], [{ assignmentId: row('job-b').id, attempt: 1, state: 'installed', exitCode: 0, at: new Date().toISOString() }]);

    expect((await post(`/api/jobs/${jobId}/suspend`)).status).toBe(200);
    expect((await view(jobId)).counts).toEqual({ failed: 1, installed: 1, held: 1 });
    expect((await plan(machines[2])).assignments.some((x) => x.assignmentId === row('job-c').id)).toBe(false);
    expect((await post(`/api/jobs/${jobId}/suspend`)).status).toBe(409);
    expect((await post(`/api/jobs/${jobId}/rerun-failed`)).status).toBe(409);
    expect((await post(`/api/jobs/${jobId}/resume`)).status).toBe(200);
    expect((await view(jobId)).counts).toEqual({ failed: 1, installed: 1, pending: 1 });

    const rerun = await post<{ assignments: number }>(`/api/jobs/${jobId}/rerun-failed`);
    expect(rerun.body.assignments).toBe(1);
    const after = (await view(jobId)).assignments;
    expect(after.find((r) => r.hostname === 'job-a')).toMatchObject({ state: 'pending', attempt: 2 });
    expect(after.find((r) => r.hostname === 'job-b')).toMatchObject({ state: 'installed', attempt: 1 });
    expect((await plan(machines[0])).assignments.find((x) => x.assignmentId === row('job-a').id)?.attempt).toBe(2);
    // A report of the old attempt is refused; the new attempt's is applied.
    const stale = await report(machines[0], [{ assignmentId: row('job-a').id, attempt: 1, state: 'installed', at: new Date().toISOString() }]);
    expect(((await stale.json()) as { results: { outcome: string }[] }).results[0].outcome).toBe('refused');

    const audit = await api<{ entries: { action: string; targetId: string }[] }>(server.url, `/api/audit?q=lifecycle`, { session: admin });
    const actions = audit.body.entries.filter((e) => e.targetId === jobId).map((e) => e.action).sort();
    expect(actions).toEqual(['job.create', 'job.rerun_failed', 'job.resume', 'job.suspend']);
  });

  it('names what is wrong with a job', async () => {
    const unknownPackage = await post('/api/jobs', { kind: 'install', packageId: '00000000-0000-4000-8000-000000000001', machineIds: ids() });
    expect({ status: unknownPackage.status, field: unknownPackage.body.error.field }).toEqual({ status: 404, field: 'packageId' });
    const unknownMachine = await post('/api/jobs', { kind: 'install', packageId, machineIds: [ids()[0], '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001'] });
    expect({ status: unknownMachine.status, field: unknownMachine.body.error.field, message: unknownMachine.body.error.message }).toEqual({
      status: 404,
      field: 'machineIds',
      message: 'machineIds: no enrolled machine with id 00000000-0000-4000-8000-000000000002',
    });
    const empty = await post('/api/jobs', { kind: 'install', packageId, machineIds: [] });
    expect({ status: empty.status, field: empty.body.error.field }).toEqual({ status: 422, field: 'machineIds' });
    const order = await post('/api/jobs', { kind: 'install', packageId, machineIds: ids(), notBefore: '2030-01-02T00:00:00Z', deadline: '2030-01-01T00:00:00Z' });
    expect({ status: order.status, field: order.body.error.field }).toEqual({ status: 422, field: 'deadline' });
    const past = await post('/api/jobs', { kind: 'install', packageId, machineIds: ids(), timing: 'windows', deadline: '2020-01-01T00:00:00Z' });
    expect({ status: past.status, field: past.body.error.field }).toEqual({ status: 422, field: 'deadline' });
    expect((await post('/api/jobs/00000000-0000-4000-8000-000000000003/cancel')).status).toBe(404);
  });
});

describe('groups', () => {
  it('reaches late joiners, lets leavers keep what they have, and gives members its default windows', async () => {
    const m = [machines[0], machines[1]];
    const group = await post<{ group: { id: string } }>('/api/groups', { name: 'lab', windows: [{ day: 6, start: '23:00', minutes: 120 }] });
    expect(group.status).toBe(201);
    const groupId = group.body.group.id;
    expect((await post(`/api/groups/${groupId}/members`, { machineIds: [m[0].identity.machineId] })).body).toEqual({ joined: 1, assignments: 0 });
    const job = await post<{ job: { id: string }; assignments: number }>('/api/jobs', { kind: 'install', packageId, groupIds: [groupId], timing: 'windows', name: 'group job' });
    expect(job.body.assignments).toBe(1);

    // A late joiner gets the job; the plan carries the group's windows.
    const joined = await post<{ joined: number; assignments: number }>(`/api/groups/${groupId}/members`, { machineIds: [m[1].identity.machineId] });
    expect(joined.body).toEqual({ joined: 1, assignments: 1 });
    const p = (await (await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m[1].identity.token}` } })).json()) as { windows: unknown[]; assignments: { jobId: string }[] };
    expect(p.windows).toEqual([{ day: 6, start: '23:00', minutes: 120 }]);
    expect(p.assignments.some((a) => a.jobId === job.body.job.id)).toBe(true);
    expect((await view(job.body.job.id)).assignments.map((a) => a.hostname).sort()).toEqual(['job-a', 'job-b']);

    // Leaving keeps the assignment; joining again adds nothing twice.
    const left = await api(server.url, `/api/groups/${groupId}/members`, { method: 'DELETE', session: admin, json: { machineIds: [m[1].identity.machineId] } });
    expect(left.body).toEqual({ removed: 1 });
    expect((await view(job.body.job.id)).assignments).toHaveLength(2);
    expect((await post(`/api/groups/${groupId}/members`, { machineIds: [m[1].identity.machineId] })).body).toEqual({ joined: 1, assignments: 0 });

    // Named and in the group: still one assignment and one bump per machine.
    const before = await Promise.all(machines.map(plan));
    const both = await post<{ job: { id: string }; assignments: number }>('/api/jobs', { kind: 'install', packageId, machineIds: [m[0].identity.machineId, machines[2].identity.machineId], groupIds: [groupId], timing: 'asap', name: 'named and grouped' });
    expect(both.body.assignments).toBe(3);
    expect((await Promise.all(machines.map(plan))).map((x, i) => x.version - before[i].version)).toEqual([1, 1, 1]);
    expect((await view(both.body.job.id)).assignments.map((a) => a.hostname).sort()).toEqual(['job-a', 'job-b', 'job-c']);
    const retiredOrUnknown = await post('/api/jobs', { kind: 'install', packageId, machineIds: [m[0].identity.machineId, '00000000-0000-4000-8000-00000000000a'], groupIds: [groupId] });
    expect({ status: retiredOrUnknown.status, message: retiredOrUnknown.body.error.message }).toEqual({ status: 404, message: 'machineIds: no enrolled machine with id 00000000-0000-4000-8000-00000000000a' });
    expect((await Promise.all(machines.map(plan))).map((x, i) => x.version - before[i].version)).toEqual([1, 1, 1]);

    const unknown = await post('/api/jobs', { kind: 'install', packageId, groupIds: ['00000000-0000-4000-8000-000000000009'] });
    expect({ status: unknown.status, field: unknown.body.error.field }).toEqual({ status: 404, field: 'groupIds' });
    const duplicate = await post('/api/groups', { name: 'lab' });
    expect({ status: duplicate.status, field: duplicate.body.error.field }).toEqual({ status: 409, field: 'name' });
  });
});
