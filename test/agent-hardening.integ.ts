/**
 * Issue #14, the agent's side: a report no server can store, a retired machine, an installer
 * orphaned by a killed agent, a stop during an install, and content for work that is over.
 * Real server, real agent code and real script installers; the agent's clock is driven by the
 * test where time must pass.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, inProcessAgent, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { depotAgent } from './helpers/depot-pack';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, uploadPackage } from './helpers/seed';
import { projectDir, startServer, type TestServer } from './helpers/server';
import { waitFor } from './helpers/wait-for';

let server: TestServer;
let admin: Session;
let secret: string;
let work: string;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  secret = await createSecret(server.url, admin, 'hardening tests');
  await seedCabinet(server.url, admin, 'hardening');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-hardening-'));
});
afterAll(async () => {
  await server?.dispose();
  for (const d of [work, ...dirs]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

async function machine(name: string): Promise<EnrolledMachine> {
  const m = await enrollTestMachine(server.url, secret, name);
  dirs.push(m.dir);
  return m;
}

/** A script package; `body` runs before it touches `marker` (its detection rule). */
async function scriptPackage(id: string, marker: string, body = '') {
  const content = `#!/bin/sh\necho "run" >> "${marker}.runs"\n${body}touch "${marker}"\nexit 0\n`;
  const res = await uploadPackage(server.url, admin, 'hardening', { packageId: id, displayName: `${id} app`, version: '1.0.0', installer: { kind: 'script' }, detection: { kind: 'file', path: marker } }, content);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.package!;
}

async function createJob(body: Record<string, unknown>): Promise<string> {
  const res = await api<{ job: { id: string } }>(server.url, '/api/jobs', { method: 'POST', session: admin, json: body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.job.id;
}

const jobRow = async (id: string) => (await api<{ assignments: { id: string; state: string; reason: string | null }[] }>(server.url, `/api/jobs/${id}`, { session: admin })).body.assignments[0];
const assignment = async (id: string) =>
  (await api<{ assignment: { state: string; output: string | null; reason: string | null; events: { state: string; output: string | null }[] } }>(server.url, `/api/assignments/${id}`, { session: admin })).body.assignment;

function report(token: string, body: string) {
  return fetch(`${server.url}/api/agent/v1/report`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { results: { outcome: string; message?: string; state: string }[] },
  }));
}

describe('a report the database could not store', () => {
  it('stores an installer’s NUL and invalid UTF-8 visibly replaced, and the next job is reported normally', async () => {
    const m = await machine('nul-output');
    const first = path.join(work, 'nul-first');
    const second = path.join(work, 'nul-second');
    const nul = await scriptPackage('nul-app', first, `printf 'before\\000after \\377\\376 end\\n'\n`);
    const plain = await scriptPackage('plain-app', second, 'echo plain\n');
    const firstJob = await createJob({ kind: 'install', packageId: nul.id, machineIds: [m.identity.machineId], timing: 'asap' });
    const agent = inProcessAgent(m, { now: Date.now() });
    await agent.daemon.round();
    await agent.daemon.work();
    expect(agent.daemon.executor.outbox.size).toBe(0);
    const row = await jobRow(firstJob);
    expect(row.state).toBe('installed');
    expect((await assignment(row.id)).output).toBe('before\u2400after \uFFFD\uFFFD end\n');

    const secondJob = await createJob({ kind: 'install', packageId: plain.id, machineIds: [m.identity.machineId], timing: 'asap' });
    await agent.daemon.round();
    await agent.daemon.work();
    expect(fs.existsSync(second)).toBe(true);
    expect(agent.daemon.executor.outbox.size).toBe(0);
    expect((await jobRow(secondJob)).state).toBe('installed');
  });

  it('answers per event: NUL and lone surrogates stored replaced, an event it cannot store refused, the others applied', async () => {
    const m = await machine('nul-raw');
    const pkg = await scriptPackage('nul-raw-app', path.join(work, 'nul-raw'));
    const [a, b] = [await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'asap' }), await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'asap' })];
    const [rowA, rowB] = [await jobRow(a), await jobRow(b)];
    const at = new Date().toISOString();
    // As an older agent sends it: NUL, a lone surrogate (as a JSON escape) and raw invalid UTF-8 bytes.
    const json = JSON.stringify({ events: [{ assignmentId: rowA.id, attempt: 1, state: 'failed', at, exitCode: 1, output: 'x\u0000y\uD800z', reason: 'bad BYTE' }] });
    const [head, tail] = json.split('BYTE');
    const raw = Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from(tail)]);
    const stored = await fetch(`${server.url}/api/agent/v1/report`, { method: 'POST', headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' }, body: raw });
    expect(stored.status).toBe(200);
    expect(((await stored.json()) as { results: { outcome: string }[] }).results.map((r) => r.outcome)).toEqual(['applied']);
    const detail = await assignment(rowA.id);
    expect(detail).toMatchObject({ state: 'failed', output: 'x\u2400y\uFFFDz', reason: 'bad \uFFFD' });

    // An exit code past the database's int4 column is bad input, refused before the database.
    const tooBig = await fetch(`${server.url}/api/agent/v1/report`, {
      method: 'POST',
      headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ assignmentId: rowB.id, attempt: 1, state: 'downloading', at, exitCode: 2 ** 40 }] }),
    });
    expect(tooBig.status).toBe(422);
    expect(((await tooBig.json()) as { error: { field: string } }).error.field).toBe('events.0.exitCode');

    // One event the database refuses (year 0 passes the ISO check, PostgreSQL has no such year:
    // SQLSTATE 22008, a data error) holds back nothing.
    const mixed = await report(
      m.identity.token,
      JSON.stringify({ events: [{ assignmentId: rowB.id, attempt: 1, state: 'downloading', at: '0000-01-01T00:00:00Z' }, { assignmentId: rowB.id, attempt: 1, state: 'ready', at }] }),
    );
    expect(mixed.status).toBe(200);
    expect(mixed.body.results.map((r) => r.outcome)).toEqual(['refused', 'applied']);
    expect(mixed.body.results[0].message).toMatch(/^the server could not record this event \(error id [0-9a-f]{8}\)$/);
    expect((await assignment(rowB.id)).state).toBe('ready');
  });
});

