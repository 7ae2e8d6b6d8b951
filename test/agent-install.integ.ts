/**
 * The agent end to end: real server, real agent code and real installers (a shell script and a
 * real .deb through dpkg). Window and fault tests drive the agent's clock instead of sleeping.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, createSecret, enrollTestMachine, inProcessAgent, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { depotAgent } from './helpers/depot-pack';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, uploadPackage } from './helpers/seed';
import { projectDir, startServer, type TestServer } from './helpers/server';
import { waitFor } from './helpers/wait-for';
import { spreadOf } from '../lib/schedule/install-time';

const DEB = 'depot-test-hello';
let server: TestServer;
let admin: Session;
let secret: string;
let work: string;
const dirs: string[] = [];

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('these tests install a real .deb with dpkg and must run as root (CI does)');
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  secret = await createSecret(server.url, admin, 'agent tests');
  await seedCabinet(server.url, admin, 'agent-tests');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-agent-work-'));
});
afterAll(async () => {
  try {
    execFileSync('dpkg', ['--purge', DEB], { stdio: 'ignore' });
  } catch {
    // not installed
  }
  await server?.dispose();
  for (const d of [work, ...dirs]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

async function machine(name: string): Promise<EnrolledMachine> {
  const m = await enrollTestMachine(server.url, secret, name);
  dirs.push(m.dir);
  return m;
}

/** A script package that records each run in `<marker>.runs`, then touches `<marker>` (its detection rule). */
async function scriptPackage(id: string, marker: string, options: { extraBody?: string; padding?: number } = {}) {
  const padding = options.padding ? `\n# ${crypto.randomBytes(options.padding).toString('base64')}\n` : '';
  const content = `#!/bin/sh\necho "run" >> "${marker}.runs"\necho "installing ${id}"\n${options.extraBody ?? ''}touch "${marker}"\necho done\nexit 0\n${padding}`;
  const res = await uploadPackage(server.url, admin, 'agent-tests', { packageId: id, displayName: `${id} app`, version: '1.0.0', installer: { kind: 'script' }, detection: { kind: 'file', path: marker } }, content);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.package!;
}

