import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let machines: EnrolledMachine[];

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(server.url, admin, 'package-jobs');
  machines = [await enrollTestMachine(server.url, secret, 'pj-a'), await enrollTestMachine(server.url, secret, 'pj-b'), await enrollTestMachine(server.url, secret, 'pj-c')];
  await seedCabinet(server.url, admin, 'pj');
});
afterAll(async () => {
  await server?.dispose();
});

type ErrorBody = { error: { code: string; field?: string; message: string } };
interface JobSummary {
  id: string;
  name: string;
  kind: string;
  state: string;
  packageId: string | null;
  packageLabel: string | null;
  packageDeleted: boolean;
  counts: Record<string, number>;
  total: number;
}
interface JobView {
  job: { id: string; packageId: string | null; packageLabel: string | null; packageDeleted: boolean; package: { id: string } | null };
  counts: Record<string, number>;
  assignments: { id: string; hostname: string; state: string }[];
}

const ids = () => machines.map((m) => m.identity.machineId);
const post = <T = unknown>(path: string, json?: unknown) => api<T & ErrorBody>(server.url, path, { method: 'POST', session: admin, json: json ?? {} });
const del = (path: string) => api<ErrorBody>(server.url, path, { method: 'DELETE', session: admin });
const getJob = async (id: string) => (await api<JobView>(server.url, `/api/jobs/${id}`, { session: admin })).body;
const getPackage = (id: string) => api<{ package: { id: string }; jobs: JobSummary[]; jobsTotal: number } & ErrorBody>(server.url, `/api/packages/${id}`, { session: admin });
const page = async (path: string) => {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: admin.cookie }, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
};
const report = async (m: EnrolledMachine, assignmentId: string, state: string, extra: Record<string, unknown> = {}) => {
  const res = await fetch(`${server.url}/api/agent/v1/report`, {
    method: 'POST',
    headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ assignmentId, attempt: 1, state, at: new Date().toISOString(), ...extra }] }),
  });
  const body = (await res.json()) as { results: { outcome: string }[] };
  expect({ status: res.status, outcome: body.results[0]?.outcome }).toEqual({ status: 200, outcome: 'applied' });
};
async function createJob(input: Record<string, unknown>): Promise<string> {
  const res = await post<{ job: { id: string } }>('/api/jobs', { timing: 'asap', machineIds: ids(), ...input });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.job.id;
}

