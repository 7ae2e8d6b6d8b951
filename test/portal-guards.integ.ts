/**
 * The portal's guards against what happens around a user's choice: a stale page, an offer taken
 * twice, an admin re-owning or retiring the machine while the choice is in flight, the agent
 * starting the installer at the same moment. Races need two database connections, so the tests
 * that hold a row lock from here run on PostgreSQL only: PGlite has one connection and runs one
 * transaction at a time, so these races cannot happen there at all.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { serverActions } from './helpers/inventory';
import { manifestFor, seedCabinet, uploadPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';
import { waitForAsync } from './helpers/wait-for';

let server: TestServer;
let admin: Session;
const users: Record<string, { id: string; session: Session }> = {};
const pkgs: Record<string, string> = {};
let secret: string;

type ErrorBody = { error: { code: string; field?: string; message: string } };
const mid = (m: EnrolledMachine) => m.identity.machineId;
const call = <T = unknown>(session: Session, method: string, path: string, json?: unknown) => api<T & ErrorBody>(server.url, path, { method, session, json });
const err = (res: { status: number; body: ErrorBody }) => ({ status: res.status, code: res.body.error?.code });
const row = async (assignmentId: string) => (await call<{ assignment: { state: string; attempt: number; notBefore: string | null } }>(admin, 'GET', `/api/assignments/${assignmentId}`)).body.assignment;

async function createJob(json: Record<string, unknown>): Promise<string> {
  const res = await call<{ job: { id: string } }>(admin, 'POST', '/api/jobs', json);
  if (res.status !== 201) throw new Error(`job: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.job.id;
}
async function assignmentOf(jobId: string, m: EnrolledMachine): Promise<string> {
  return (await call<{ assignments: { id: string; machineId: string }[] }>(admin, 'GET', `/api/jobs/${jobId}`)).body.assignments.find((a) => a.machineId === mid(m))!.id;
}
async function register(packageId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await uploadPackage(server.url, admin, 'guards', manifestFor(packageId, extra), `#!/bin/sh\necho ${packageId}\n`);
  if (res.status !== 201) throw new Error(`upload ${packageId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.package!.id;
}
async function makeUser(name: string) {
  const email = `${name}@depot.test`;
  const res = await call<{ user: { id: string } }>(admin, 'POST', '/api/users', { email, name, role: 'user', password: 'portal-guards-password' });
  expect(res.status).toBe(201);
  users[name] = { id: res.body.user.id, session: await mustSignIn(server.url, email, 'portal-guards-password') };
}
async function machineOf(owner: string, hostname: string): Promise<EnrolledMachine> {
  const m = await enrollTestMachine(server.url, secret, hostname);
  expect((await call(admin, 'PUT', `/api/machines/${mid(m)}/owner`, { ownerId: users[owner].id })).status).toBe(200);
  return m;
}

/**
 * Calls a server action with a form, the way React sends one (multipart: the arguments as the last
 * field, "0", with the form as reference $K1, the form’s fields prefixed "_1_"), and returns its result.
 */
async function submitForm(session: Session, exportedName: string, fields: Record<string, string>) {
  const action = serverActions().find((a) => a.name === exportedName)!;
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(`_1_${k}`, v);
  // Last, as React sends it: the server resolves $K1 from the fields it has read by then.
  body.append('0', JSON.stringify([null, '$K1']));
  const res = await fetch(`${server.url}${action.pagePath}`, { method: 'POST', headers: { 'next-action': action.id, origin: server.url, accept: 'text/x-component', cookie: session.cookie }, body, redirect: 'manual' });
  const text = await res.text();
  const rows = new Map(text.split('\n').flatMap((line) => (line.indexOf(':') > 0 ? [[line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)] as const] : [])));
  const head = JSON.parse(rows.get('0') ?? 'null') as { a?: string } | null;
  const ref = head?.a?.slice(2);
  return { status: res.status, result: (ref ? JSON.parse(rows.get(ref) ?? 'null') : undefined) as { ok: boolean; error?: { code: string; message: string }; data?: { url: string } } };
}

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  secret = await createSecret(server.url, admin, 'guards');
  for (const name of ['alice', 'bob', 'carol']) await makeUser(name);
  await seedCabinet(server.url, admin, 'guards');
  pkgs.editor = await register('editor', { displayName: 'Text Editor' });
  pkgs.viewer = await register('viewer', { displayName: 'Image Viewer' });
  pkgs.notes = await register('notes', { displayName: 'Notes', selfService: true, installer: { kind: 'script', uninstall: ['/bin/true'] } });
});
afterAll(async () => {
  await server?.dispose();
});

