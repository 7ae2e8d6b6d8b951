/**
 * The portal's read side against the real server: My machines, the machine page, history and
 * notifications. The time the portal shows for a pending install is checked against the real
 * agent code (an in-process AgentDaemon with the same plan and clock), and every view is checked
 * from another user's side too.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, inProcessAgent, testFacts, type EnrolledMachine } from './helpers/agent';
import { demoAdmin, demoUser } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';
import { startTime } from '../agent/agent/notices';
import type { HistoryEntry } from '../lib/portal/list-my-history';
import type { MyMachineDetail } from '../lib/portal/get-my-machine';
import type { MyMachines } from '../lib/portal/list-my-machines';
import { formatLocal } from '../lib/schedule/relative-time';

const TZ = 'Asia/Kolkata'; // no daylight saving: "a week later" is exactly 7 × 24 h
const HOUR = 3600_000;

let server: TestServer;
let admin: Session;
let user: Session;
let other: Session;
const m: Record<string, EnrolledMachine> = {};
const id = (name: string) => m[name].identity.machineId;
const pkg: Record<string, string> = {};
let windowStart: Date;
let deadlineC: string;

type ErrorBody = { error: { code: string; message: string } };
const post = (path: string, json: unknown, session = admin) => api(server.url, path, { method: 'POST', session, json });
const put = (path: string, json: unknown, session = admin) => api(server.url, path, { method: 'PUT', session, json });
const agentCall = (name: string, path: string, body: unknown) =>
  fetch(`${server.url}/api/agent/v1/${path}`, { method: 'POST', headers: { authorization: `Bearer ${m[name].identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function createJob(body: Record<string, unknown>): Promise<string> {
  const res = await post('/api/jobs', body);
  if (res.status !== 201) throw new Error(`job: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { job: { id: string } }).job.id;
}

async function assignmentOf(jobId: string, hostname: string): Promise<string> {
  const res = await api<{ assignments: { id: string; hostname: string }[] }>(server.url, `/api/jobs/${jobId}`, { session: admin });
  return res.body.assignments.find((a) => a.hostname === hostname)!.id;
}

/** The local weekday and HH:MM of an instant in TZ, as a window takes them. */
function localWindow(at: Date, minutes: number) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: TZ, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (t: string) => parts.find((p) => p.type === t)!.value;
  return { day: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(part('weekday')), start: `${part('hour')}:${part('minute')}`, minutes };
}
const localDate = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(at);

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  user = await mustSignIn(server.url, demoUser.email, demoUser.password);
  const created = await post('/api/users', { email: 'other-owner@depot.test', name: 'Other', role: 'user', password: 'other-owner-password' });
  expect(created.status).toBe(201);
  other = await mustSignIn(server.url, 'other-owner@depot.test', 'other-owner-password');
  const users = (await api<{ users: { id: string; email: string }[] }>(server.url, '/api/users', { session: admin })).body.users;
  const userId = users.find((u) => u.email === demoUser.email)!.id;
  const otherId = users.find((u) => u.email === 'other-owner@depot.test')!.id;
  const adminId = users.find((u) => u.email === demoAdmin.email)!.id;

  const secret = await createSecret(server.url, admin, 'portal');
  for (const name of ['pc-12', 'pc-14', 'pc-13', 'lab-1', 'old-1']) {
    m[name] = await enrollTestMachine(server.url, secret, name);
    // The machine's facts set its zone, as a real agent's first poll does.
    expect((await agentCall(name, 'inventory', { ...testFacts(name), timeZone: TZ })).status).toBe(200);
  }
  for (const [name, owner] of [['pc-12', userId], ['pc-14', userId], ['old-1', userId], ['pc-13', otherId], ['lab-1', adminId]] as const) {
    expect((await put(`/api/machines/${id(name)}/owner`, { ownerId: owner })).status).toBe(200);
  }
  expect((await post(`/api/machines/${id('old-1')}/retire`, {})).status).toBe(200);

  await seedCabinet(server.url, admin, 'portal');
  for (const p of ['firefox-esr', 'gimp', 'office', 'broken', 'needs-libc']) pkg[p] = (await seedPackage(server.url, admin, 'portal', p)).id;

  // pc-12 and pc-14 install in one window that opens about three hours from now (in their zone),
  // so the server's clock and the test's agree on the next opening. pc-14's group blacks out
  // that day: its install moves to the same window a week later.
  windowStart = new Date(Math.ceil((Date.now() + 3 * HOUR) / 300_000) * 300_000);
  const windows = [localWindow(windowStart, 120)];
  for (const name of ['pc-12', 'pc-14']) expect((await put(`/api/machines/${id(name)}/windows`, { windows })).status).toBe(200);
  const group = await post('/api/groups', { name: 'Freeze' });
  const groupId = (group.body as { group: { id: string } }).group.id;
  expect((await put(`/api/groups/${groupId}/blackout`, { blackoutDates: [localDate(windowStart)] })).status).toBe(200);
  expect((await put(`/api/machines/${id('pc-14')}/groups`, { groupIds: [groupId] })).status).toBe(200);
});
afterAll(async () => {
  await server?.dispose();
  for (const x of Object.values(m)) fs.rmSync(x.dir, { recursive: true, force: true });
});