describe('deleting a package that jobs use', () => {
  it('lists the jobs using a package on its page and in its API, with an empty state when none', async () => {
    const pkg = await seedPackage(server.url, admin, 'pj', 'listed-app');
    const empty = await page(`/packages/${pkg.id}`);
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('No job uses this package');
    expect((await getPackage(pkg.id)).body).toMatchObject({ jobs: [], jobsTotal: 0 });

    const jobId = await createJob({ kind: 'install', packageId: pkg.id, name: 'roll out listed-app' });
    const { status, html } = await page(`/packages/${pkg.id}`);
    expect(status).toBe(200);
    expect(html).toContain('data-testid="package-job-roll out listed-app"');
    expect(html).toContain(`href="/jobs/${jobId}"`);
    expect(html).toContain('0 of 3 installed');
    expect(html).not.toContain('No job uses this package');

    const api = await getPackage(pkg.id);
    expect(api.status).toBe(200);
    expect(api.body.jobsTotal).toBe(1);
    expect(api.body.jobs).toEqual([
      expect.objectContaining({ id: jobId, name: 'roll out listed-app', kind: 'install', state: 'active', packageDeleted: false, packageLabel: 'pj/listed-app 1.0.0 (generation 1)', counts: { pending: 3 }, total: 3 }),
    ]);
  });

  it('is refused while the job has unfinished assignments, still after cancel while one is installing, and allowed once that finishes', async () => {
    const pkg = await seedPackage(server.url, admin, 'pj', 'used-app');
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, name: 'install used-app' });

    const pending = await del(`/api/packages/${pkg.id}`);
    expect({ status: pending.status, code: pending.body.error.code }).toEqual({ status: 409, code: 'conflict' });
    expect(pending.body.error.message).toBe(
      'Cannot delete package pj/used-app 1.0.0 (generation 1): job "install used-app" (3 unfinished assignments) still uses it. ' +
        'Cancel the job first; assignments already installing must finish before the package can be deleted.',
    );
    expect((await getPackage(pkg.id)).status).toBe(200);

    const a = (await getJob(jobId)).assignments.find((r) => r.hostname === 'pj-a')!;
    await report(machines[0], a.id, 'installing');
    expect((await post(`/api/jobs/${jobId}/cancel`)).status).toBe(200);
    expect((await getJob(jobId)).counts).toEqual({ installing: 1, cancelled: 2 });

    const installing = await del(`/api/packages/${pkg.id}`);
    expect({ status: installing.status, code: installing.body.error.code }).toEqual({ status: 409, code: 'conflict' });
    expect(installing.body.error.message).toContain('job "install used-app" (1 unfinished assignment, 1 installing) still uses it');
    expect(installing.body.error.message).toContain('Wait for the 1 assignment already installing to finish');
    expect((await getPackage(pkg.id)).status).toBe(200);

    await report(machines[0], a.id, 'installed', { exitCode: 0 });
    const deleted = await del(`/api/packages/${pkg.id}`);
    expect(deleted.status).toBe(204);
    expect((await getPackage(pkg.id)).status).toBe(404);

    // The job keeps its history and its label; its package is marked deleted.
    const view = await getJob(jobId);
    expect(view.job).toMatchObject({ packageId: null, package: null, packageDeleted: true, packageLabel: 'pj/used-app 1.0.0 (generation 1)' });
    expect(view.counts).toEqual({ installed: 1, cancelled: 2 });
    const listed = await api<{ jobs: JobSummary[] }>(server.url, '/api/jobs?q=install%20used-app', { session: admin });
    expect(listed.body.jobs.find((j) => j.id === jobId)).toMatchObject({ packageLabel: 'pj/used-app 1.0.0 (generation 1)', packageDeleted: true, total: 3 });
    const jobPage = await page(`/jobs/${jobId}`);
    expect(jobPage.status).toBe(200);
    expect(jobPage.html).toMatch(/data-testid="job-package-deleted">pj\/used-app 1\.0\.0 \(generation 1\)/);
    expect(jobPage.html).toContain('package deleted');
    const jobsPage = await page('/jobs?q=install%20used-app');
    expect(jobsPage.html).toContain('package deleted');

    const audit = await api<{ entries: { action: string; targetId: string; targetLabel: string }[] }>(server.url, '/api/audit?action=package.delete', { session: admin });
    expect(audit.body.entries.filter((e) => e.targetId === pkg.id)).toEqual([expect.objectContaining({ action: 'package.delete', targetLabel: 'pj/used-app 1.0.0 (generation 1)' })]);
  });

  it('a job whose package was deleted cannot re-run its failed machines or reach machines that join its group', async () => {
    const pkg = await seedPackage(server.url, admin, 'pj', 'gone-app');
    const group = await post<{ group: { id: string } }>('/api/groups', { name: 'pj-lab' });
    expect(group.status).toBe(201);
    const groupId = group.body.group.id;
    expect((await post(`/api/groups/${groupId}/members`, { machineIds: [ids()[0]] })).body).toEqual({ joined: 1, assignments: 0 });
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [], groupIds: [groupId], name: 'gone-app to the lab' });
    const [a] = (await getJob(jobId)).assignments;
    await report(machines[0], a.id, 'failed', { exitCode: 1 });

    expect((await del(`/api/packages/${pkg.id}`)).status).toBe(204);
    const rerun = await post(`/api/jobs/${jobId}/rerun-failed`);
    expect({ status: rerun.status, code: rerun.body.error.code }).toEqual({ status: 409, code: 'conflict' });
    expect(rerun.body.error.message).toContain('pj/gone-app 1.0.0 (generation 1)) was deleted');
    expect((await post(`/api/groups/${groupId}/members`, { machineIds: [ids()[1]] })).body).toEqual({ joined: 1, assignments: 0 });
    expect((await getJob(jobId)).counts).toEqual({ failed: 1 });
  });

  it('deleting the cabinet is refused the same way, naming a few jobs and how many more, until they are cancelled', async () => {
    await seedCabinet(server.url, admin, 'pj-cab');
    const one = await seedPackage(server.url, admin, 'pj-cab', 'cab-one');
    const two = await seedPackage(server.url, admin, 'pj-cab', 'cab-two');
    const jobs = [
      await createJob({ kind: 'offer', packageId: one.id, name: 'offer cab-one' }),
      await createJob({ kind: 'install', packageId: two.id, name: 'install cab-two 1' }),
      await createJob({ kind: 'install', packageId: two.id, name: 'install cab-two 2' }),
      await createJob({ kind: 'uninstall', packageId: two.id, name: 'remove cab-two' }),
    ];
    expect((await post(`/api/jobs/${jobs[2]}/suspend`)).status).toBe(200);

    const refused = await del('/api/cabinets/pj-cab?confirm=pj-cab');
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'conflict' });
    expect(refused.body.error.message).toBe(
      'Cannot delete the 2 packages of cabinet "pj-cab": jobs "offer cab-one" (3 unfinished assignments), "install cab-two 1" (3 unfinished assignments), ' +
        '"install cab-two 2" (3 unfinished assignments) and 1 more still use them. Cancel those jobs first; assignments already installing must finish before the package can be deleted.',
    );
    expect((await getPackage(one.id)).status).toBe(200);
    expect((await getPackage(two.id)).status).toBe(200);
    expect((await api(server.url, '/api/cabinets/pj-cab', { session: admin })).status).toBe(200);

    // Offered and held assignments count as unfinished too; cancelling every job lets the cabinet go.
    for (const id of jobs.slice(0, 3)) expect((await post(`/api/jobs/${id}/cancel`)).status).toBe(200);
    const last = await del('/api/cabinets/pj-cab?confirm=pj-cab');
    expect({ status: last.status, code: last.body.error.code }).toEqual({ status: 409, code: 'conflict' });
    expect(last.body.error.message).toContain('job "remove cab-two" (3 unfinished assignments) still uses them. Cancel the job first');
    expect((await post(`/api/jobs/${jobs[3]}/cancel`)).status).toBe(200);

    expect((await del('/api/cabinets/pj-cab?confirm=pj-cab')).status).toBe(200);
    expect((await getPackage(one.id)).status).toBe(404);
    for (const id of jobs) expect((await getJob(id)).job).toMatchObject({ packageId: null, packageDeleted: true });
    expect((await getJob(jobs[0])).job.packageLabel).toBe('pj-cab/cab-one 1.0.0 (generation 1)');
  });
});
