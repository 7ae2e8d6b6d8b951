/**
 * Blackout dates of groups, through the real server: validation naming the field, the members'
 * plans (version bump and the merged dates), the audit row, and who may set them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
const sessions = {} as Record<'admin' | 'deployer' | 'auditor' | 'user', Session>;
let machines: EnrolledMachine[];
let lab: string;
let night: string;

/** A date `days` from today (UTC), "YYYY-MM-DD". */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  server = await startServer();
  sessions.admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  for (const role of ['deployer', 'auditor', 'user'] as const) {
    const email = `${role}-blackout@depot.test`;
    const res = await api(server.url, '/api/users', { method: 'POST', session: sessions.admin, json: { email, name: role, role, password: 'blackout-test-password' } });
    expect(res.status).toBe(201);
    sessions[role] = await mustSignIn(server.url, email, 'blackout-test-password');
  }
  const secret = await createSecret(server.url, sessions.admin, 'blackout');
  machines = [await enrollTestMachine(server.url, secret, 'bo-a'), await enrollTestMachine(server.url, secret, 'bo-b'), await enrollTestMachine(server.url, secret, 'bo-c')];
  lab = await createGroup('blackout lab', [machines[0], machines[1]]);
  night = await createGroup('blackout night', [machines[1]]);
});
afterAll(async () => {
  await server?.dispose();
});

type ErrorBody = { error: { code: string; field?: string; message: string } };
type PlanBody = { version: number; blackoutDates: string[] };

async function createGroup(name: string, members: EnrolledMachine[]): Promise<string> {
  const group = await api<{ group: { id: string } }>(server.url, '/api/groups', { method: 'POST', session: sessions.admin, json: { name } });
  expect(group.status).toBe(201);
  const joined = await api(server.url, `/api/groups/${group.body.group.id}/members`, { method: 'POST', session: sessions.admin, json: { machineIds: members.map((m) => m.identity.machineId) } });
  expect(joined.status).toBe(200);
  return group.body.group.id;
}
const put = (groupId: string, json: unknown, session: Session = sessions.admin) =>
  api<ErrorBody & { group: { id: string; blackoutDates: string[] } }>(server.url, `/api/groups/${groupId}/blackout`, { method: 'PUT', session, json });
const plan = async (m: EnrolledMachine): Promise<PlanBody> => {
  const res = await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m.identity.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as PlanBody;
};
const storedDates = async (groupId: string) => (await api<{ group: { blackoutDates: string[] } }>(server.url, `/api/groups/${groupId}`, { session: sessions.admin })).body.group.blackoutDates;