describe('portal history', () => {
  it('lists every attempt on the user’s machines with a readable reason: the exit code and last output lines of a failure, the condition of a skip', async () => {
    const broken = await createJob({ kind: 'install', packageId: pkg.broken, machineIds: [id('pc-12'), id('pc-13')], timing: 'asap' });
    const needs = await createJob({ kind: 'install', packageId: pkg['needs-libc'], machineIds: [id('pc-12')], timing: 'asap' });
    const output = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n');
    const report = (name: string, assignmentId: string, event: Record<string, unknown>) => agentCall(name, 'report', { events: [{ assignmentId, attempt: 1, at: new Date().toISOString(), ...event }] });
    expect((await report('pc-12', await assignmentOf(broken, 'pc-12'), { state: 'failed', exitCode: 3, reason: 'exit code 3 (success: 0)', output })).status).toBe(200);
    expect((await report('pc-12', await assignmentOf(needs, 'pc-12'), { state: 'skipped', reason: 'needs libc6 >=2.99, which is not installed' })).status).toBe(200);
    expect((await report('pc-13', await assignmentOf(broken, 'pc-13'), { state: 'failed', exitCode: 1, reason: 'exit code 1 (success: 0)', output: 'other user output' })).status).toBe(200);

    const mine = await api<{ entries: HistoryEntry[]; total: number }>(server.url, '/api/portal/history', { session: user });
    expect(mine.status).toBe(200);
    expect(mine.body.total).toBe(2);
    expect(mine.body.entries.map((e) => [e.hostname, e.what, e.outcome, e.summary, e.outputTail])).toEqual([
      ['pc-12', 'needs-libc app 1.0.0', 'skipped', 'Not installed: needs libc6 >=2.99, which is not installed.', []],
      ['pc-12', 'broken app 1.0.0', 'failed', 'The installer ended with exit code 3.', ['line 6', 'line 7', 'line 8', 'line 9', 'line 10']],
    ]);
    expect(mine.body.entries[1].exitCode).toBe(3);

    const failed = await api<{ entries: HistoryEntry[]; total: number }>(server.url, `/api/portal/history?outcome=failed&machine=${id('pc-12')}`, { session: user });
    expect(failed.body.entries.map((e) => e.what)).toEqual(['broken app 1.0.0']);
    const byName = await api<{ entries: HistoryEntry[] }>(server.url, '/api/portal/history?q=LIBC', { session: user });
    expect(byName.body.entries.map((e) => e.what)).toEqual(['needs-libc app 1.0.0']);
    const paged = await api<{ entries: HistoryEntry[]; total: number }>(server.url, '/api/portal/history?pageSize=1&page=2', { session: user });
    expect({ total: paged.body.total, what: paged.body.entries.map((e) => e.what) }).toEqual({ total: 2, what: ['broken app 1.0.0'] });
    const bad = await api<ErrorBody>(server.url, '/api/portal/history?outcome=exploded', { session: user });
    expect({ status: bad.status, code: bad.body.error.code }).toEqual({ status: 422, code: 'invalid_input' });
    expect(bad.body.error.message).toContain('outcome');

    // Another user's machine as a filter finds nothing; that user sees only their own rows.
    const foreign = await api<{ entries: HistoryEntry[]; total: number }>(server.url, `/api/portal/history?machine=${id('pc-13')}`, { session: user });
    expect({ total: foreign.body.total, entries: foreign.body.entries }).toEqual({ total: 0, entries: [] });
    const theirs = await api<{ entries: HistoryEntry[] }>(server.url, '/api/portal/history', { session: other });
    expect(theirs.body.entries.map((e) => [e.hostname, e.summary, e.outputTail])).toEqual([['pc-13', 'The installer ended with exit code 1.', ['other user output']]]);

    const html = await (await fetch(`${server.url}/portal/history?machine=${id('pc-12')}`, { headers: { cookie: user.cookie } })).text();
    expect(html).toContain('The installer ended with exit code 3.');
    expect(html).toContain('line 10');
    expect(html).not.toContain('other user output');
  });
});