describe('choosing by the machine in the path', () => {
  it('answers 404 for a malformed machine id, as every other portal route does', async () => {
    const res = await call(users.alice.session, 'POST', '/api/portal/machines/not-a-machine/selections', { packageId: pkgs.editor });
    expect(err(res)).toEqual({ status: 404, code: 'not_found' });
  });
});

describe('the calendar feed form', () => {
  it('refuses a stale “create” once another window made a feed, and replaces only when asked to', async () => {
    const made = await call<{ calendarFeed: { url: string } }>(users.bob.session, 'POST', '/api/portal/calendar');
    expect(made.status).toBe(201);
    // The page was loaded before the feed existed: its button still says "create".
    const stale = await submitForm(users.bob.session, 'createCalendarFeedAction', { intent: 'create' });
    expect({ status: stale.status, ok: stale.result.ok, code: stale.result.error?.code }).toEqual({ status: 200, ok: false, code: 'conflict' });
    expect((await fetch(made.body.calendarFeed.url)).status).toBe(200);
    const replaced = await submitForm(users.bob.session, 'createCalendarFeedAction', { intent: 'replace' });
    expect(replaced.result.ok).toBe(true);
    expect((await fetch(made.body.calendarFeed.url)).status).toBe(404);
    expect((await fetch(replaced.result.data!.url)).status).toBe(200);
  });
});

describe('an offer chosen by its assignment', () => {
  it('is not taken twice when another job offers the same package and that offer is chosen already', async () => {
    const m = await machineOf('alice', 'alice-twice');
    const first = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.viewer, machineIds: [mid(m)] }), m);
    const second = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.viewer, machineIds: [mid(m)] }), m);
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: first })).status).toBe(200);
    const again = await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: second });
    expect({ ...err(again), message: again.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Image Viewer 1.0.0 on alice-twice is already chosen and waiting to install.' });
    expect((await row(second)).state).toBe('offered');
  });
});

describe.runIf(process.env.DATABASE_URL)('races with an admin (PostgreSQL)', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });
  /** Waits until the server has a statement waiting for a row lock. */
  const blocked = () => waitForAsync(async () => Number((await client.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n) > 0);

  it('rolls a user’s choice back when an admin gives the machine to someone else while it is in flight', async () => {
    const m = await machineOf('alice', 'alice-reowned');
    const offer = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(m)] }), m);
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: offer })).status).toBe(200);
    // The agent (or another choice) holds the assignment: Alice's "change my mind" waits for it.
    await client.query('begin');
    await client.query('select id from assignments where id = $1 for update', [offer]);
    const changing = call(users.alice.session, 'DELETE', `/api/portal/machines/${mid(m)}/selections/${offer}`);
    await blocked();
    expect((await call(admin, 'PUT', `/api/machines/${mid(m)}/owner`, { ownerId: users.carol.id })).status).toBe(200);
    await client.query('commit');
    expect(err(await changing)).toEqual({ status: 404, code: 'not_found' });
    // Carol's machine keeps what it had.
    expect((await row(offer)).state).toBe('pending');
  });

  it('retires a machine while a user’s choice holds one of its assignments, without a deadlock', async () => {
    const m = await machineOf('alice', 'alice-retired');
    const offer = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(m)] }), m);
    // A choice in flight: its assignment locked, its machine's plan bumped next.
    await client.query('begin');
    await client.query('select id from assignments where id = $1 for update', [offer]);
    const retiring = call(admin, 'POST', `/api/machines/${mid(m)}/retire`);
    await blocked();
    await client.query('update machines set plan_version = plan_version + 1 where id = $1', [mid(m)]);
    await client.query('commit');
    expect((await retiring).status).toBe(200);
    expect((await row(offer)).state).toBe('cancelled');
  });
});