describe('group blackout dates', () => {
  it('refuses bad input with 422 naming the field, and changes nothing', async () => {
    const before = await Promise.all(machines.map(plan));
    const cases: [unknown, string][] = [
      [{ blackoutDates: ['2027-02-30'] }, 'blackoutDates.0'],
      [{ blackoutDates: [day(1), '2027-13-01'] }, 'blackoutDates.1'],
      [{ blackoutDates: [day(1), 'tomorrow'] }, 'blackoutDates.1'],
      [{ blackoutDates: [20270101] }, 'blackoutDates.0'],
      [{ blackoutDates: '2027-01-01' }, 'blackoutDates'],
      [{ blackoutDates: Array.from({ length: 367 }, (_, i) => day(i)) }, 'blackoutDates'],
      [{}, 'blackoutDates'],
      [{ blackoutDates: [], dates: [] }, 'dates'],
    ];
    for (const [json, field] of cases) {
      const res = await put(lab, json);
      expect({ status: res.status, code: res.body.error?.code, field: res.body.error?.field }, JSON.stringify(json).slice(0, 80)).toEqual({ status: 422, code: 'invalid_input', field });
      expect(res.body.error.message).toContain(field);
    }
    expect((await put(lab, { blackoutDates: ['2027-02-30'] })).body.error.message).toBe('blackoutDates.0: expected a real calendar date YYYY-MM-DD');
    expect((await put('00000000-0000-4000-8000-00000000000b', { blackoutDates: [day(1)] })).status).toBe(404);
    expect((await Promise.all(machines.map(plan))).map((p) => p.version)).toEqual(before.map((p) => p.version));
    expect(await storedDates(lab)).toEqual([]);
  });

  it('stores the dates merged and sorted, bumps exactly the members’ plans, and the plans carry them', async () => {
    const before = await Promise.all(machines.map(plan));
    const res = await put(lab, { blackoutDates: [day(10), day(2), '2020-01-01', day(10), day(-1)] });
    expect(res.status).toBe(200);
    // Dates before yesterday can hold nothing back any more: they are not kept.
    expect(res.body.group).toEqual({ id: lab, blackoutDates: [day(-1), day(2), day(10)] });
    expect(await storedDates(lab)).toEqual([day(-1), day(2), day(10)]);

    const after = await Promise.all(machines.map(plan));
    expect(after.map((p, i) => p.version - before[i].version)).toEqual([1, 1, 0]);
    // Long over everywhere: left out; yesterday may still be today somewhere west: kept.
    expect(after[0].blackoutDates).toEqual([day(-1), day(2), day(10)]);
    expect(after[2].blackoutDates).toEqual([]);
    // The plan poll sees the change: the old version is no longer current.
    const poll = await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${machines[0].identity.token}`, 'if-none-match': `"${machines[0].identity.machineId}.${before[0].version}"` } });
    expect(poll.status).toBe(200);
  });

  it('gives a machine in two groups the union of their dates', async () => {
    expect((await put(night, { blackoutDates: [day(5), day(2)] }, sessions.deployer)).status).toBe(200);
    expect((await plan(machines[1])).blackoutDates).toEqual([day(-1), day(2), day(5), day(10)]);
    expect((await plan(machines[0])).blackoutDates).toEqual([day(-1), day(2), day(10)]);
  });

  it('writes an audit row with the dates before and after', async () => {
    const audit = await api<{ entries: { action: string; targetId: string; actorLabel: string; before: unknown; after: unknown }[] }>(server.url, '/api/audit?action=group.blackout', { session: sessions.auditor });
    expect(audit.status).toBe(200);
    const mine = audit.body.entries.filter((e) => e.targetId === lab);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ before: { blackoutDates: [] }, after: { blackoutDates: [day(-1), day(2), day(10)] } });
  });

  it('lets only deployers and admins set them (auditor and user: 403)', async () => {
    const before = await plan(machines[0]);
    for (const role of ['auditor', 'user'] as const) {
      const res = await put(lab, { blackoutDates: [day(3)] }, sessions[role]);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 403, code: 'forbidden' });
    }
    const anonymous = await api<ErrorBody>(server.url, `/api/groups/${lab}/blackout`, { method: 'PUT', json: { blackoutDates: [day(3)] } });
    expect({ status: anonymous.status, code: anonymous.body.error?.code }).toEqual({ status: 401, code: 'unauthorized' });
    expect(await storedDates(lab)).toEqual([day(-1), day(2), day(10)]);
    expect((await plan(machines[0])).version).toBe(before.version);
  });

  it('shows them on the group page: with remove buttons to deployers, read-only to auditors', async () => {
    const page = async (session: Session) => {
      const res = await fetch(`${server.url}/groups/${night}`, { headers: { cookie: session.cookie }, redirect: 'manual' });
      expect(res.status).toBe(200);
      return (await res.text()).replaceAll('<!-- -->', '');
    };
    const deployer = await page(sessions.deployer);
    expect(deployer).toContain('No installs start on these days on member machines, in each machine’s own time zone; deadlines wait too.');
    expect(deployer).toContain(`aria-label="Remove ${day(5)}"`);
    expect(deployer).toContain('type="date"');
    const auditor = await page(sessions.auditor);
    expect(auditor).toContain('deadlines wait too');
    expect(auditor).not.toContain(`aria-label="Remove ${day(5)}"`);
    expect(auditor).not.toContain('type="date"');
  });

  it('clears them with an empty list', async () => {
    expect((await put(lab, { blackoutDates: [] })).body.group.blackoutDates).toEqual([]);
    expect((await plan(machines[0])).blackoutDates).toEqual([]);
    expect((await plan(machines[1])).blackoutDates).toEqual([day(2), day(5)]);
  });

  it('adds and removes one date at a time against the stored list, so two editors at once both keep theirs', async () => {
    const patch = (json: unknown) => api<{ group: { blackoutDates: string[] }; error?: { field?: string } }>(server.url, `/api/groups/${lab}/blackout`, { method: 'PATCH', session: sessions.deployer, json });
    const [a, b] = await Promise.all([patch({ add: day(20) }), patch({ add: day(21) })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await storedDates(lab)).toEqual([day(20), day(21)]);
    expect((await patch({ remove: day(20) })).body.group.blackoutDates).toEqual([day(21)]);
    const bad = await patch({ add: '2027-02-30' });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.field).toBe('add');
    expect(await storedDates(lab)).toEqual([day(21)]);
  });
});