describe('my machines', () => {
  let firefox: string;
  let offer: string;
  let office: string;

  beforeAll(async () => {
    firefox = await createJob({ kind: 'install', packageId: pkg['firefox-esr'], machineIds: [id('pc-12'), id('pc-14'), id('pc-13')], timing: 'windows', loadSpreading: true });
    offer = await createJob({ kind: 'offer', packageId: pkg.gimp, machineIds: [id('pc-12')], timing: 'windows', deadline: new Date(Date.now() + 5 * 24 * HOUR).toISOString() });
    // Held back until after the window closes; the deadline (in 40 h) comes before next week's window.
    deadlineC = new Date(Math.floor((Date.now() + 40 * HOUR) / 60_000) * 60_000).toISOString();
    office = await createJob({ kind: 'install', packageId: pkg.office, machineIds: [id('pc-12')], timing: 'windows', notBefore: new Date(windowStart.getTime() + 3 * HOUR).toISOString(), deadline: deadlineC });
  });

  it('starts each pending install at the instant the agent’s own code computes from the same plan and clock', async () => {
    for (const name of ['pc-12', 'pc-14']) {
      const { daemon, clock, logs } = inProcessAgent(m[name], { now: Date.now(), facts: { hostname: name, timeZone: TZ } });
      expect((await daemon.round()).ok).toBe(true);
      const wakeAt = await daemon.work();
      const plan = daemon.plan!;
      expect(plan.timeZone).toBe(TZ);
      const agentTimes = Object.fromEntries(plan.assignments.map((a) => [a.assignmentId, startTime(plan, a, new Date(clock.now)).toISOString()]));
      const page = await api<{ machine: MyMachineDetail }>(server.url, `/api/portal/machines/${id(name)}`, { session: user });
      expect(page.status).toBe(200);
      const portalTimes = Object.fromEntries(page.body.machine.pendingWork.map((p) => [p.assignmentId, p.at]));
      expect(portalTimes).toEqual(agentTimes);
      // The executor's own timer agrees: it wakes for the first of them, and logs each admin's install it schedules.
      expect(wakeAt?.toISOString()).toBe(Object.values(agentTimes).sort()[0]);
      expect(logs.filter((l) => l.startsWith('will install ')).map((l) => l.slice(0, l.indexOf(' at '))).sort()).toEqual(
        page.body.machine.pendingWork.map((p) => `will install ${p.what}`).sort(),
      );

      const first = new Date(portalTimes[await assignmentOf(firefox, name)]!);
      const opens = name === 'pc-14' ? windowStart.getTime() + 7 * 24 * HOUR : windowStart.getTime();
      // Load spreading: somewhere inside the two-hour window, never before it opens.
      expect(first.getTime()).toBeGreaterThanOrEqual(opens);
      expect(first.getTime()).toBeLessThan(opens + 2 * HOUR);
    }
  });

  it('lists the user’s own machines with state, what starts next and recent failures, and announces what is required soon', async () => {
    const res = await api<MyMachines>(server.url, '/api/portal/machines', { session: user });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.machines.map((x) => [x.hostname, x]));
    expect(Object.keys(byName)).toEqual(['pc-12', 'pc-14']);
    const pc12 = byName['pc-12'];
    expect(pc12).toMatchObject({ state: 'online', timeZone: TZ, os: 'Debian 12 (x64)', pending: 2, recentFailures: 1 });
    expect(pc12.next).toMatchObject({ event: 'install', what: 'firefox-esr app 1.0.0', mandatory: true });
    expect(byName['pc-14'].recentFailures).toBe(0);

    const at = new Date(pc12.next!.at);
    const now = new Date();
    const soon = new RegExp(`^firefox-esr app 1\\.0\\.0 will be installed on pc-12 ${formatLocal(at, TZ, now)} \\(in \\d h\\)$`);
    expect(res.body.notifications.map((n) => n.type)).toEqual(['soon', 'deadline']);
    expect(res.body.notifications[0].text).toMatch(soon);
    expect(res.body.notifications[1].text).toBe(`Deadline in 2 days: office app 1.0.0 will be installed on pc-12 by ${formatLocal(new Date(deadlineC), TZ, now)} at the latest`);

    const html = await (await fetch(`${server.url}/portal`, { headers: { cookie: user.cookie } })).text();
    expect(html).toContain('pc-12');
    expect(html).toContain(`href="/portal/machines/${id('pc-12')}"`);
    expect(html).toContain('Deadline in 2 days: office app 1.0.0');
    expect(html).not.toContain('pc-13');
    expect(html).not.toContain('old-1');
  });

  it('shows the machine’s timeline: starts, the deadline and the offer’s end, soonest first, with recent history', async () => {
    const res = await api<{ machine: MyMachineDetail }>(server.url, `/api/portal/machines/${id('pc-12')}`, { session: user });
    const machine = res.body.machine;
    const offerAssignment = await assignmentOf(offer, 'pc-12');
    const officeAssignment = await assignmentOf(office, 'pc-12');
    expect(machine.timeline.map((r) => [r.event, r.what])).toEqual([
      ['install', 'firefox-esr app 1.0.0'],
      ['deadline', 'office app 1.0.0'],
      ['install', 'office app 1.0.0'],
      ['offer_expires', 'gimp app 1.0.0'],
    ]);
    expect(machine.timeline.find((r) => r.assignmentId === offerAssignment)?.event).toBe('offer_expires');
    // The deadline overrides next week's window: it installs at the deadline.
    expect(machine.pendingWork.find((p) => p.assignmentId === officeAssignment)).toMatchObject({ at: deadlineC, deadline: deadlineC, jobKind: 'install', mandatory: true });
    expect(machine.windows).toMatchObject({ source: 'own', effective: [localWindow(windowStart, 120)] });
    expect(machine.recentHistory.map((e) => e.outcome)).toEqual(['skipped', 'failed']);

    const page = await fetch(`${server.url}/portal/machines/${id('pc-12')}`, { headers: { cookie: user.cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('firefox-esr app 1.0.0');
    expect(html).toContain('Offer ends: gimp app 1.0.0');
    expect(html).toContain(`href="/portal/machines/${id('pc-12')}/windows"`);
    expect(html).toContain(`href="/portal/history?machine=${id('pc-12')}"`);
  });

  it('answers 404 for a machine that is not the user’s: another user’s, unowned, retired or not a machine id, in the API and the page', async () => {
    for (const machineId of [id('pc-13'), id('lab-1'), id('old-1'), '00000000-0000-4000-8000-000000000000', 'pc-12']) {
      const res = await api<ErrorBody>(server.url, `/api/portal/machines/${machineId}`, { session: user });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 404, code: 'not_found' });
      expect((await fetch(`${server.url}/portal/machines/${machineId}`, { headers: { cookie: user.cookie } })).status).toBe(404);
    }
    // The other way round: the other user sees their machine, and none of the demo user's.
    const theirs = await api<MyMachines>(server.url, '/api/portal/machines', { session: other });
    expect(theirs.body.machines.map((x) => x.hostname)).toEqual(['pc-13']);
    expect(theirs.body.notifications.every((n) => !n.text.includes('pc-12'))).toBe(true);
    const foreign = await api<ErrorBody>(server.url, `/api/portal/machines/${id('pc-12')}`, { session: other });
    expect({ status: foreign.status, code: foreign.body.error.code }).toEqual({ status: 404, code: 'not_found' });
    // An admin uses the portal like anyone: the machines they own, nothing else.
    const admins = await api<MyMachines>(server.url, '/api/portal/machines', { session: admin });
    expect(admins.body.machines.map((x) => [x.hostname, x.state])).toEqual([['lab-1', 'online']]);
    const anonymous = await api<ErrorBody>(server.url, '/api/portal/machines');
    expect({ status: anonymous.status, code: anonymous.body.error.code }).toEqual({ status: 401, code: 'unauthorized' });
  });
});

describe('an owner with no machines', () => {
  it('gets an empty list and a page that says an admin makes them the owner', async () => {
    expect((await post('/api/users', { email: 'nobody@depot.test', name: 'Nobody', role: 'user', password: 'nobody-password' })).status).toBe(201);
    const nobody = await mustSignIn(server.url, 'nobody@depot.test', 'nobody-password');
    expect((await api<MyMachines>(server.url, '/api/portal/machines', { session: nobody })).body).toEqual({ machines: [], notifications: [] });
    const html = await (await fetch(`${server.url}/portal`, { headers: { cookie: nobody.cookie } })).text();
    expect(html).toContain('You have no machines yet');
    expect(html).toContain('an administrator makes you its owner');
  });
});