describe('the start of what the user can still change', () => {
  type PlanBody = { assignments: { assignmentId: string; attempt: number; askTurn: boolean }[] };
  const plan = async (m: EnrolledMachine) => (await (await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m.identity.token}` } })).json()) as PlanBody;
  const turn = async (m: EnrolledMachine, assignmentId: string, attempt = 1) =>
    (await (await fetch(`${server.url}/api/agent/v1/turn`, { method: 'POST', headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ assignmentId, attempt }) })).json()) as { granted: boolean; retryAfterSeconds: number | null; message: string };

  it('has the agent ask for a turn exactly where the user or a cap can still stop the start', async () => {
    const m = await machineOf('alice', 'alice-asks');
    const offer = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(m)] }), m);
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: offer })).status).toBe(200);
    const deferrable = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.viewer, machineIds: [mid(m)], deferralLimit: 1 }), m);
    const runNow = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.viewer, machineIds: [mid(m)], allowInstallNow: true }), m);
    const capped = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.viewer, machineIds: [mid(m)], maxConcurrent: 5 }), m);
    const plain = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.viewer, machineIds: [mid(m)] }), m);
    const asks = Object.fromEntries((await plan(m)).assignments.map((a) => [a.assignmentId, a.askTurn]));
    expect(asks).toEqual({ [offer]: true, [deferrable]: true, [runNow]: true, [capped]: true, [plain]: false });
  });

  it('refuses the start of an install deferred since the agent’s plan, and of an offer unchosen since', async () => {
    const m = await machineOf('alice', 'alice-deferred');
    const install = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.viewer, machineIds: [mid(m)], deferralLimit: 1 }), m);
    // The agent has its plan and gets ready; the user defers meanwhile.
    expect((await plan(m)).assignments.map((a) => a.assignmentId)).toEqual([install]);
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/assignments/${install}/defer`)).status).toBe(200);
    const refused = await turn(m, install);
    expect(refused).toMatchObject({ granted: false, retryAfterSeconds: null });
    expect(refused.message).toMatch(/^deferred: not before /);
    expect((await row(install)).state).toBe('pending');

    const offer = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(m)] }), m);
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: offer })).status).toBe(200);
    expect((await call(users.alice.session, 'DELETE', `/api/portal/machines/${mid(m)}/selections/${offer}`)).status).toBe(200);
    expect(await turn(m, offer, 1)).toMatchObject({ granted: false, retryAfterSeconds: null });
    expect(await row(offer)).toMatchObject({ state: 'offered', attempt: 2 });
  });

  it('once the start is granted, the user’s change comes too late', async () => {
    const m = await machineOf('alice', 'alice-granted');
    const offer = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(m)] }), m);
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: offer })).status).toBe(200);
    expect(await turn(m, offer)).toMatchObject({ granted: true });
    expect((await row(offer)).state).toBe('installing');
    expect(err(await call(users.alice.session, 'DELETE', `/api/portal/machines/${mid(m)}/selections/${offer}`))).toEqual({ status: 409, code: 'conflict' });
  });
});

const report = (m: EnrolledMachine, assignmentId: string, attempt: number, state: string) =>
  fetch(`${server.url}/api/agent/v1/report`, { method: 'POST', headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ assignmentId, attempt, state, at: new Date().toISOString(), exitCode: 0 }] }) });

/** A self-service package chosen and installed on the machine through an offer; its offer assignment. */
async function installedThroughOffer(m: EnrolledMachine, packageId: string): Promise<string> {
  const offer = await assignmentOf(await createJob({ kind: 'offer', packageId, machineIds: [mid(m)] }), m);
  expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: offer })).status).toBe(200);
  expect((await (await report(m, offer, 1, 'installed')).json()).results[0].outcome).toBe('applied');
  return offer;
}

