/**
 * Fleet health on the dashboard and a job's outcomes over time, through the real server: agents
 * report with their own (sometimes wrong) clocks, admins re-run failures, other roles read or are
 * refused, and the pages render the charts.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machines as machinesTable } from '@/db/schema';
import { ONLINE_WITHIN_MS } from '@/lib/machines/list-machines';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin, demoUser } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let auditor: Session;
let portalUser: Session;
let fleet: Record<'a' | 'b' | 'c' | 'd' | 'e', EnrolledMachine>;
let packageId: string;

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const created = await api(server.url, '/api/users', { method: 'POST', session: admin, json: { email: 'auditor-dash@depot.test', name: 'Auditor', role: 'auditor', password: 'dashboard-password' } });
  expect(created.status).toBe(201);
  auditor = await mustSignIn(server.url, 'auditor-dash@depot.test', 'dashboard-password');
  portalUser = await mustSignIn(server.url, demoUser.email, demoUser.password);
  const secret = await createSecret(server.url, admin, 'dashboard');
  const enrol = (host: string) => enrollTestMachine(server.url, secret, host);
  fleet = { a: await enrol('dash-a'), b: await enrol('dash-b'), c: await enrol('dash-c'), d: await enrol('dash-d'), e: await enrol('dash-e') };
  await seedCabinet(server.url, admin, 'dashboard');
  packageId = (await seedPackage(server.url, admin, 'dashboard', 'dash-app')).id;
});
afterAll(async () => {
  await server?.dispose();
});

type Counts = Record<string, number>;
type Bucket = { start: string; end: string; counts: Counts };
interface Health {
  machines: { total: number; online: number; offline: number; neverSeen: number };
  installs: { since: string; totals: Counts; total: number; buckets: Bucket[] };
  failures: { total: number; latest: { assignmentId: string; attempt: number; machineId: string; hostname: string; jobId: string; jobName: string; exitCode: number | null; reason: string | null; failedAt: string }[] };
}
interface Outcomes {
  jobId: string;
  stepSeconds: number | null;
  buckets: Bucket[];
  totals: Counts;
  total: number;
}
type ErrorBody = { error: { code: string } };

const health = async (session: Session = admin) => {
  const res = await api<Health>(server.url, '/api/dashboard', { session });
  expect(res.status).toBe(200);
  return res.body;
};
const outcomes = async (jobId: string) => {
  const res = await api<Outcomes>(server.url, `/api/jobs/${jobId}/outcomes`, { session: admin });
  expect(res.status).toBe(200);
  return res.body;
};
const page = async (path: string, session: Session = admin) => {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie }, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
};
const createJob = async (json: Record<string, unknown>) => {
  const res = await api<{ job: { id: string } }>(server.url, '/api/jobs', { method: 'POST', session: admin, json: { timing: 'asap', ...json } });
  expect(res.status).toBe(201);
  return res.body.job.id;
};
const assignmentOf = async (jobId: string, hostname: string) => {
  const res = await api<{ assignments: { id: string; hostname: string }[] }>(server.url, `/api/jobs/${jobId}`, { session: admin });
  return res.body.assignments.find((a) => a.hostname === hostname)!.id;
};
const report = async (m: EnrolledMachine, events: Record<string, unknown>[]) => {
  const res = await fetch(`${server.url}/api/agent/v1/report`, {
    method: 'POST',
    headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  const body = (await res.json()) as { results: { outcome: string; message?: string }[] };
  expect(body.results.map((r) => r.outcome), JSON.stringify(body)).toEqual(events.map(() => 'applied'));
};
const id = (m: EnrolledMachine) => m.identity.machineId;
const sum = (buckets: Bucket[], state: string) => buckets.reduce((n, b) => n + (b.counts[state] ?? 0), 0);
const attr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

let installJob: string;
let failedAssignment: string;

describe('dashboard', () => {
  it('starts with the fleet online, no installs and nothing failed, and says what to do next', async () => {
    const h = await health();
    expect(h.machines).toEqual({ total: 5, online: 5, offline: 0, neverSeen: 0 });
    expect(h.installs.total).toBe(0);
    expect(h.installs.buckets).toHaveLength(24);
    expect(Date.parse(h.installs.buckets[23].end) - Date.parse(h.installs.since)).toBe(24 * 3600_000);
    expect(h.failures).toEqual({ total: 0, latest: [] });
    const { html } = await page('/dashboard');
    expect(html).toContain('No installs finished in the last 24 hours.');
    expect(html).toContain('No failures need a look');
    expect(html).not.toContain('role="img"');
  });

  it('counts install outcomes of the last 24 hours, whatever the agents’ clocks say', async () => {
    installJob = await createJob({ kind: 'install', packageId, machineIds: [id(fleet.a), id(fleet.b), id(fleet.c)], name: 'dash install' });
    failedAssignment = await assignmentOf(installJob, 'dash-b');
    // dash-a's clock is stuck in 1990 and dash-c's runs in 2099: both still count, now.
    await report(fleet.a, [{ assignmentId: await assignmentOf(installJob, 'dash-a'), attempt: 1, state: 'installed', exitCode: 0, at: '1990-01-01T00:00:00Z' }]);
    await report(fleet.b, [{ assignmentId: failedAssignment, attempt: 1, state: 'failed', exitCode: 3, reason: 'disk full', at: new Date().toISOString() }]);
    await report(fleet.c, [{ assignmentId: await assignmentOf(installJob, 'dash-c'), attempt: 1, state: 'skipped', reason: 'conditions not met', at: '2099-01-01T00:00:00Z' }]);
    // An uninstall's "installed" means removed: not an install.
    const uninstall = await createJob({ kind: 'uninstall', packageId, machineIds: [id(fleet.d)], name: 'dash uninstall' });
    await report(fleet.d, [{ assignmentId: await assignmentOf(uninstall, 'dash-d'), attempt: 1, state: 'installed', exitCode: 0, at: new Date().toISOString() }]);

    const h = await health();
    expect(h.installs.totals).toEqual({ installed: 1, failed: 1, skipped: 1 });
    expect(h.installs.total).toBe(3);
    // All of it just happened: the last hour holds it all.
    expect(h.installs.buckets[23].counts).toEqual({ installed: 1, failed: 1, skipped: 1 });
    expect(sum(h.installs.buckets.slice(0, 23), 'installed') + sum(h.installs.buckets.slice(0, 23), 'failed')).toBe(0);
  });

  it('lists the failure that needs a look with its machine, job and result', async () => {
    const h = await health();
    expect(h.failures.total).toBe(1);
    expect(h.failures.latest).toEqual([
      {
        assignmentId: failedAssignment,
        attempt: 1,
        machineId: id(fleet.b),
        hostname: 'dash-b',
        jobId: installJob,
        jobName: 'dash install',
        exitCode: 3,
        reason: 'disk full',
        failedAt: expect.any(String),
      },
    ]);
    const { html } = await page('/dashboard');
    expect(html).toContain(`aria-label="${attr('Install outcomes in the last 24 hours: 1 installed, 1 failed, 1 skipped')}"`);
    expect(html).toContain(`href="/machines/${id(fleet.b)}#assignment-${failedAssignment}"`);
    expect(html).toContain(`href="/jobs/${installJob}"`);
    expect(html).toContain('disk full');
  });

  it('charts a job’s outcomes over time, and says so while it has none', async () => {
    const o = await outcomes(installJob);
    expect(o.total).toBe(3);
    expect(o.totals).toEqual({ installed: 1, failed: 1, skipped: 1, cancelled: 0, expired: 0 });
    // Seconds apart (the 1990 and 2099 clocks are clamped to server times): minute buckets.
    expect(o.stepSeconds).toBe(60);
    expect(o.buckets.length).toBeGreaterThanOrEqual(1);
    expect(o.buckets.length).toBeLessThanOrEqual(2);
    expect(sum(o.buckets, 'installed') + sum(o.buckets, 'failed') + sum(o.buckets, 'skipped')).toBe(3);
    const jobPage = await page(`/jobs/${installJob}`);
    expect(jobPage.html).toContain(`aria-label="${attr('Outcomes of this job: 1 installed, 1 failed, 1 skipped, 0 cancelled, 0 expired')}"`);

    const quiet = await createJob({ kind: 'install', packageId, machineIds: [id(fleet.e)], name: 'dash quiet' });
    expect(await outcomes(quiet)).toEqual({ jobId: quiet, stepSeconds: null, buckets: [], totals: { installed: 0, failed: 0, skipped: 0, cancelled: 0, expired: 0 }, total: 0 });
    expect((await page(`/jobs/${quiet}`)).html).toContain('No outcomes yet.');
    // Cancelling is an outcome too.
    expect((await api(server.url, `/api/jobs/${quiet}/cancel`, { method: 'POST', session: admin, json: {} })).status).toBe(200);
    expect((await outcomes(quiet)).totals).toMatchObject({ cancelled: 1 });

    const unknown = await api<ErrorBody>(server.url, '/api/jobs/00000000-0000-4000-8000-000000000001/outcomes', { session: admin });
    expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({ status: 404, code: 'not_found' });
  });

  it('drops a failure once it is re-run, and counts the new attempt', async () => {
    const rerun = await api(server.url, `/api/jobs/${installJob}/rerun-failed`, { method: 'POST', session: admin, json: {} });
    expect(rerun.status).toBe(200);
    expect((await health()).failures).toEqual({ total: 0, latest: [] });
    await report(fleet.b, [{ assignmentId: failedAssignment, attempt: 2, state: 'installed', exitCode: 0, at: new Date().toISOString() }]);
    const h = await health();
    expect(h.failures.total).toBe(0);
    // Every attempt counts: the failure happened, and so did the install after it.
    expect(h.installs.totals).toEqual({ installed: 2, failed: 1, skipped: 1 });
    expect((await outcomes(installJob)).totals).toEqual({ installed: 2, failed: 1, skipped: 1, cancelled: 0, expired: 0 });
  });

  it('lets an auditor read and refuses a portal user', async () => {
    expect((await health(auditor)).machines.total).toBe(5);
    expect((await api(server.url, `/api/jobs/${installJob}/outcomes`, { session: auditor })).status).toBe(200);
    expect((await page('/dashboard', auditor)).html).toContain('Install outcomes in the last 24 hours: 2 installed');
    for (const path of ['/api/dashboard', `/api/jobs/${installJob}/outcomes`]) {
      const res = await api<ErrorBody>(server.url, path, { session: portalUser });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
      const anonymous = await api<ErrorBody>(server.url, path);
      expect({ status: anonymous.status, code: anonymous.body.error.code }).toEqual({ status: 401, code: 'unauthorized' });
    }
    expect((await page('/dashboard', portalUser)).status).toBe(403);
  });

  it('charts an older job by its outcomes’ span, from hours and, when they came within minutes, from minutes', async () => {
    const job = await createJob({ kind: 'install', packageId, machineIds: [id(fleet.a), id(fleet.b), id(fleet.c)], name: 'dash older' });
    const assignments = { a: await assignmentOf(job, 'dash-a'), b: await assignmentOf(job, 'dash-b'), c: await assignmentOf(job, 'dash-c') };
    await report(fleet.a, [{ assignmentId: assignments.a, attempt: 1, state: 'installed', exitCode: 0, at: new Date().toISOString() }]);
    await report(fleet.b, [{ assignmentId: assignments.b, attempt: 1, state: 'failed', exitCode: 1, reason: 'exit 1', at: new Date().toISOString() }]);
    await report(fleet.c, [{ assignmentId: assignments.c, attempt: 1, state: 'skipped', reason: 'conditions not met', at: new Date().toISOString() }]);
    const hour = 3_600_000;
    const now = Date.now();
    // Three days old, its outcomes moved to the given times (server and agent alike).
    const backdate = async (times: Record<'a' | 'b' | 'c', number>) => {
      await server.stop();
      await server.inspect(async (db) => {
        const created = new Date(now - 72 * hour).toISOString();
        await db.execute(sql`update jobs set created_at = ${created} where id = ${job}`);
        await db.execute(sql`update assignments set created_at = ${created} where job_id = ${job}`);
        for (const m of ['a', 'b', 'c'] as const) {
          const at = new Date(times[m]).toISOString();
          await db.execute(sql`update assignment_events set at = ${at}, received_at = ${at} where assignment_id = ${assignments[m]}`);
        }
      });
      await server.restart();
    };
    const bucketOf = (o: Outcomes, t: number) => o.buckets.find((b) => Date.parse(b.start) <= t && t < Date.parse(b.end))?.counts;

    // 30 hours apart: hour buckets, added up from the hour groups.
    const spread = { a: now - 40 * hour, b: now - 10 * hour, c: now - 10 * hour + 60_000 };
    await backdate(spread);
    let o = await outcomes(job);
    expect(o.stepSeconds).toBe(3600);
    expect(o.buckets).toHaveLength(Math.floor(spread.c / hour) - Math.floor(spread.a / hour) + 1);
    expect(o.totals).toEqual({ installed: 1, failed: 1, skipped: 1, cancelled: 0, expired: 0 });
    expect(bucketOf(o, spread.a)).toEqual({ installed: 1, failed: 0, skipped: 0, cancelled: 0, expired: 0 });
    expect([bucketOf(o, spread.b)?.failed, bucketOf(o, spread.c)?.skipped]).toEqual([1, 1]);
    expect(sum(o.buckets.slice(1, -2), 'installed') + sum(o.buckets.slice(1, -2), 'failed') + sum(o.buckets.slice(1, -2), 'skipped')).toBe(0);

    // Within 20 minutes of one day two days ago: minute buckets, grouped by minute on their own.
    const close = { a: now - 50 * hour, b: now - 50 * hour + 10 * 60_000, c: now - 50 * hour + 20 * 60_000 };
    await backdate(close);
    o = await outcomes(job);
    expect(o.stepSeconds).toBe(60);
    expect(o.buckets).toHaveLength(Math.floor(close.c / 60_000) - Math.floor(close.a / 60_000) + 1);
    expect([bucketOf(o, close.a), bucketOf(o, close.b), bucketOf(o, close.c)]).toEqual([
      { installed: 1, failed: 0, skipped: 0, cancelled: 0, expired: 0 },
      { installed: 0, failed: 1, skipped: 0, cancelled: 0, expired: 0 },
      { installed: 0, failed: 0, skipped: 1, cancelled: 0, expired: 0 },
    ]);
    expect((await page(`/jobs/${job}`)).html).toContain(`aria-label="${attr('Outcomes of this job: 1 installed, 1 failed, 1 skipped, 0 cancelled, 0 expired')}"`);
  });

  it('tells online, offline and never-seen machines apart with the online rule of the machines page, leaving out retired ones', async () => {
    // PGlite allows one process: change the rows while the server is stopped.
    await server.stop();
    const now = Date.now();
    await server.inspect(async (db) => {
      // Just inside and just outside the online window.
      await db.update(machinesTable).set({ lastSeenAt: new Date(now - ONLINE_WITHIN_MS + 120_000) }).where(eq(machinesTable.id, id(fleet.a)));
      await db.update(machinesTable).set({ lastSeenAt: new Date(now - ONLINE_WITHIN_MS - 120_000) }).where(eq(machinesTable.id, id(fleet.c)));
      await db.update(machinesTable).set({ lastSeenAt: null }).where(eq(machinesTable.id, id(fleet.d)));
      await db.update(machinesTable).set({ retiredAt: new Date(now) }).where(eq(machinesTable.id, id(fleet.e)));
    });
    await server.restart();
    const h = await health();
    expect(h.machines).toEqual({ total: 4, online: 2, offline: 1, neverSeen: 1 });
    const { html } = await page('/dashboard');
    expect(html).toMatch(/Machines online<\/div><div[^>]*>2 of 4</);
  });
});
