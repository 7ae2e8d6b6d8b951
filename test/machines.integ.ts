import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, testFacts, type EnrolledMachine } from './helpers/agent';
import { demoAdmin, demoUser } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let user: Session;
let userId: string;
const m: Record<string, EnrolledMachine> = {};
let packageId: string;

type Row = { id: string; hostname: string; owner: string | null; groups: { name: string }[]; pending: number; failed: number; online: boolean; retiredAt: string | null };
type List = { machines: Row[]; total: number };
type ErrorBody = { error: { code: string; field?: string; message: string } };

const agentCall = (machine: EnrolledMachine, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api/agent/v1/${path}`, { ...init, headers: { authorization: `Bearer ${machine.identity.token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
const list = async (query: string) => (await api<List>(server.url, `/api/machines?${query}`, { session: admin })).body;
const names = (l: List) => l.machines.map((r) => r.hostname);
const put = <T = unknown>(path: string, json: unknown, session = admin) => api<T & ErrorBody>(server.url, path, { method: 'PUT', session, json });
const post = <T = unknown>(path: string, json: unknown = {}, session = admin) => api<T & ErrorBody>(server.url, path, { method: 'POST', session, json });

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  user = await mustSignIn(server.url, demoUser.email, demoUser.password);
  const secret = await createSecret(server.url, admin, 'machines');
  for (const name of ['deb-1', 'deb-2', 'rhel-1', 'silent-1']) m[name] = await enrollTestMachine(server.url, secret, name);
  // Three machines report inventory (so they are seen); one of them runs another distribution.
  for (const name of ['deb-1', 'deb-2', 'rhel-1']) {
    const facts = testFacts(name);
    if (name === 'rhel-1') facts.os = { ...facts.os, distro: 'Red Hat Enterprise Linux', release: '9' };
    expect((await agentCall(m[name], 'inventory', { method: 'POST', body: JSON.stringify(facts) })).status).toBe(200);
  }
  const users = await api<{ users: { id: string; email: string }[] }>(server.url, '/api/users', { session: admin });
  userId = users.body.users.find((u) => u.email === demoUser.email)!.id;
  await seedCabinet(server.url, admin, 'machines');
  packageId = (await seedPackage(server.url, admin, 'machines', 'machine-app')).id;
});
afterAll(async () => {
  await server?.dispose();
});