describe('the user’s own uninstall', () => {
  it('is the user’s choice, not required by the organisation: in the plan, the machine page and its notices', async () => {
    const m = await machineOf('alice', 'alice-own-removal');
    const offer = await installedThroughOffer(m, pkgs.notes);
    const job = (await call<{ job: { id: string } }>(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/assignments/${offer}/uninstall`)).body.job.id;
    const removal = await assignmentOf(job, m);
    const agentPlan = (await (await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m.identity.token}` } })).json()) as { assignments: { assignmentId: string; kind: string; mandatory: boolean }[] };
    expect(agentPlan.assignments.find((a) => a.assignmentId === removal)).toMatchObject({ kind: 'uninstall', mandatory: false });
    const page = (await call<{ machine: { pendingWork: { assignmentId: string; mandatory: boolean }[]; timeline: { assignmentId: string; mandatory: boolean }[]; notifications: unknown[] } }>(users.alice.session, 'GET', `/api/portal/machines/${mid(m)}`)).body.machine;
    expect(page.pendingWork.find((p) => p.assignmentId === removal)).toMatchObject({ mandatory: false });
    expect(page.timeline.find((t) => t.assignmentId === removal)).toMatchObject({ mandatory: false });
    expect(page.notifications).toEqual([]);
    // An admin's uninstall of the same package is required.
    const adminRemoval = await assignmentOf(await createJob({ kind: 'uninstall', packageId: pkgs.notes, machineIds: [mid(m)] }), m);
    const required = (await call<{ machine: { pendingWork: { assignmentId: string; mandatory: boolean }[] } }>(users.alice.session, 'GET', `/api/portal/machines/${mid(m)}`)).body.machine.pendingWork;
    expect(required.find((p) => p.assignmentId === adminRemoval)).toMatchObject({ mandatory: true });
  });
});

describe('a machine given to a new owner', () => {
  type MachinePage = { machine: { recentFailures: number; recentHistory: { assignmentId: string }[] } };
  it('shows the new owner only what happened since it is theirs: history, recent history and failures', async () => {
    const m = await machineOf('bob', 'handed-down');
    const before = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.viewer, machineIds: [mid(m)] }), m);
    expect((await (await report(m, before, 1, 'failed')).json()).results[0].outcome).toBe('applied');
    expect((await call<MachinePage>(users.bob.session, 'GET', `/api/portal/machines/${mid(m)}`)).body.machine).toMatchObject({ recentFailures: 1, recentHistory: [{ assignmentId: before }] });

    expect((await call(admin, 'PUT', `/api/machines/${mid(m)}/owner`, { ownerId: users.carol.id })).status).toBe(200);
    const history = async () => (await call<{ entries: { assignmentId: string }[]; total: number }>(users.carol.session, 'GET', `/api/portal/history?machine=${mid(m)}`)).body;
    expect(await history()).toMatchObject({ entries: [], total: 0 });
    expect((await call<MachinePage>(users.carol.session, 'GET', `/api/portal/machines/${mid(m)}`)).body.machine).toMatchObject({ recentFailures: 0, recentHistory: [] });
    const listed = (await call<{ machines: { id: string; recentFailures: number }[] }>(users.carol.session, 'GET', '/api/portal/machines')).body.machines;
    expect(listed.find((x) => x.id === mid(m))).toMatchObject({ recentFailures: 0 });

    // What happens from now on is hers.
    const after = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.editor, machineIds: [mid(m)] }), m);
    expect((await (await report(m, after, 1, 'failed')).json()).results[0].outcome).toBe('applied');
    expect(await history()).toMatchObject({ entries: [{ assignmentId: after }], total: 1 });
    expect((await call<MachinePage>(users.carol.session, 'GET', `/api/portal/machines/${mid(m)}`)).body.machine).toMatchObject({ recentFailures: 1, recentHistory: [{ assignmentId: after }] });
  });
});

