/**
 * An uninstall that worked is counted and shown as removed, not installed: a real agent installs
 * a script package and then removes it; the job's JSON, the job list and the job page say so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { depotAgent } from './helpers/depot-pack';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, uploadPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let work: string;

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  await seedCabinet(server.url, admin, 'uninstall-counts');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-uninstall-counts-'));
});
afterAll(async () => {
  await server?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function createJob(body: Record<string, unknown>): Promise<string> {
  const res = await api<{ job: { id: string } }>(server.url, '/api/jobs', { method: 'POST', session: admin, json: body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.job.id;
}
const jobView = async (id: string) => (await api<{ counts: Record<string, number>; total: number; assignments: { state: string }[] }>(server.url, `/api/jobs/${id}`, { session: admin })).body;
async function jobPageText(id: string): Promise<string> {
  const res = await fetch(`${server.url}/jobs/${id}`, { headers: { cookie: admin.cookie } });
  expect(res.status).toBe(200);
  return (await res.text()).replaceAll('<!-- -->', '');
}

describe('an uninstall job that worked', () => {
  it('counts removed in its JSON, the job list and the job page, while an install job counts installed', async () => {
    const dir = path.join(work, 'agent');
    const secret = await createSecret(server.url, admin, 'uninstall counts');
    const env = { DEPOT_AGENT_DIR: dir, DEPOT_ENROLMENT_SECRET: secret };
    expect((await depotAgent(['enroll', '--server', server.url], env)).status).toBe(0);
    const machineId = (JSON.parse(fs.readFileSync(path.join(dir, 'identity.json'), 'utf8')) as { machineId: string }).machineId;
    const marker = path.join(work, 'installed');
    const uploaded = await uploadPackage(
      server.url,
      admin,
      'uninstall-counts',
      { packageId: 'removable', displayName: 'Removable', version: '1.0.0', installer: { kind: 'script', uninstall: ['/bin/rm', '-f', marker] }, detection: { kind: 'file', path: marker } },
      `#!/bin/sh\ntouch "${marker}"\n`,
    );
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);

    const install = await createJob({ kind: 'install', packageId: uploaded.body.package!.id, machineIds: [machineId], timing: 'asap', name: 'put removable' });
    const first = await depotAgent(['run', '--once'], env);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(fs.existsSync(marker)).toBe(true);
    const removal = await createJob({ kind: 'uninstall', packageId: uploaded.body.package!.id, machineIds: [machineId], timing: 'asap', name: 'take removable' });
    const second = await depotAgent(['run', '--once'], env);
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);

    // The assignment keeps its state (the filter's word); the job counts it as removed.
    const removed = await jobView(removal);
    expect(removed.assignments).toMatchObject([{ state: 'installed' }]);
    expect(removed.counts).toEqual({ removed: 1 });
    expect((await jobView(install)).counts).toEqual({ installed: 1 });
    const list = await api<{ jobs: { id: string; counts: Record<string, number> }[] }>(server.url, '/api/jobs?q=removable', { session: admin });
    expect(list.status).toBe(200);
    expect(Object.fromEntries(list.body.jobs.map((j) => [j.id, j.counts]))).toEqual({ [removal]: { removed: 1 }, [install]: { installed: 1 } });
    expect((await api<{ assignments: unknown[] }>(server.url, `/api/jobs/${removal}?state=installed`, { session: admin })).body.assignments).toHaveLength(1);

    const page = await jobPageText(removal);
    expect(page).toContain('1 of 1 removed');
    expect(page).not.toContain('1 of 1 installed');
    expect(await jobPageText(install)).toContain('1 of 1 installed');
  });
});
