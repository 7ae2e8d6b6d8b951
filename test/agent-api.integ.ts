import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolmentSecrets, machines } from '@/db/schema';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage, sha256 } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let secretId: string;
let secret: string;

const enroll = (body: unknown) => api<{ machineId: string; token: string; error?: { code: string; field?: string; message: string } }>(server.url, '/api/agent/v1/enroll', { method: 'POST', json: body });
const agentGet = (path: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/agent/v1${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const created = await api<{ enrolmentSecret: { id: string; secret: string } }>(server.url, '/api/enrolment-secrets', { method: 'POST', session: admin, json: { name: 'lab', maxUses: 2 } });
  expect(created.status).toBe(201);
  secretId = created.body.enrolmentSecret.id;
  secret = created.body.enrolmentSecret.secret;
});
afterAll(async () => {
  await server?.dispose();
});

describe('depot-agent enroll and status (real processes)', () => {
  it('enrols with real facts, keeps the token private, refuses to enrol twice and bad secrets', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { depotAgent } = await import('./helpers/depot-pack');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-agent-'));
    try {
      const created = await api<{ enrolmentSecret: { secret: string } }>(server.url, '/api/enrolment-secrets', { method: 'POST', session: admin, json: { name: 'cli' } });
      const env = { DEPOT_AGENT_DIR: dir, DEPOT_ENROLMENT_SECRET: created.body.enrolmentSecret.secret };
      const first = await depotAgent(['enroll', '--server', server.url], env);
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/^Enrolled as machine [0-9a-f-]{36} with /);
      const identityFile = path.join(dir, 'identity.json');
      expect(fs.statSync(identityFile).mode & 0o777).toBe(0o600);
      const identity = JSON.parse(fs.readFileSync(identityFile, 'utf8')) as { machineId: string; token: string };
      expect(identity.token).toMatch(/^dpm_/);

      const status = await depotAgent(['status'], env);
      expect(status.status).toBe(0);
      expect(status.stdout).toContain(`Machine ${identity.machineId}`);
      expect(status.stdout).toContain('Next window: any time.');

      const again = await depotAgent(['enroll', '--server', server.url], env);
      expect(again.status).toBe(1);
      expect(again.stderr).toContain('already enrolled');

      const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-agent-'));
      const refused = await depotAgent(['enroll', '--server', server.url], { DEPOT_AGENT_DIR: otherDir, DEPOT_ENROLMENT_SECRET: 'dps_wrongwrongwrongwrongwrongwrongwrong' });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('the server refused the enrolment secret');
      expect(fs.existsSync(path.join(otherDir, 'identity.json'))).toBe(false);
      fs.rmSync(otherDir, { recursive: true, force: true });

      // The daemon starts and stops cleanly on SIGTERM, in the middle of its first delay.
      const { spawn } = await import('node:child_process');
      const { projectDir } = await import('./helpers/server');
      const daemon = spawn(process.execPath, [path.join(projectDir, 'agent/bin/depot-agent.mjs'), 'run'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      daemon.stdout.on('data', (d: Buffer) => (out += d.toString()));
      daemon.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const { waitFor } = await import('./helpers/wait-for');
      await waitFor(() => out.includes(`depot-agent: machine ${identity.machineId}`), 20_000);
      const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('depot-agent: stopped');

      // The inventory the agent collected with systeminformation reached the server.
      const list = await api<{ machines: { id: string; os: string | null }[] }>(server.url, '/api/machines?pageSize=200', { session: admin });
      const mine = list.body.machines.find((m) => m.id === identity.machineId);
      expect(mine?.os).toMatch(/\(x64|arm64|ia32|arm\)$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('enrol', () => {
  let tokenA: string;
  let machineB: { machineId: string; token: string };

  it('exchanges the secret for a machine token, up to its maximum uses', async () => {
    const a = await enroll({ secret, hostname: 'lab-01', timeZone: 'Europe/Berlin', facts: { os: 'Debian 12' } });
    expect(a.status).toBe(201);
    expect(a.body.token).toMatch(/^dpm_/);
    tokenA = a.body.token;
    const b = await enroll({ secret, hostname: 'lab-02' });
    expect(b.status).toBe(201);
    machineB = b.body;
    const third = await enroll({ secret, hostname: 'lab-03' });
    expect({ status: third.status, code: third.body.error?.code }).toEqual({ status: 401, code: 'unauthorized' });
    expect(third.body.error?.message).toContain('wrong, expired, revoked or used up');
  });

  it('names bad input', async () => {
    const tz = await enroll({ secret, hostname: 'x', timeZone: 'Mars/Olympus' });
    expect({ status: tz.status, field: tz.body.error?.field }).toEqual({ status: 422, field: 'timeZone' });
    const host = await enroll({ secret, hostname: 42 });
    expect({ status: host.status, field: host.body.error?.field }).toEqual({ status: 422, field: 'hostname' });
    const bad = await api<{ error: { field: string } }>(server.url, '/api/agent/v1/enroll', { method: 'POST', rawBody: '{"secret":' });
    expect({ status: bad.status, field: bad.body.error.field }).toEqual({ status: 400, field: 'body' });
    expect((await enroll({ secret: 'dps_not-a-real-secret-at-all-xxxxxxxx', hostname: 'x' })).status).toBe(401);
  });

  it('serves the plan, and 304 while nothing changed', async () => {
    const first = await agentGet('/plan', tokenA);
    expect(first.status).toBe(200);
    const plan = (await first.json()) as { machineId: string; version: number; timeZone: string; windows: unknown[]; pollSeconds: number };
    expect(plan).toMatchObject({ version: 1, timeZone: 'Europe/Berlin', windows: [], pollSeconds: 60 });
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${plan.machineId}.1"`);
    const again = await agentGet('/plan', tokenA, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect((await agentGet('/plan')).status).toBe(401);
    expect((await agentGet('/plan', 'dpm_forgedforgedforgedforgedforgedforged')).status).toBe(401);
  });

  it('serves package content to machines it is assigned to, with Range, and only to them', async () => {
    await seedCabinet(server.url, admin, 'agents');
    const data = crypto.randomBytes(50_000);
    const pkg = await seedPackage(server.url, admin, 'agents', 'agent-pkg', data as unknown as string);
    // A machine token is not a key to the whole store: only content of packages assigned to it.
    const unassigned = await agentGet(`/content/${pkg.sha256}`, machineB.token);
    expect({ status: unassigned.status, message: ((await unassigned.json()) as { error: { message: string } }).error.message }).toEqual({
      status: 404,
      message: `No content ${pkg.sha256} is assigned to this machine.`,
    });
    const job = await api(server.url, '/api/jobs', { method: 'POST', session: admin, json: { kind: 'install', packageId: pkg.id, machineIds: [machineB.machineId], timing: 'asap' } });
    expect(job.status).toBe(201);
    const tokenA = machineB.token;
    const whole = await agentGet(`/content/${pkg.sha256}`, tokenA);
    expect(whole.status).toBe(200);
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(pkg.sha256);
    const part = await agentGet(`/content/${pkg.sha256}`, tokenA, { range: 'bytes=49000-' });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(49000))).toBe(true);
    expect((await agentGet(`/content/${pkg.sha256}`)).status).toBe(401);
    // An admin's session is not a machine.
    expect((await fetch(`${server.url}/api/agent/v1/content/${pkg.sha256}`, { headers: { cookie: admin.cookie } })).status).toBe(401);
    expect((await agentGet(`/content/${'0'.repeat(64)}`, tokenA)).status).toBe(404);
  });

  it('records inventory; a new time zone bumps the plan version', async () => {
    const facts = {
      hostname: 'lab-01.example',
      timeZone: 'America/New_York',
      os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0', arch: 'x64' },
      cpu: { model: 'Xeon', cores: 2 },
      memory: { totalBytes: 8e9, freeBytes: 4e9 },
      disks: [{ mount: '/', sizeBytes: 1e11, freeBytes: 5e10 }],
      network: [{ iface: 'eth0', ipv4: '10.0.0.5', ipv6: '', mac: '00:11:22:33:44:55' }],
      uptimeSeconds: 1234,
    };
    const post = (body: unknown, token = tokenA) =>
      fetch(`${server.url}/api/agent/v1/inventory`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await post(facts);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ planVersion: 2 });
    expect(((await (await post(facts)).json()) as { planVersion: number }).planVersion).toBe(2); // same zone: no bump
    const plan = (await (await agentGet('/plan', tokenA)).json()) as { version: number; timeZone: string };
    expect(plan).toMatchObject({ version: 2, timeZone: 'America/New_York' });
    const bad = await post({ ...facts, memory: { totalBytes: 'lots' } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('memory.totalBytes');
    expect((await post(facts, 'dpm_forgedforgedforgedforgedforgedforged')).status).toBe(401);
    const list = await api<{ machines: { hostname: string; os: string; online: boolean }[] }>(server.url, '/api/machines?q=lab-01', { session: admin });
    expect(list.body.machines[0]).toMatchObject({ hostname: 'lab-01.example', os: 'Debian GNU/Linux 12 (x64)' });
    // Online is decided in lib/machines, so the API and the page agree.
    expect(list.body.machines[0]).toMatchObject({ online: true });
  });

  it('after revoking the secret, refuses new machines and keeps the enrolled ones', async () => {
    const more = await api<{ enrolmentSecret: { id: string; secret: string } }>(server.url, '/api/enrolment-secrets', { method: 'POST', session: admin, json: { name: 'temp' } });
    expect((await api(server.url, `/api/enrolment-secrets/${more.body.enrolmentSecret.id}`, { method: 'DELETE', session: admin })).status).toBe(204);
    expect((await enroll({ secret: more.body.enrolmentSecret.secret, hostname: 'late' })).status).toBe(401);
    expect((await agentGet('/plan', tokenA)).status).toBe(200);
    const list = await api<{ machines: { hostname: string; os: string | null; timeZone: string }[] }>(server.url, '/api/machines', { session: admin });
    expect(list.body.machines.map((m) => m.hostname).filter((h) => h.startsWith('lab-'))).toEqual(['lab-01.example', 'lab-02']);
  });

  it('stores only hashes', async () => {
    await server.stop();
    const { secretsRows, machineRows } = await server.inspect(async (db) => ({
      secretsRows: await db.select().from(enrolmentSecrets),
      machineRows: await db.select().from(machines),
    }));
    await server.restart();
    expect(secretsRows.find((s) => s.id === secretId)).toMatchObject({ uses: 2, maxUses: 2 });
    const text = JSON.stringify([secretsRows, machineRows]);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(tokenA);
    expect(machineRows.every((m) => /^[0-9a-f]{64}$/.test(m.tokenHash))).toBe(true);
  });
});
