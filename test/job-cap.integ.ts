import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let m: EnrolledMachine[];
let packageId: string;

type Turn = { granted: boolean; retryAfterSeconds: number | null; message: string };
type JobView = { job: { maxConcurrent: number | null }; counts: Record<string, number>; assignments: { id: string; hostname: string; state: string }[] };
const agentPost = async <T>(machine: EnrolledMachine, path: string, body: unknown) => {
  const res = await fetch(`${server.url}/api/agent/v1/${path}`, { method: 'POST', headers: { authorization: `Bearer ${machine.identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
};
const view = async (id: string) => (await api<JobView>(server.url, `/api/jobs/${id}`, { session: admin })).body;

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(server.url, admin, 'cap');
  m = [];
  for (const name of ['cap-a', 'cap-b', 'cap-c']) m.push(await enrollTestMachine(server.url, secret, name));
  await seedCabinet(server.url, admin, 'cap');
  packageId = (await seedPackage(server.url, admin, 'cap', 'capped-app')).id;
});
afterAll(async () => {
  await server?.dispose();
});

describe('a cap on concurrent installs', () => {
  it('hands out at most N turns, the next one when an install finishes, and each turn once', async () => {
    const created = await api<{ job: { id: string } }>(server.url, '/api/jobs', { method: 'POST', session: admin, json: { kind: 'install', packageId, machineIds: m.map((x) => x.identity.machineId), timing: 'asap', maxConcurrent: 2 } });
    expect(created.status).toBe(201);
    const jobId = created.body.job.id;
    const job = await view(jobId);
    expect(job.job.maxConcurrent).toBe(2);
    const idOf = (host: string) => job.assignments.find((a) => a.hostname === host)!.id;
    const plan = await (await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m[0].identity.token}` } })).json();
    expect(plan.assignments[0].maxConcurrent).toBe(2);

    // Three machines ask at once: two get a turn, the third is told to wait. A request that finds
    // another one holding the job is told to ask again shortly, as an agent would.
    const ask = async (i: number) => {
      for (;;) {
        const t = await agentPost<Turn>(m[i], 'turn', { assignmentId: idOf(`cap-${'abc'[i]}`), attempt: 1 });
        if (!t.body.message.includes('ask again shortly')) return t;
      }
    };
    const turns = await Promise.all(m.map((_x, i) => ask(i)));
    expect(turns.map((t) => t.status)).toEqual([200, 200, 200]);
    const granted = turns.filter((t) => t.body.granted);
    const waiting = turns.filter((t) => !t.body.granted);
    expect(granted).toHaveLength(2);
    expect(waiting).toHaveLength(1);
    expect(waiting[0].body.retryAfterSeconds).toBeGreaterThan(0);
    expect(waiting[0].body.message).toContain('2 of 2');
    expect((await view(jobId)).counts).toMatchObject({ installing: 2 });

    // Asking again for a turn already held is granted again, and the agent's own installing
    // report is a duplicate of the turn's event.
    const first = turns.findIndex((t) => t.body.granted);
    const firstId = idOf(`cap-${'abc'[first]}`);
    expect((await agentPost<Turn>(m[first], 'turn', { assignmentId: firstId, attempt: 1 })).body).toMatchObject({ granted: true });
    const dup = await agentPost<{ results: { outcome: string }[] }>(m[first], 'report', { events: [{ assignmentId: firstId, attempt: 1, state: 'installing', at: new Date().toISOString() }] });
    expect(dup.body.results[0].outcome).toBe('duplicate');

    // One finishes: the waiting machine now gets its turn.
    await agentPost(m[first], 'report', { events: [{ assignmentId: firstId, attempt: 1, state: 'installed', at: new Date().toISOString() }] });
    const late = turns.findIndex((t) => !t.body.granted);
    const retry = await agentPost<Turn>(m[late], 'turn', { assignmentId: idOf(`cap-${'abc'[late]}`), attempt: 1 });
    expect(retry.body).toMatchObject({ granted: true });
  });

  it('refuses a turn for an assignment that may not start, or is not the machine’s', async () => {
    const created = await api<{ job: { id: string } }>(server.url, '/api/jobs', { method: 'POST', session: admin, json: { kind: 'install', packageId, machineIds: [m[0].identity.machineId], timing: 'asap', maxConcurrent: 1, name: 'cancelled cap' } });
    const jobId = created.body.job.id;
    const id = (await view(jobId)).assignments[0].id;
    expect((await api(server.url, `/api/jobs/${jobId}/cancel`, { method: 'POST', session: admin, json: {} })).status).toBe(200);
    const cancelled = await agentPost<Turn>(m[0], 'turn', { assignmentId: id, attempt: 1 });
    expect(cancelled.body).toEqual({ granted: false, retryAfterSeconds: null, message: 'the assignment is cancelled; it may not start' });
    const foreign = await agentPost<Turn>(m[1], 'turn', { assignmentId: id, attempt: 1 });
    expect(foreign.body.granted).toBe(false);
    expect(foreign.body.message).toContain('no assignment');
    const bad = await agentPost<{ error: { field?: string } }>(m[0], 'turn', { assignmentId: 'x', attempt: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('assignmentId');
  });
});