describe('a retired machine', () => {
  it('runs nothing from its cached plan once its token is refused, and says so in its log and status', async () => {
    const m = await machine('retired');
    const marker = path.join(work, 'retired');
    const pkg = await scriptPackage('retired-app', marker);
    const now = Date.now();
    const startAt = new Date(now + 3600_000);
    await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'at', startAt: startAt.toISOString() });
    const agent = inProcessAgent(m, { now });
    expect((await agent.daemon.round()).ok).toBe(true);
    expect(await agent.daemon.work()).not.toBeNull(); // downloaded, waiting for its time
    expect(fs.existsSync(marker)).toBe(false);

    const retired = await api(server.url, `/api/machines/${m.identity.machineId}/retire`, { method: 'POST', session: admin });
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    agent.clock.now = startAt.getTime() + 60_000;
    expect((await agent.daemon.round()).ok).toBe(false);
    expect(await agent.daemon.work()).toBeNull();
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(`${marker}.runs`)).toBe(false);
    expect(agent.logs.join('\n')).toContain('nothing from the cached plan runs');

    // A new agent process on the same directory, the server still refusing: nothing runs either.
    const once = await depotAgent(['run', '--once'], { DEPOT_AGENT_DIR: m.dir });
    expect(once.stdout).toContain('nothing from the cached plan runs');
    expect(fs.existsSync(marker)).toBe(false);
    const status = await depotAgent(['status'], { DEPOT_AGENT_DIR: m.dir });
    expect(status.stdout).toContain('the agent runs nothing from its cached plan until the server accepts it again');
  });
});

describe('an agent stopped during an install', () => {
  async function enrolledDir(name: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `depot-agent-${name}-`));
    dirs.push(dir);
    const env = { DEPOT_AGENT_DIR: dir, DEPOT_ENROLMENT_SECRET: secret };
    const enrolled = await depotAgent(['enroll', '--server', server.url], env);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    const machineId = (JSON.parse(fs.readFileSync(path.join(dir, 'identity.json'), 'utf8')) as { machineId: string }).machineId;
    return { dir, env, machineId };
  }
  const startAgent = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [path.join(projectDir, 'agent/bin/depot-agent.mjs'), 'run', '--once'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { child, exited, output: () => out };
  };

  it('after SIGKILL, the restarted agent waits for the installer still running, then the detection rule finds it installed', async () => {
    const { env, machineId } = await enrolledDir('orphan');
    const marker = path.join(work, 'orphan');
    // Still running for seconds after the agent is killed, then done.
    const pkg = await scriptPackage('orphan-app', marker, `touch "${marker}.started"\nsleep 8\n`);
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [machineId], timing: 'asap' });
    const agent = startAgent(env);
    await waitFor(() => fs.existsSync(`${marker}.started`), 60_000);
    agent.child.kill('SIGKILL');
    await agent.exited;
    expect(fs.existsSync(marker)).toBe(false);

    const again = await depotAgent(['run', '--once'], env);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('may still be running; waiting for it to end');
    expect(fs.readFileSync(`${marker}.runs`, 'utf8')).toBe('run\n');
    const row = await jobRow(jobId);
    expect(row.state).toBe('installed');
    expect(row.reason).toBe('the agent stopped during the install; the detection rule finds it done, so nothing was run again');
  });

  it('after SIGTERM, the install finishes and its final report reaches the server before the agent exits', async () => {
    const { env, machineId } = await enrolledDir('sigterm');
    const marker = path.join(work, 'sigterm');
    const pkg = await scriptPackage('sigterm-app', marker, `touch "${marker}.started"\nsleep 2\n`);
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [machineId], timing: 'asap' });
    const agent = startAgent(env);
    await waitFor(() => fs.existsSync(`${marker}.started`), 60_000);
    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.output()).toBe(0);
    expect(fs.existsSync(marker)).toBe(true);
    expect((await jobRow(jobId)).state, agent.output()).toBe('installed');
  });
});

describe('content for work that is over', () => {
  it('is refused (404) once the machine’s only assignment for it is cancelled', async () => {
    const m = await machine('cancelled-content');
    const pkg = await scriptPackage('cancelled-content-app', path.join(work, 'cancelled-content'));
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'at', startAt: new Date(Date.now() + 86_400_000).toISOString() });
    const get = () => fetch(`${server.url}/api/agent/v1/content/${pkg.sha256}`, { headers: { authorization: `Bearer ${m.identity.token}` } });
    const before = await get();
    expect(before.status).toBe(200);
    await before.body?.cancel();
    const cancelled = await api(server.url, `/api/jobs/${jobId}/cancel`, { method: 'POST', session: admin });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const after = await get();
    expect(after.status).toBe(404);
    expect(await after.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