async function createJob(body: Record<string, unknown>): Promise<string> {
  const res = await api<{ job: { id: string } }>(server.url, '/api/jobs', { method: 'POST', session: admin, json: body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.job.id;
}

interface JobAssignment {
  id: string;
  hostname: string;
  state: string;
  attempt: number;
  exitCode: number | null;
  reason: string | null;
}
const jobView = async (id: string) => (await api<{ counts: Record<string, number>; assignments: JobAssignment[] }>(server.url, `/api/jobs/${id}`, { session: admin })).body;
const assignment = async (id: string) =>
  (await api<{ assignment: { state: string; output: string | null; reason: string | null; events: { state: string; reason: string | null; source: string | null }[] } }>(server.url, `/api/assignments/${id}`, { session: admin })).body.assignment;

describe('a real agent installs a script and a real .deb', () => {
  it('runs them as soon as received, dpkg confirms the .deb, and the rows end installed with output', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-agent-cli-'));
    dirs.push(dir);
    const env = { DEPOT_AGENT_DIR: dir, DEPOT_ENROLMENT_SECRET: secret };
    const enrolled = await depotAgent(['enroll', '--server', server.url], env);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    const machineId = (JSON.parse(fs.readFileSync(path.join(dir, 'identity.json'), 'utf8')) as { machineId: string }).machineId;

    const marker = path.join(work, 'script-installed');
    const script = await scriptPackage('hello-script', marker);
    const deb = await uploadPackage(
      server.url,
      admin,
      'agent-tests',
      { packageId: DEB, displayName: 'Depot test hello', version: '1.0-1', installer: { kind: 'deb' }, detection: { kind: 'package', name: DEB } },
      buildDeb(DEB, '1.0-1', work),
      { fileName: `${DEB}_1.0-1_all.deb` },
    );
    expect(deb.status, JSON.stringify(deb.body)).toBe(201);
    const scriptJob = await createJob({ kind: 'install', packageId: script.id, machineIds: [machineId], timing: 'asap' });
    const debJob = await createJob({ kind: 'install', packageId: deb.body.package!.id, machineIds: [machineId], timing: 'asap' });

    const run = await depotAgent(['run', '--once'], env);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(fs.readFileSync(`${marker}.runs`, 'utf8')).toBe('run\n');
    expect(execFileSync('dpkg', ['-s', DEB], { encoding: 'utf8' })).toMatch(/Status: install ok installed[\s\S]*Version: 1\.0-1/);

    const [scriptRow] = (await jobView(scriptJob)).assignments;
    expect(scriptRow).toMatchObject({ state: 'installed', exitCode: 0 });
    const scriptDetail = await assignment(scriptRow.id);
    expect(scriptDetail.output).toContain('installing hello-script');
    expect(scriptDetail.events.map((e) => e.state)).toEqual(['downloading', 'ready', 'installing', 'installed']);
    // No relay in the plan: the managing server served it, and the ready event says so.
    expect(scriptDetail.events.find((e) => e.state === 'ready')?.source).toBe('server');
    const [debRow] = (await jobView(debJob)).assignments;
    expect(debRow).toMatchObject({ state: 'installed', exitCode: 0 });
    expect((await assignment(debRow.id)).output).toMatch(/Setting up depot-test-hello \(1\.0-1\)/);

    // Installed already: a second install job is reported installed without running anything.
    const again = await createJob({ kind: 'install', packageId: script.id, machineIds: [machineId], timing: 'asap', name: 'again' });
    expect((await depotAgent(['run', '--once'], env)).status).toBe(0);
    expect((await jobView(again)).assignments[0]).toMatchObject({ state: 'installed', reason: 'already installed (detection rule); nothing was run' });
    expect(fs.readFileSync(`${marker}.runs`, 'utf8')).toBe('run\n');

    // Uninstall through dpkg, by the package detection rule's name.
    const removal = await createJob({ kind: 'uninstall', packageId: deb.body.package!.id, machineIds: [machineId], timing: 'asap' });
    expect((await depotAgent(['run', '--once'], env)).status).toBe(0);
    expect((await jobView(removal)).assignments[0]).toMatchObject({ state: 'installed', exitCode: 0 });
    const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', DEB], { encoding: 'utf8' });
    expect(query.stdout).not.toContain('install ok installed');

    const status = await depotAgent(['status'], env);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('Next window: any time.');
    expect(status.stdout).toContain('Downloads from: the managing server.');
  });
});

describe('installation windows, with the agent clock driven by the test', () => {
  it('prefetches at once, installs only when the window opens, and spreads load inside it', async () => {
    const m = await machine('windowed');
    const now = Date.now();
    // A one-hour window opening three hours from now (UTC, the machine's zone).
    const opens = new Date(Math.ceil((now + 3 * 3600_000) / 60_000) * 60_000);
    const window = { day: opens.getUTCDay(), start: `${String(opens.getUTCHours()).padStart(2, '0')}:${String(opens.getUTCMinutes()).padStart(2, '0')}`, minutes: 60 };
    expect((await api(server.url, `/api/machines/${m.identity.machineId}/windows`, { method: 'PUT', session: admin, json: { windows: [window] } })).status).toBe(200);
    const marker = path.join(work, 'windowed');
    const pkg = await scriptPackage('windowed-app', marker);
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'windows' });
    const spreadMarker = path.join(work, 'spread');
    const spreadPkg = await scriptPackage('spread-app', spreadMarker);
    const spreadJob = await createJob({ kind: 'install', packageId: spreadPkg.id, machineIds: [m.identity.machineId], timing: 'windows', loadSpreading: true });
    // The spread minute is a stable hash of the assignment id, so the test computes it instead of
    // hoping it is not minute 0 (which it is for one assignment in 59: the window's last minute is
    // never chosen, so the install starts inside it).
    const spreadRow = (await jobView(spreadJob)).assignments[0];
    const spreadMinute = Math.floor(spreadOf(`${spreadRow.id}:${spreadRow.attempt}`) * 59);

    const agent = inProcessAgent(m, { now });
    expect(await agent.daemon.round()).toEqual({ ok: true });
    expect(agent.daemon.plan!.windows).toEqual([window]);
    const wakeAt = await agent.daemon.work();
    expect(wakeAt).toEqual(opens);
    expect(fs.existsSync(marker)).toBe(false);
    expect((await jobView(jobId)).assignments[0].state).toBe('ready');

    agent.clock.now = opens.getTime();
    const spreadAt = await agent.daemon.work();
    expect(fs.existsSync(marker)).toBe(true);
    expect((await jobView(jobId)).assignments[0].state).toBe('installed');
    // The spread install waits for its own minute inside the window.
    expect(fs.existsSync(spreadMarker)).toBe(spreadMinute === 0);
    if (spreadMinute === 0) return;
    expect(spreadAt).toEqual(new Date(opens.getTime() + spreadMinute * 60_000));
    agent.clock.now = spreadAt!.getTime();
    expect(await agent.daemon.work()).toBeNull();
    expect(fs.existsSync(spreadMarker)).toBe(true);
  });

  it('installs from the cached plan while the server is down and reports when it is back', async () => {
    const m = await machine('offline');
    const now = Date.now();
    const opens = new Date(Math.ceil((now + 2 * 3600_000) / 60_000) * 60_000);
    const window = { day: opens.getUTCDay(), start: `${String(opens.getUTCHours()).padStart(2, '0')}:${String(opens.getUTCMinutes()).padStart(2, '0')}`, minutes: 30 };
    await api(server.url, `/api/machines/${m.identity.machineId}/windows`, { method: 'PUT', session: admin, json: { windows: [window] } });
    const marker = path.join(work, 'offline');
    const pkg = await scriptPackage('offline-app', marker);
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'windows' });
    const agent = inProcessAgent(m, { now });
    await agent.daemon.round();
    await agent.daemon.work();

    await server.stop();
    try {
      agent.clock.now = opens.getTime() + 60_000;
      expect((await agent.daemon.round()).ok).toBe(false);
      await agent.daemon.work();
      expect(fs.existsSync(marker)).toBe(true);
      expect(agent.daemon.executor.outbox.size).toBeGreaterThan(0);
    } finally {
      await server.restart();
    }
    expect(await agent.daemon.flushReports()).toBe(true);
    expect(agent.daemon.executor.outbox.size).toBe(0);
    expect((await jobView(jobId)).assignments[0].state).toBe('installed');
  });
});