describe('the machine page’s timeline', () => {
  it('dates the end of offers that end within 30 days, the calendar feed’s horizon, and not those further off', async () => {
    const m = await machineOf('alice', 'alice-horizon');
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const soon = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(m)], deadline: inDays(10) }), m);
    await createJob({ kind: 'offer', packageId: pkgs.viewer, machineIds: [mid(m)], deadline: inDays(40) });
    const timeline = (await call<{ machine: { timeline: { assignmentId: string; event: string }[] } }>(users.alice.session, 'GET', `/api/portal/machines/${mid(m)}`)).body.machine.timeline;
    expect(timeline.map((t) => [t.event, t.assignmentId])).toEqual([['offer_expires', soon]]);
  });
});

describe('software the user installed', () => {
  type Installed = { assignmentId: string; software: string; uninstallable: boolean; removal: string | null };
  const installedOn = async (m: EnrolledMachine) => (await call<{ machine: { installedByYou: Installed[] } }>(users.alice.session, 'GET', `/api/portal/machines/${mid(m)}`)).body.machine.installedByYou;
  const catalogOf = async (m: EnrolledMachine, packageId: string) =>
    (await call<{ entries: { id: string; machines: { machineId: string; assignmentId: string; state: string }[] }[] }>(users.alice.session, 'GET', '/api/portal/catalog')).body.entries.find((e) => e.id === packageId)?.machines.find((x) => x.machineId === mid(m));

  it('stays listed with Uninstall on the machine page after its offer ended, until it is removed', async () => {
    const m = await machineOf('alice', 'alice-kept');
    // Offered to another machine too, where it is still open: the admin can withdraw it.
    const elsewhere = await machineOf('bob', 'bob-elsewhere');
    const job = await createJob({ kind: 'offer', packageId: pkgs.notes, machineIds: [mid(m), mid(elsewhere)] });
    const offer = await assignmentOf(job, m);
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { assignmentId: offer })).status).toBe(200);
    expect((await (await report(m, offer, 1, 'installed')).json()).results[0].outcome).toBe('applied');
    expect((await call(admin, 'POST', `/api/jobs/${job}/cancel`)).status).toBe(200);
    expect(await catalogOf(m, pkgs.notes)).toBeUndefined();
    expect(await installedOn(m)).toEqual([{ assignmentId: offer, jobId: job, packageId: pkgs.notes, software: 'Notes 1.0.0', installedAt: expect.any(String), uninstallable: true, removal: null }]);
    const html = await (await fetch(`${server.url}/portal/machines/${mid(m)}`, { headers: { cookie: users.alice.session.cookie } })).text();
    expect(html).toContain('Installed by you');
    expect(html).toContain('aria-label="Uninstall Notes 1.0.0 on alice-kept"');

    const removal = (await call<{ job: { id: string } }>(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/assignments/${offer}/uninstall`)).body.job.id;
    expect((await installedOn(m)).map((i) => i.removal)).toEqual(['pending']);
    expect((await (await report(m, await assignmentOf(removal, m), 1, 'installed')).json()).results[0].outcome).toBe('applied');
    expect(await installedOn(m)).toEqual([]);
    // The offer had ended: nothing to choose again.
    expect((await row(offer)).state).toBe('installed');
  });

  it('can be chosen again once the user’s own uninstall of it has completed while the offer stands', async () => {
    const m = await machineOf('alice', 'alice-again');
    const offer = await installedThroughOffer(m, pkgs.notes);
    const removal = (await call<{ job: { id: string } }>(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/assignments/${offer}/uninstall`)).body.job.id;
    expect((await (await report(m, await assignmentOf(removal, m), 1, 'installed')).json()).results[0].outcome).toBe('applied');
    expect(await row(offer)).toMatchObject({ state: 'offered', attempt: 2 });
    expect(await catalogOf(m, pkgs.notes)).toMatchObject({ assignmentId: offer, state: 'offered' });
    expect((await call(users.alice.session, 'POST', `/api/portal/machines/${mid(m)}/selections`, { packageId: pkgs.notes })).status).toBe(200);
    expect(await row(offer)).toMatchObject({ state: 'pending', attempt: 2 });
  });
});
