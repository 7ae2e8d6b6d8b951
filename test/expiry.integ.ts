import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDue } from '@/lib/assignments/expire-due';
import { rowsOf } from '@/lib/sql';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { manifestFor, seedCabinet, seedPackage, uploadPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';
import { waitForAsync } from './helpers/wait-for';

// The sweep runs every second here, so expiry shows within the test's patience.
let server: TestServer;
let admin: Session;
let machines: EnrolledMachine[];
let packageId: string;

type JobView = { counts: Record<string, number>; assignments: { id: string; state: string; reason: string | null }[] };
type ErrorBody = { error: { code: string; field?: string; message: string } };
const post = <T = unknown>(path: string, json: unknown) => api<T & ErrorBody>(server.url, path, { method: 'POST', session: admin, json });
const view = async (id: string) => (await api<JobView>(server.url, `/api/jobs/${id}`, { session: admin })).body;
const plan = async (m: EnrolledMachine) =>
  (await (await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m.identity.token}` } })).json()) as { version: number; assignments: { assignmentId: string }[] };
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const ids = () => machines.map((m) => m.identity.machineId);

beforeAll(async () => {
  server = await startServer({ env: { DEPOT_SWEEP_SECONDS: '1' } });
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(server.url, admin, 'expiry');
  machines = [await enrollTestMachine(server.url, secret, 'exp-a'), await enrollTestMachine(server.url, secret, 'exp-b')];
  await seedCabinet(server.url, admin, 'expiry');
  packageId = (await seedPackage(server.url, admin, 'expiry', 'offered-app')).id;
});
afterAll(async () => {
  await server?.dispose();
});

describe('expiry', () => {
  it('expires an offer nobody chose at its deadline, and tells the machines', async () => {
    const before = await Promise.all(machines.map(plan));
    const job = await post<{ job: { id: string } }>('/api/jobs', { kind: 'offer', packageId, machineIds: ids(), deadline: inSeconds(2) });
    expect(job.status).toBe(201);
    expect((await view(job.body.job.id)).counts).toEqual({ offered: 2 });
    await waitForAsync(async () => (await view(job.body.job.id)).counts.expired === 2);
    const after = await view(job.body.job.id);
    expect(after.assignments.every((a) => a.reason === 'the offer’s deadline passed before it was chosen')).toBe(true);
    // Created (+1) and expired (+1): each change reaches the machines' next poll.
    const plans = await Promise.all(machines.map(plan));
    expect(plans.map((p, i) => p.version - before[i].version)).toEqual([2, 2]);
  });

  it('refuses an offer whose deadline has already passed', async () => {
    const res = await post('/api/jobs', { kind: 'offer', packageId, machineIds: ids(), deadline: inSeconds(-60) });
    expect(res.status).toBe(422);
    expect(res.body.error.field).toBe('deadline');
    expect(res.body.error.message).toContain('expire at once');
  });

  it('takes an expired package out of every plan and expires what had not started', async () => {
    const upload = await uploadPackage(server.url, admin, 'expiry', manifestFor('short-lived', { expiresAt: inSeconds(3) }), '#!/bin/sh\necho short\n');
    expect(upload.status).toBe(201);
    const shortLived = upload.body.package!.id;
    const job = await post<{ job: { id: string } }>('/api/jobs', { kind: 'install', packageId: shortLived, machineIds: ids(), timing: 'asap' });
    expect(job.status).toBe(201);
    // An uninstall must still be able to remove an expired package.
    const uninstall = await post<{ job: { id: string } }>('/api/jobs', { kind: 'uninstall', packageId: shortLived, machineIds: [ids()[1]], timing: 'asap', name: 'remove short-lived' });
    expect(uninstall.status).toBe(201);
    expect((await plan(machines[0])).assignments).toHaveLength(1);
    await waitForAsync(async () => (await view(job.body.job.id)).counts.expired === 2);
    expect((await plan(machines[0])).assignments).toHaveLength(0);
    expect((await view(uninstall.body.job.id)).counts).toEqual({ pending: 1 });
    const left = (await plan(machines[1])).assignments as unknown as { jobName: string; package: { expiresAt: string | null } }[];
    expect(left.map((a) => a.jobName)).toEqual(['remove short-lived']);
    expect(left[0].package.expiresAt).toBeNull();
    expect((await view(job.body.job.id)).assignments[0].reason).toBe('the package expired before it was installed');
    const again = await post('/api/jobs', { kind: 'install', packageId: shortLived, machineIds: ids(), timing: 'asap' });
    expect(again.status).toBe(422);
    expect(again.body.error.field).toBe('packageId');
  });

  it('does no harm when two servers sweep at once', async () => {
    const job = await post<{ job: { id: string } }>('/api/jobs', { kind: 'offer', packageId, machineIds: ids(), deadline: inSeconds(60), name: 'raced offer' });
    expect(job.status).toBe(201);
    // The two sweeps below run with a clock past the deadline; the server's own is stopped.
    await server.stop();
    const later = new Date(Date.now() + 120_000);
    const results = await server.inspect((db) => Promise.all([expireDue(db, later), expireDue(db, later)]));
    expect(results[0].offers + results[1].offers).toBe(2);
    const events = await server.inspect(async (db) =>
      rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from assignment_events e join assignments a on a.id = e.assignment_id where a.job_id = ${job.body.job.id} and e.state = 'expired'`)),
    );
    expect(Number(events[0].n)).toBe(2);
    // A third run finds nothing left to do.
    expect(await server.inspect((db) => expireDue(db, later))).toEqual({ offers: 0, packageExpired: 0 });
    await server.restart();
  });
});