describe('depot-agent status and install-service', () => {
  it('shows what is pending and when, and writes a systemd unit for the daemon', async () => {
    const m = await machine('status');
    // A day three days away, so the window is never open while the test runs.
    const day = (new Date().getUTCDay() + 3) % 7;
    const name = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][day];
    const window = { day, start: '02:00', minutes: 120 };
    await api(server.url, `/api/machines/${m.identity.machineId}/windows`, { method: 'PUT', session: admin, json: { windows: [window] } });
    const pkg = await scriptPackage('status-app', path.join(work, 'status'));
    await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'windows' });
    const env = { DEPOT_AGENT_DIR: m.dir };
    const status = await depotAgent(['status'], env);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Installation windows (UTC): ${name} 02:00 for 2 h.`);
    expect(status.stdout).toMatch(new RegExp(`Next window: ${name} \\d\\d \\w+, 02:00\\.`));
    expect(status.stdout).toMatch(new RegExp(`status-app app 1\\.0\\.0: pending: install ${name} \\d\\d \\w+, 02:00`));

    const unitDir = path.join(m.dir, 'units');
    const installed = await depotAgent(['install-service', '--unit-dir', unitDir, '--no-enable'], env);
    expect(installed.status, installed.stderr).toBe(0);
    const unit = fs.readFileSync(path.join(unitDir, 'depot-agent.service'), 'utf8');
    expect(unit).toContain(`Environment=DEPOT_AGENT_DIR=${m.dir}`);
    expect(unit).toContain(`ExecStart=${process.execPath} ${path.join(projectDir, 'agent/bin/depot-agent.mjs')} run`);
    expect(unit).toContain('Restart=always');
  });
});

describe('faults', () => {
  it('resumes a download cut in the middle with Range', async () => {
    const m = await machine('cut');
    const marker = path.join(work, 'cut');
    const pkg = await scriptPackage('cut-app', marker, { padding: 3 * 1024 * 1024 });
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'asap' });
    const ranges: (string | null)[] = [];
    let cut = true;
    const cutting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).includes('/content/')) return res;
      ranges.push(new Headers(init?.headers).get('range'));
      if (!cut) return res;
      cut = false;
      // Pass the first 1 MiB, then fail the stream as a dropped connection would.
      const reader = res.body!.getReader();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          // Erroring discards what is still queued, so the error comes on the pull after the last chunk.
          if (sent === 1024 * 1024) {
            await reader.cancel();
            return controller.error(new Error('connection reset'));
          }
          const { value, done } = await reader.read();
          if (done) return controller.close();
          const chunk = value.subarray(0, 1024 * 1024 - sent);
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const agent = inProcessAgent(m, { now: Date.now(), fetch: cutting });
    await agent.daemon.round();
    await agent.daemon.work();
    expect(fs.existsSync(marker)).toBe(false);
    expect(agent.logs.join('\n')).toContain('connection reset');
    await agent.daemon.work();
    expect(ranges).toEqual([null, 'bytes=1048576-']);
    expect(fs.existsSync(marker)).toBe(true);
    const [row] = (await jobView(jobId)).assignments;
    expect(row.state).toBe('installed');
    const detail = await assignment(row.id);
    expect(detail.events.find((e) => e.state === 'ready')?.reason).toContain('resumed at byte 1048576');
  });

  it('reports a flipped byte as an integrity failure, deletes the file and runs nothing', async () => {
    const m = await machine('flipped');
    const marker = path.join(work, 'flipped');
    const pkg = await scriptPackage('flipped-app', marker);
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'asap' });
    const flipping: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).includes('/content/')) return res;
      const bytes = new Uint8Array(await res.arrayBuffer());
      bytes[5] ^= 0x01;
      return new Response(bytes, { status: res.status, headers: res.headers });
    };
    const agent = inProcessAgent(m, { now: Date.now(), fetch: flipping });
    await agent.daemon.round();
    await agent.daemon.work();
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(`${marker}.runs`)).toBe(false);
    expect(fs.readdirSync(path.join(m.dir, 'downloads'))).toEqual([]);
    const [row] = (await jobView(jobId)).assignments;
    expect(row.state).toBe('failed');
    expect(row.reason).toMatch(/^integrity failure: the content's SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}; the file was deleted$/);
  });

  it('does not run an installer a second time after the agent was killed with SIGKILL during it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-agent-kill-'));
    dirs.push(dir);
    const env = { DEPOT_AGENT_DIR: dir, DEPOT_ENROLMENT_SECRET: secret };
    expect((await depotAgent(['enroll', '--server', server.url], env)).status).toBe(0);
    const machineId = (JSON.parse(fs.readFileSync(path.join(dir, 'identity.json'), 'utf8')) as { machineId: string }).machineId;
    const marker = path.join(work, 'killed');
    const pkg = await scriptPackage('slow-app', marker, { extraBody: `touch "${marker}.started"\nsleep 60\n` });
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [machineId], timing: 'asap' });

    const agent = spawn(process.execPath, [path.join(projectDir, 'agent/bin/depot-agent.mjs'), 'run', '--once'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    await waitFor(() => fs.existsSync(`${marker}.started`), 30_000);
    agent.kill('SIGKILL');
    await exited;
    // The installer leads its own process group; end it as the service manager would.
    execFileSync('pkill', ['-KILL', '-f', path.join(dir, 'downloads')]);

    const again = await depotAgent(['run', '--once'], env);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(fs.readFileSync(`${marker}.runs`, 'utf8')).toBe('run\n');
    const [row] = (await jobView(jobId)).assignments;
    expect(row.state).toBe('failed');
    expect(row.reason).toBe('the agent stopped during the install and the detection rule does not find it done; it was not run again blindly (re-run to try again)');
  });

  it('records a report replayed 100 times once, and refuses to move a finished assignment backwards', async () => {
    const m = await machine('replay');
    const pkg = await scriptPackage('replay-app', path.join(work, 'replay'));
    const jobId = await createJob({ kind: 'install', packageId: pkg.id, machineIds: [m.identity.machineId], timing: 'asap' });
    const [row] = (await jobView(jobId)).assignments;
    const report = (events: Record<string, unknown>[], token = m.identity.token) =>
      fetch(`${server.url}/api/agent/v1/report`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { results: { outcome: string; message?: string }[]; error?: { code: string; field?: string } } }),
      );
    const event = { assignmentId: row.id, attempt: 1, state: 'downloading', at: new Date().toISOString() };
    const answers = await Promise.all(Array.from({ length: 100 }, () => report([event])));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const outcomes = answers.map((a) => a.body.results[0].outcome);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(99);
    expect((await assignment(row.id)).events.filter((e) => e.state === 'downloading')).toHaveLength(1);

    const done = await report([{ ...event, state: 'installed', exitCode: 0 }]);
    expect(done.body.results[0].outcome).toBe('applied');
    const backwards = await report([{ ...event, state: 'ready' }]);
    expect(backwards.body.results[0]).toEqual({ assignmentId: row.id, attempt: 1, state: 'ready', outcome: 'refused', message: 'the assignment is already installed; reporting ready would move a finished assignment backwards' });
    expect((await assignment(row.id)).state).toBe('installed');

    // Another machine cannot report on this assignment; bad input names the field.
    const other = await machine('replay-other');
    expect((await report([{ ...event, state: 'failed' }], other.identity.token)).body.results[0]).toMatchObject({ outcome: 'refused', message: `no assignment ${row.id} for this machine` });
    const bad = await report([{ ...event, state: 'done' }]);
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', field: 'events.0.state' });
    expect((await report([event], 'dpm_not-a-real-token-at-all-000000000000')).status).toBe(401);
  });
});
