/**
 * The end user's installation windows and self-service groups, through the real server: saving
 * windows for one's own machine (the agent's plan changes, its version moves), refusals with 422
 * naming the field (overlap, length, guardrails, zone), the preview against the agent's own
 * computation from its plan, joining and leaving self-service groups as a late joiner, and the
 * admin's guardrails on groups.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import { installTime, type AssignmentTiming } from '@/lib/schedule/install-time';
import { testFacts } from './helpers/agent';
import { createSecret } from './helpers/agent';
import { demoAdmin, demoUser } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let user: Session;
let other: Session;
let secret: string;
let packageId: string;
const m: Record<string, { id: string; token: string }> = {};
const g: Record<string, string> = {};

const BERLIN = 'Europe/Berlin';
// "Only outside 08:00-18:00": 18:00 → 08:00 every day.
const outsideWorkingHours = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '18:00', minutes: 840 }));
// Every evening 20:00-22:00 in Berlin: 14 h a week, inside the envelope.
const evenings: InstallationWindow[] = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '20:00', minutes: 120 }));
const saturdayNight: InstallationWindow[] = [{ day: 6, start: '22:00', minutes: 360 }];

type ErrorBody = { error: { code: string; field?: string; message: string } };
type Plan = { version: number; timeZone: string; windows: InstallationWindow[]; blackoutDates: string[]; assignments: { jobName: string }[] };
type Opening = { start: string; end: string | null };
type Saved = { machine: { windows: InstallationWindow[] | null; planVersion: number; nextOpenings: Opening[] } };

async function enrol(hostname: string, timeZone: string, owner: string | null) {
  const res = await api<{ machineId: string; token: string }>(server.url, '/api/agent/v1/enroll', { method: 'POST', json: { secret, hostname, timeZone } });
  expect(res.status).toBe(201);
  m[hostname] = { id: res.body.machineId, token: res.body.token };
  if (owner) expect((await api(server.url, `/api/machines/${res.body.machineId}/owner`, { method: 'PUT', session: admin, json: { ownerId: owner } })).status).toBe(200);
}
async function group(name: string, description = '') {
  const res = await api<{ group: { id: string } }>(server.url, '/api/groups', { method: 'POST', session: admin, json: { name, description } });
  expect(res.status).toBe(201);
  g[name] = res.body.group.id;
}
const addMembers = async (groupName: string, ...hosts: string[]) =>
  expect((await api(server.url, `/api/groups/${g[groupName]}/members`, { method: 'POST', session: admin, json: { machineIds: hosts.map((h) => m[h].id) } })).status).toBe(200);
const guardrails = (groupName: string, json: unknown) => api<ErrorBody & { group: { membersBreaking: string[] } }>(server.url, `/api/groups/${g[groupName]}/guardrails`, { method: 'PUT', session: admin, json });
const plan = async (host: string): Promise<Plan> => {
  const res = await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m[host].token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Plan;
};
const putWindows = (host: string, json: unknown, session = user) => api<ErrorBody & Saved>(server.url, `/api/portal/machines/${m[host].id}/windows`, { method: 'PUT', session, json });
const join = (host: string, groupName: string, session = user) => api<ErrorBody & { membership: { assignments: number } }>(server.url, `/api/portal/machines/${m[host].id}/groups/${g[groupName]}`, { method: 'POST', session });
const leave = (host: string, groupName: string, session = user) => api<ErrorBody>(server.url, `/api/portal/machines/${m[host].id}/groups/${g[groupName]}`, { method: 'DELETE', session });
const assignmentsOf = async (host: string) => (await api<{ machine: { assignments: { jobName: string; state: string }[] } }>(server.url, `/api/machines/${m[host].id}`, { session: admin })).body.machine.assignments;
const auditActions = async (q: string) => (await api<{ entries: { action: string; actorLabel: string }[] }>(server.url, `/api/audit?q=${encodeURIComponent(q)}`, { session: admin })).body.entries.map((e) => e.action);
const page = async (path: string, session: Session) => {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
  return { status: res.status, html: await res.text() };
};
const error = (res: { status: number; body: ErrorBody }) => ({ status: res.status, code: res.body.error?.code, field: res.body.error?.field });

/** The agent's choice for an install in the windows: installTime from its own plan, from now and from the end of each opening. */
function agentOpenings(p: Plan, preview: Opening[], now: Date): string[] {
  const timing = (notBefore: string | null): AssignmentTiming => ({ kind: 'install', timing: 'windows', startAt: null, notBefore, deadline: null, loadSpreading: false });
  return preview.map((_, i) => installTime(timing(i === 0 ? null : preview[i - 1].end), p.windows, p.timeZone, now, 0, { blackoutDates: p.blackoutDates }).toISOString());
}

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  user = await mustSignIn(server.url, demoUser.email, demoUser.password);
  const created = await api<{ user: { id: string } }>(server.url, '/api/users', { method: 'POST', session: admin, json: { email: 'other-windows@depot.test', name: 'Other', role: 'user', password: 'other-windows-password' } });
  expect(created.status).toBe(201);
  other = await mustSignIn(server.url, 'other-windows@depot.test', 'other-windows-password');
  const users = await api<{ users: { id: string; email: string }[] }>(server.url, '/api/users', { session: admin });
  const userId = users.body.users.find((u) => u.email === demoUser.email)!.id;
  secret = await createSecret(server.url, admin, 'portal-windows');
  await enrol('mine-1', BERLIN, userId);
  await enrol('mine-2', BERLIN, userId);
  await enrol('theirs-1', BERLIN, created.body.user.id);

  // Laptops: admin-managed, windows only outside working hours, at least 10 h a week, two blackout days.
  await group('Laptops');
  await addMembers('Laptops', 'mine-1', 'mine-2', 'theirs-1');
  expect((await api(server.url, `/api/groups/${g.Laptops}/windows`, { method: 'PUT', session: admin, json: { windows: saturdayNight } })).status).toBe(200);
  const today = DateTime.now().setZone(BERLIN);
  const blackout = [today.plus({ days: 1 }).toISODate()!, today.plus({ days: 2 }).toISODate()!];
  expect((await api(server.url, `/api/groups/${g.Laptops}/blackout`, { method: 'PUT', session: admin, json: { blackoutDates: blackout } })).status).toBe(200);
  expect((await guardrails('Laptops', { selfService: false, windowEnvelope: outsideWorkingHours, minOpenMinutes: 600 })).status).toBe(200);

  // Developers: self-service, with an offer and a mandatory install; Night owls: self-service, 00:00-06:00 only.
  await group('Developers', 'Compilers, editors and the VPN client for developers.');
  expect((await guardrails('Developers', { selfService: true, windowEnvelope: null, minOpenMinutes: null })).status).toBe(200);
  await group('Night owls', 'Installs only after midnight.');
  expect((await guardrails('Night owls', { selfService: true, windowEnvelope: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', minutes: 360 })), minOpenMinutes: null })).status).toBe(200);
  await group('Locked');

  await seedCabinet(server.url, admin, 'portal-windows');
  packageId = (await seedPackage(server.url, admin, 'portal-windows', 'dev-tools')).id;
  for (const [kind, name] of [['offer', 'dev tools offer'], ['install', 'vpn client']] as const) {
    expect((await api(server.url, '/api/jobs', { method: 'POST', session: admin, json: { kind, name, packageId, groupIds: [g.Developers], timing: 'windows' } })).status).toBe(201);
  }
});
afterAll(async () => {
  await server?.dispose();
});

describe('the user’s installation windows', () => {
  it('saves windows for their own machine: the plan carries them, its version moves, the audit says who', async () => {
    const before = await plan('mine-1');
    const saved = await putWindows('mine-1', { windows: evenings, timeZone: BERLIN });
    expect(saved.status).toBe(200);
    expect(saved.body.machine.windows).toEqual(evenings);
    const after = await plan('mine-1');
    expect(after.windows).toEqual(evenings);
    expect(after.version).toBeGreaterThan(before.version);
    expect(saved.body.machine.planVersion).toBe(after.version);
    const audit = await api<{ entries: { action: string; actorLabel: string; targetLabel: string }[] }>(server.url, '/api/audit?q=mine-1', { session: admin });
    expect(audit.body.entries.find((e) => e.action === 'portal.windows')?.actorLabel).toContain(demoUser.email);
  });

  it('previews exactly the openings the agent computes from its plan, skipping the groups’ blackout days', async () => {
    const got = await api<{ machine: { nextOpenings: Opening[]; blackoutDates: string[]; timeZone: string } }>(server.url, `/api/portal/machines/${m['mine-1'].id}/windows`, { session: user });
    expect(got.status).toBe(200);
    expect(got.body.machine.timeZone).toBe(BERLIN);
    const now = new Date();
    const preview = got.body.machine.nextOpenings;
    const p = await plan('mine-1');
    expect(preview).toHaveLength(5);
    expect(agentOpenings(p, preview, now)).toEqual(preview.map((o) => new Date(Math.max(now.getTime(), Date.parse(o.start))).toISOString()));
    // Each is 20:00-22:00 Berlin time, none on a blackout day.
    for (const o of preview) {
      const start = DateTime.fromISO(o.start, { zone: BERLIN });
      expect(p.blackoutDates).not.toContain(start.toISODate());
      expect(DateTime.fromISO(o.end!, { zone: BERLIN }).toFormat('HH:mm')).toBe('22:00');
    }
    expect(p.blackoutDates).toHaveLength(2);
    // The save answered with the same preview.
    const saved = await putWindows('mine-1', { windows: evenings, timeZone: BERLIN });
    expect(saved.body.machine.nextOpenings.slice(1)).toEqual(preview.slice(1));
  });

  it('refuses each bad input with 422 naming the field, and changes nothing', async () => {
    const before = await plan('mine-1');
    const cases: [unknown, string, RegExp][] = [
      [{ windows: [{ day: 1, start: '20:00', minutes: 120 }, { day: 1, start: '21:00', minutes: 60 }], timeZone: BERLIN }, 'windows.1', /overlaps window 1/],
      [{ windows: [{ day: 1, start: '20:00', minutes: 1441 }], timeZone: BERLIN }, 'windows.0.minutes', /at most 1440 minutes/],
      [{ windows: [...evenings.slice(1), { day: 0, start: '09:00', minutes: 120 }], timeZone: BERLIN }, 'windows.6', /Window 7 \(Sun 09:00 for 2 h\) runs Sun 09:00–11:00, outside the hours group Laptops allows: every day 18:00–08:00/],
      [{ windows: [{ day: 1, start: '20:00', minutes: 180 }], timeZone: BERLIN }, 'windows', /3 h a week is open; group Laptops needs at least 10 h so mandatory installs cannot be starved/],
      [{ windows: [], timeZone: BERLIN }, 'windows', /No windows means any time, but group Laptops allows installs only every day 18:00–08:00/],
      [{ windows: evenings, timeZone: 'Mars/Olympus' }, 'timeZone', /unknown time zone "Mars\/Olympus"/],
      [{ windows: evenings, timeZone: 'America/New_York' }, 'timeZone', /windows are in the machine’s own time zone, Europe\/Berlin/],
      [{ windows: evenings }, 'timeZone', /required/],
    ];
    for (const [json, field, message] of cases) {
      const res = await putWindows('mine-1', json);
      expect(error(res), JSON.stringify(json)).toEqual({ status: 422, code: 'invalid_input', field });
      expect(res.body.error.message).toMatch(message);
    }
    expect((await plan('mine-1')).version).toBe(before.version);
  });

  it('refuses windows meant in the zone the machine had before it moved', async () => {
    const facts = { ...testFacts('mine-2'), timeZone: 'Europe/London' };
    expect((await fetch(`${server.url}/api/agent/v1/inventory`, { method: 'POST', headers: { authorization: `Bearer ${m['mine-2'].token}`, 'content-type': 'application/json' }, body: JSON.stringify(facts) })).status).toBe(200);
    // The page was opened while it was in Berlin.
    const stale = await putWindows('mine-2', { windows: evenings, timeZone: BERLIN });
    expect(error(stale)).toEqual({ status: 422, code: 'invalid_input', field: 'timeZone' });
    expect(stale.body.error.message).toContain('windows are in the machine’s own time zone, Europe/London');
    expect((await putWindows('mine-2', { windows: evenings, timeZone: 'Europe/London' })).status).toBe(200);
  });

  it('clears back to the groups’ defaults', async () => {
    const before = await plan('mine-2');
    const cleared = await putWindows('mine-2', { windows: null, timeZone: 'Europe/London' });
    expect(cleared.status).toBe(200);
    expect(cleared.body.machine.windows).toBeNull();
    const after = await plan('mine-2');
    expect(after.windows).toEqual(saturdayNight);
    expect(after.version).toBeGreaterThan(before.version);
    const got = await api<{ machine: { source: string; ownWindows: unknown } }>(server.url, `/api/portal/machines/${m['mine-2'].id}/windows`, { session: user });
    expect(got.body.machine).toMatchObject({ source: 'groups', ownWindows: null });
  });

  it('answers 404 for another user’s machine or an unknown one, and leaves it alone', async () => {
    const before = await plan('theirs-1');
    for (const id of [m['theirs-1'].id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const path = `/api/portal/machines/${id}/windows`;
      expect(error(await api(server.url, path, { method: 'PUT', session: user, json: { windows: evenings, timeZone: BERLIN } }))).toEqual({ status: 404, code: 'not_found', field: undefined });
      expect((await api(server.url, path, { session: user })).status).toBe(404);
    }
    expect((await plan('theirs-1')).version).toBe(before.version);
    expect((await page(`/portal/machines/${m['theirs-1'].id}/windows`, user)).status).toBe(404);
    // Its owner may.
    expect((await putWindows('theirs-1', { windows: evenings, timeZone: BERLIN }, other)).status).toBe(200);
  });

  it('renders the overview and the editor with the zone, the rules, the blackout dates and the openings', async () => {
    const overview = await page('/portal/windows', user);
    expect(overview.status).toBe(200);
    expect(overview.html).toContain('mine-1');
    expect(overview.html).toContain('mine-2');
    expect(overview.html).not.toContain('theirs-1');
    expect(overview.html).toContain(`/portal/machines/${m['mine-1'].id}/windows`);
    const editor = await page(`/portal/machines/${m['mine-1'].id}/windows`, user);
    expect(editor.status).toBe(200);
    for (const text of ['Times are in its own time zone, Europe/Berlin', 'Laptops', 'Windows only every day 18:00–08:00', 'At least 10 h a week open', 'Next five openings', 'Clear: use my groups’ defaults']) expect(editor.html).toContain(text);
    expect(editor.html).toMatch(/data-testid="blackout-dates"/);
    // Another user with no machines gets the empty state.
    const empty = await page('/portal/windows', admin);
    expect(empty.html).toContain('No machines to schedule');
  });
});

describe('self-service groups', () => {
  it('lists the self-service groups with what the machine is in; admin-managed ones by name only', async () => {
    const res = await api<{ groups: { name: string; member: boolean; description: string; joinProblem: string | null }[]; managedGroups: { name: string }[] }>(server.url, `/api/portal/machines/${m['mine-1'].id}/groups`, { session: user });
    expect(res.status).toBe(200);
    expect(res.body.groups.map((x) => [x.name, x.member])).toEqual([
      ['Developers', false],
      ['Night owls', false],
    ]);
    expect(res.body.groups[0].description).toContain('Compilers');
    // Evenings do not fit Night owls' 00:00-06:00: said before anyone presses Join.
    expect(res.body.groups[1].joinProblem).toContain('outside the hours group Night owls allows');
    expect(res.body.managedGroups.map((x) => x.name)).toEqual(['Laptops']);
    expect((await api(server.url, `/api/portal/machines/${m['theirs-1'].id}/groups`, { session: user })).status).toBe(404);
  });

  it('joins a self-service group as a late joiner: the group’s offer and mandatory install reach the machine, its plan moves', async () => {
    const before = await plan('mine-1');
    const joined = await join('mine-1', 'Developers');
    expect(joined.status).toBe(200);
    expect(joined.body.membership.assignments).toBe(2);
    const after = await plan('mine-1');
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.assignments.map((a) => a.jobName)).toEqual(['vpn client']);
    const states = Object.fromEntries((await assignmentsOf('mine-1')).map((a) => [a.jobName, a.state]));
    expect(states).toEqual({ 'dev tools offer': 'offered', 'vpn client': 'pending' });
    expect(error(await join('mine-1', 'Developers'))).toEqual({ status: 409, code: 'conflict', field: undefined });
  });

  it('refuses to join a group whose guardrails the machine’s windows break, naming the window and what to change', async () => {
    const res = await join('mine-1', 'Night owls');
    expect(error(res)).toEqual({ status: 409, code: 'conflict', field: undefined });
    expect(res.body.error.message).toMatch(/mine-1’s installation windows do not fit group Night owls: Window 1 \(Sun 20:00 for 2 h\) runs Sun 20:00–22:00, outside the hours group Night owls allows: every day 00:00–06:00\. Change that/);
    // A machine following its groups' defaults has no windows of its own to break them.
    expect((await join('mine-2', 'Night owls')).status).toBe(200);
  });

  it('hides groups that are not self-service and other users’ machines behind 404', async () => {
    for (const res of [
      await join('mine-1', 'Locked'),
      await leave('mine-1', 'Laptops'),
      await join('theirs-1', 'Developers'),
      await api<ErrorBody>(server.url, `/api/portal/machines/${m['mine-1'].id}/groups/00000000-0000-4000-8000-000000000000`, { method: 'POST', session: user }),
    ]) {
      expect(error(res)).toEqual({ status: 404, code: 'not_found', field: undefined });
    }
    expect((await api<{ machine: { groups: { name: string }[] } }>(server.url, `/api/machines/${m['theirs-1'].id}`, { session: admin })).body.machine.groups.map((x) => x.name)).toEqual(['Laptops']);
  });

  it('leaves a group keeping what the machine got from it', async () => {
    const before = await plan('mine-1');
    const left = await leave('mine-1', 'Developers');
    expect(left.status).toBe(200);
    const states = Object.fromEntries((await assignmentsOf('mine-1')).map((a) => [a.jobName, a.state]));
    expect(states).toEqual({ 'dev tools offer': 'offered', 'vpn client': 'pending' });
    expect((await plan('mine-1')).version).toBeGreaterThan(before.version);
    expect(error(await leave('mine-1', 'Developers'))).toEqual({ status: 409, code: 'conflict', field: undefined });
    expect(await auditActions('mine-1')).toEqual(expect.arrayContaining(['portal.join_group', 'portal.leave_group', 'portal.windows']));
    const groupsPage = await page(`/portal/machines/${m['mine-1'].id}/groups`, user);
    expect(groupsPage.status).toBe(200);
    expect(groupsPage.html).toContain('Compilers, editors and the VPN client');
  });
});

describe('guardrails on groups (admin)', () => {
  it('refuses bad guardrails with 422 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ windowEnvelope: null, minOpenMinutes: null }, 'selfService'],
      [{ selfService: true, windowEnvelope: [], minOpenMinutes: null }, 'windowEnvelope'],
      [{ selfService: true, windowEnvelope: [{ day: 1, start: '18:00', minutes: 1500 }], minOpenMinutes: null }, 'windowEnvelope.0.minutes'],
      [{ selfService: true, windowEnvelope: null, minOpenMinutes: 10_081 }, 'minOpenMinutes'],
      [{ selfService: true, windowEnvelope: [{ day: 1, start: '18:00', minutes: 600 }], minOpenMinutes: 720 }, 'minOpenMinutes'],
    ];
    for (const [json, field] of cases) expect(error(await guardrails('Locked', json)), JSON.stringify(json)).toEqual({ status: 422, code: 'invalid_input', field });
    const tooMuch = await guardrails('Locked', cases[4][0]);
    expect(tooMuch.body.error.message).toBe('minOpenMinutes: 12 h a week is more than the envelope allows (10 h)');
  });

  it('tightening guardrails bumps no plan, keeps users’ windows, and names and shows the machines that now break them', async () => {
    const before = await Promise.all(['mine-1', 'mine-2', 'theirs-1'].map(plan));
    // Only 21:00-08:00 now: the evenings of mine-1 and theirs-1 start an hour early.
    const res = await guardrails('Laptops', { selfService: false, windowEnvelope: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '21:00', minutes: 660 })), minOpenMinutes: 600 });
    expect(res.status).toBe(200);
    expect(res.body.group.membersBreaking).toEqual(['mine-1', 'theirs-1']);
    const after = await Promise.all(['mine-1', 'mine-2', 'theirs-1'].map(plan));
    expect(after.map((p) => p.version)).toEqual(before.map((p) => p.version));
    expect(after[0].windows).toEqual(evenings);
    expect(await auditActions('Laptops')).toContain('group.guardrails');

    const groupPage = await page(`/groups/${g.Laptops}`, admin);
    expect(groupPage.html).toContain('data-testid="member-violations-mine-1"');
    expect(groupPage.html).not.toContain('data-testid="member-violations-mine-2"');
    expect(groupPage.html).toContain('2 members’ own windows break these guardrails');
    const machinePage = await page(`/machines/${m['mine-1'].id}`, admin);
    expect(machinePage.html).toContain('data-testid="guardrail-violations"');
    expect(machinePage.html).toContain('runs Sun 20:00–21:00, outside the hours group Laptops allows: every day 21:00–08:00');
    // The user sees it too, and must fit the new rules to save again.
    const mine = await api<{ machine: { violations: { groupName: string }[] } }>(server.url, `/api/portal/machines/${m['mine-1'].id}/windows`, { session: user });
    expect(mine.body.machine.violations.map((v) => v.groupName)).toEqual(Array(7).fill('Laptops'));
    expect(error(await putWindows('mine-1', { windows: evenings, timeZone: BERLIN }))).toEqual({ status: 422, code: 'invalid_input', field: 'windows.0' });
  });
});