describe('machines', () => {
  it('filters by host name, OS, state, owner and group, and pages', async () => {
    expect((await list('')).total).toBe(4);
    expect(names(await list('q=deb'))).toEqual(['deb-1', 'deb-2']);
    expect(names(await list('os=Red%20Hat%20Enterprise%20Linux'))).toEqual(['rhel-1']);
    // Enrolling counts as being seen.
    expect(names(await list('state=never'))).toEqual([]);
    expect(names(await list('state=online'))).toEqual(['deb-1', 'deb-2', 'rhel-1', 'silent-1']);
    expect(names(await list('state=offline'))).toEqual([]);

    expect((await put(`/api/machines/${m['deb-2'].identity.machineId}/owner`, { ownerId: userId })).status).toBe(200);
    expect(names(await list(`owner=${userId}`))).toEqual(['deb-2']);
    expect(names(await list('owner=none'))).toEqual(['deb-1', 'rhel-1', 'silent-1']);

    const group = await post<{ group: { id: string } }>('/api/groups', { name: 'Lab' });
    expect(group.status).toBe(201);
    const joined = await put<{ machine: { joined: number } }>(`/api/machines/${m['rhel-1'].identity.machineId}/groups`, { groupIds: [group.body.group.id] });
    expect(joined.status).toBe(200);
    expect(joined.body.machine.joined).toBe(1);
    const inGroup = await list(`group=${group.body.group.id}`);
    expect(names(inGroup)).toEqual(['rhel-1']);
    expect(inGroup.machines[0].groups.map((g) => g.name)).toEqual(['Lab']);

    const page2 = await list('pageSize=3&page=2');
    expect(page2.total).toBe(4);
    expect(names(page2)).toEqual(['silent-1']);
    // A query that does not parse names the parameter.
    const bad = await api<ErrorBody>(server.url, '/api/machines?state=asleep', { session: admin });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('state');
  });

  it('counts pending and failed assignments per machine, and finds machines with failures', async () => {
    const job = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId, machineIds: [m['deb-1'].identity.machineId, m['deb-2'].identity.machineId], timing: 'asap' });
    expect(job.status).toBe(201);
    const view = await api<{ assignments: { id: string; hostname: string }[] }>(server.url, `/api/jobs/${job.body.job.id}`, { session: admin });
    const mine = view.body.assignments.find((a) => a.hostname === 'deb-1')!;
    const failed = await agentCall(m['deb-1'], 'report', { method: 'POST', body: JSON.stringify({ events: [{ assignmentId: mine.id, attempt: 1, state: 'failed', at: new Date().toISOString(), exitCode: 3 }] }) });
    expect(failed.status).toBe(200);
    const rows = (await list('q=deb')).machines;
    expect(rows.map((r) => [r.hostname, r.pending, r.failed])).toEqual([
      ['deb-1', 0, 1],
      ['deb-2', 1, 0],
    ]);
    expect(names(await list('state=failing'))).toEqual(['deb-1']);
  });

  it('sets the owner and groups with clear errors, and only for deployers', async () => {
    const id = m['deb-1'].identity.machineId;
    const unknownUser = await put(`/api/machines/${id}/owner`, { ownerId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.body.error.field).toBe('ownerId');
    const notUuid = await put(`/api/machines/${id}/owner`, { ownerId: 'alice' });
    expect(notUuid.status).toBe(422);
    expect(notUuid.body.error.field).toBe('ownerId');
    const unknownGroup = await put(`/api/machines/${id}/groups`, { groupIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknownGroup.status).toBe(404);
    expect(unknownGroup.body.error.field).toBe('groupIds');
    expect((await put(`/api/machines/00000000-0000-4000-8000-000000000000/owner`, { ownerId: null })).status).toBe(404);
    expect((await put(`/api/machines/${id}/owner`, { ownerId: null }, user)).status).toBe(403);
    expect((await post(`/api/machines/${id}/retire`, {}, user)).status).toBe(403);

    const detail = await api<{ machine: { owner: string | null; groups: { name: string }[] } }>(server.url, `/api/machines/${m['deb-2'].identity.machineId}`, { session: admin });
    expect(detail.body.machine.owner).toBe(demoUser.email);
  });

  it('joining a group from the machine brings the group’s jobs; leaving keeps what it has', async () => {
    const group = await post<{ group: { id: string } }>('/api/groups', { name: 'Office' });
    const job = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId, groupIds: [group.body.group.id], timing: 'asap', name: 'office app' });
    expect(job.status).toBe(201);
    const id = m['deb-2'].identity.machineId;
    const joined = await put<{ machine: { assignments: number } }>(`/api/machines/${id}/groups`, { groupIds: [group.body.group.id] });
    expect(joined.body.machine.assignments).toBe(1);
    const left = await put<{ machine: { left: number } }>(`/api/machines/${id}/groups`, { groupIds: [] });
    expect(left.body.machine.left).toBe(1);
    const detail = await api<{ machine: { groups: unknown[]; assignments: { jobName: string; state: string }[] } }>(server.url, `/api/machines/${id}`, { session: admin });
    expect(detail.body.machine.groups).toEqual([]);
    expect(detail.body.machine.assignments.find((a) => a.jobName === 'office app')?.state).toBe('pending');
  });

  it('retires a machine: its token stops working, unstarted work is cancelled, its history stays', async () => {
    const target = m['deb-2'];
    const id = target.identity.machineId;
    const plan = (await (await agentCall(target, 'plan')).json()) as { assignments: { assignmentId: string }[] };
    expect(plan.assignments).toHaveLength(2);
    // One install is running when the machine is retired: it can never report its end.
    const running = plan.assignments[0].assignmentId;
    expect((await agentCall(target, 'report', { method: 'POST', body: JSON.stringify({ events: [{ assignmentId: running, attempt: 1, state: 'installing', at: new Date().toISOString() }] }) })).status).toBe(200);
    const retired = await post<{ machine: { cancelledAssignments: number; interruptedInstalls: number; leftGroups: string[] } }>(`/api/machines/${id}/retire`);
    expect(retired.status).toBe(200);
    expect(retired.body.machine).toMatchObject({ cancelledAssignments: 1, interruptedInstalls: 1 });
    expect((await agentCall(target, 'plan')).status).toBe(401);
    expect((await agentCall(target, 'report', { method: 'POST', body: JSON.stringify({ events: [] }) })).status).toBe(401);

    const again = await post(`/api/machines/${id}/retire`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('already retired');
    // Gone from the default list, still found as retired, with its history.
    expect(names(await list(''))).not.toContain('deb-2');
    expect(names(await list('state=retired'))).toEqual(['deb-2']);
    const detail = await api<{ machine: { retiredAt: string | null; assignments: { state: string; reason: string | null; history: { state: string; reason: string | null }[] }[] } }>(server.url, `/api/machines/${id}`, { session: admin });
    expect(detail.body.machine.retiredAt).not.toBeNull();
    const states = detail.body.machine.assignments.map((a) => [a.state, a.reason]).sort();
    expect(states).toEqual([
      ['cancelled', 'the machine was retired'],
      ['failed', 'the machine was retired during the install; its outcome is unknown'],
    ]);
    const cancelledOne = detail.body.machine.assignments.find((a) => a.state === 'cancelled')!;
    expect(cancelledOne.history.at(-1)).toMatchObject({ state: 'cancelled', reason: 'the machine was retired' });
    // Nothing can be changed on it any more, and a new job cannot reach it.
    expect((await put(`/api/machines/${id}/owner`, { ownerId: null })).status).toBe(404);
    const job = await post('/api/jobs', { kind: 'install', packageId, machineIds: [id], timing: 'asap' });
    expect(job.status).toBe(404);

    const audit = await api<{ entries: { action: string; targetLabel: string }[] }>(server.url, '/api/audit?q=deb-2', { session: admin });
    expect(audit.body.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['machine.retire', 'machine.owner', 'machine.groups']));
  });

  it('renders the machines page with its filters and the machine page with owner, groups and history', async () => {
    const page = await fetch(`${server.url}/machines?state=online&q=deb`, { headers: { cookie: admin.cookie } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Filter machines');
    expect(html).toContain('deb-1');
    expect(html).not.toContain('rhel-1</a>');
    const detail = await fetch(`${server.url}/machines/${m['deb-1'].identity.machineId}`, { headers: { cookie: admin.cookie } });
    const body = await detail.text();
    expect(body).toContain('Owner and groups');
    expect(body).toContain('Retire machine');
    expect(body).toContain('History (1)');
    // The inventory it reported is shown (the stored facts carry when they were reported).
    expect(body).toContain('Operating system');
    expect(body).toContain('Debian 12 (x64)');
  });
});
