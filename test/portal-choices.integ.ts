/**
 * The end user's choices in the portal, against the real server and database: the catalog of
 * their offers, choosing (one machine or several, all or nothing), install now, change of mind,
 * reject and restore, deferral of a mandatory install within its budget and deadline, and
 * uninstalling their own self-service package. Every change is checked in the rows (as the admin
 * API shows them) and in the machine's plan, as its agent would fetch it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine, type EnrolledMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { manifestFor, seedCabinet, uploadPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
let admin: Session;
let alice: Session;
let bob: Session;
let a1: EnrolledMachine;
let a2: EnrolledMachine;
let b1: EnrolledMachine;
const pkgs: Record<string, string> = {};

type ErrorBody = { error: { code: string; field?: string; message: string } };
type PlanBody = { version: number; assignments: { assignmentId: string; state: string; timing: string; notBefore: string | null; mandatory: boolean; kind: string }[] };
type CatalogBody = {
  entries: { id: string; packageId: string; displayName: string; version: string; publisher: string; category: string; description: string; size: number; uninstallable: boolean; machines: { machineId: string; hostname: string; assignmentId: string; state: string; runNow: boolean; allowInstallNow: boolean; removal: string | null }[] }[];
  total: number;
  categories: string[];
  rejected: number;
  machines: number;
};

const mid = (m: EnrolledMachine) => m.identity.machineId;
const call = <T = unknown>(session: Session, method: string, path: string, json?: unknown) => api<T & ErrorBody>(server.url, path, { method, session, json });
const plan = async (m: EnrolledMachine) => (await (await fetch(`${server.url}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${m.identity.token}` } })).json()) as PlanBody;
const row = async (assignmentId: string) =>
  (await call<{ assignment: { state: string; runNow: boolean; deferrals: number; notBefore: string | null; attempt: number; events: { state: string; actorLabel: string | null }[] } }>(admin, 'GET', `/api/assignments/${assignmentId}`)).body.assignment;
const catalog = async (session: Session, query = '') => (await call<CatalogBody>(session, 'GET', `/api/portal/catalog${query}`)).body;
const err = (res: { status: number; body: ErrorBody }) => ({ status: res.status, code: res.body.error?.code });

async function createJob(json: Record<string, unknown>): Promise<string> {
  const res = await call<{ job: { id: string } }>(admin, 'POST', '/api/jobs', json);
  if (res.status !== 201) throw new Error(`job: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.job.id;
}
async function jobAssignments(jobId: string) {
  return (await call<{ counts: Record<string, number>; assignments: { id: string; machineId: string; state: string }[] }>(admin, 'GET', `/api/jobs/${jobId}`)).body;
}
async function assignmentOf(jobId: string, m: EnrolledMachine): Promise<string> {
  return (await jobAssignments(jobId)).assignments.find((a) => a.machineId === mid(m))!.id;
}
async function register(packageId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await uploadPackage(server.url, admin, 'portal', manifestFor(packageId, extra), `#!/bin/sh\necho ${packageId}\n`);
  if (res.status !== 201) throw new Error(`upload ${packageId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.package!.id;
}
async function makeUser(email: string): Promise<{ id: string; session: Session }> {
  const res = await call<{ user: { id: string } }>(admin, 'POST', '/api/users', { email, name: email, role: 'user', password: 'portal-choices-password' });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, session: await mustSignIn(server.url, email, 'portal-choices-password') };
}
const report = (m: EnrolledMachine, assignmentId: string, attempt: number, state: string) =>
  fetch(`${server.url}/api/agent/v1/report`, { method: 'POST', headers: { authorization: `Bearer ${m.identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ assignmentId, attempt, state, at: new Date().toISOString(), exitCode: 0 }] }) });

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(server.url, admin, 'portal');
  [a1, a2, b1] = [await enrollTestMachine(server.url, secret, 'alice-1'), await enrollTestMachine(server.url, secret, 'alice-2'), await enrollTestMachine(server.url, secret, 'bob-1')];
  const [aliceUser, bobUser] = [await makeUser('alice@depot.test'), await makeUser('bob@depot.test')];
  alice = aliceUser.session;
  bob = bobUser.session;
  for (const [m, owner] of [[a1, aliceUser.id], [a2, aliceUser.id], [b1, bobUser.id]] as const) {
    expect((await call(admin, 'PUT', `/api/machines/${mid(m)}/owner`, { ownerId: owner })).status).toBe(200);
  }
  await seedCabinet(server.url, admin, 'portal');
  pkgs.editor = await register('editor', { displayName: 'Text Editor', publisher: 'Acme Tools', category: 'Office', description: 'Edits plain text quickly.' });
  pkgs.viewer = await register('viewer', { displayName: 'Image Viewer', publisher: 'Pixel Works', category: 'Graphics', description: 'Shows pictures.' });
  pkgs.notes = await register('notes', { displayName: 'Notes', publisher: 'Acme Tools', category: 'Office', selfService: true, installer: { kind: 'script', uninstall: ['/bin/true'] } });
  pkgs.locked = await register('locked', { displayName: 'Locked App', selfService: false, installer: { kind: 'script', uninstall: ['/bin/true'] } });
  pkgs.agent = await register('security-agent', { displayName: 'Security Agent' });
});
afterAll(async () => {
  await server?.dispose();
});

describe('job options', () => {
  it('stores the deferral budget and the install-now switch, and names a field that does not fit the kind', async () => {
    const id = await createJob({ kind: 'install', packageId: pkgs.agent, machineIds: [mid(b1)], deferralLimit: 3, allowInstallNow: true });
    const job = (await call<{ job: { deferralLimit: number; allowInstallNow: boolean } }>(admin, 'GET', `/api/jobs/${id}`)).body.job;
    expect(job).toMatchObject({ deferralLimit: 3, allowInstallNow: true });
    const offer = (await call<{ job: { deferralLimit: number | null; allowInstallNow: boolean } }>(admin, 'GET', `/api/jobs/${await createJob({ kind: 'offer', packageId: pkgs.agent, machineIds: [mid(b1)] })}`)).body.job;
    expect(offer).toMatchObject({ deferralLimit: null, allowInstallNow: false });

    const cases: [Record<string, unknown>, string, string][] = [
      [{ kind: 'offer', deferralLimit: 1 }, 'deferralLimit', 'deferralLimit: expected no deferral limit for an offer job: only a mandatory install can be deferred by its users'],
      [{ kind: 'uninstall', deferralLimit: 0 }, 'deferralLimit', 'deferralLimit: expected no deferral limit for an uninstall job: only a mandatory install can be deferred by its users'],
      [{ kind: 'uninstall', allowInstallNow: true }, 'allowInstallNow', 'allowInstallNow: expected allowInstallNow only for an install or offer job, not an uninstall one'],
      [{ kind: 'install', deferralLimit: -1 }, 'deferralLimit', 'deferralLimit: expected 0 or more'],
      [{ kind: 'install', deferralLimit: 1.5 }, 'deferralLimit', 'deferralLimit: expected int'],
      [{ kind: 'install', deferralLimit: '2' }, 'deferralLimit', 'deferralLimit: expected number'],
      [{ kind: 'offer', allowInstallNow: 'yes' }, 'allowInstallNow', 'allowInstallNow: expected boolean'],
    ];
    for (const [json, field, message] of cases) {
      const res = await call(admin, 'POST', '/api/jobs', { packageId: pkgs.agent, machineIds: [mid(b1)], ...json });
      expect({ status: res.status, field: res.body.error.field, message: res.body.error.message }).toEqual({ status: 422, field, message });
    }
  });
});

describe('catalog and choices', () => {
  let offerJob: string;
  let a1Editor: string;
  let a2Editor: string;
  let b1Editor: string;

  beforeAll(async () => {
    offerJob = await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(a1), mid(a2), mid(b1)], allowInstallNow: true });
    await createJob({ kind: 'offer', packageId: pkgs.viewer, machineIds: [mid(a1), mid(a2)] });
    a1Editor = await assignmentOf(offerJob, a1);
    a2Editor = await assignmentOf(offerJob, a2);
    b1Editor = await assignmentOf(offerJob, b1);
  });

  it('lists the offers to the user’s own machines only, grouped per package, searchable and filtered by category', async () => {
    const mine = await catalog(alice);
    expect(mine.machines).toBe(2);
    expect(mine.categories).toEqual(['Graphics', 'Office']);
    const editor = mine.entries.find((e) => e.id === pkgs.editor)!;
    expect(editor).toMatchObject({ packageId: 'editor', displayName: 'Text Editor', version: '1.0.0', publisher: 'Acme Tools', category: 'Office', description: 'Edits plain text quickly.', uninstallable: false });
    expect(editor.size).toBeGreaterThan(0);
    expect(editor.machines.map((m) => [m.hostname, m.state, m.allowInstallNow])).toEqual([
      ['alice-1', 'offered', true],
      ['alice-2', 'offered', true],
    ]);
    // Bob sees the same offer for his machine only, and nothing of Alice's.
    const his = await catalog(bob);
    expect(his.entries.map((e) => [e.packageId, e.machines.map((m) => m.hostname)])).toEqual([['security-agent', ['bob-1']], ['editor', ['bob-1']]]);

    expect((await catalog(alice, '?q=acme')).entries.map((e) => e.packageId)).toEqual(['editor']);
    expect((await catalog(alice, '?q=PICTURES')).entries.map((e) => e.packageId)).toEqual(['viewer']);
    expect((await catalog(alice, '?q=viewer')).entries.map((e) => e.packageId)).toEqual(['viewer']);
    expect((await catalog(alice, '?category=Graphics')).entries.map((e) => e.packageId)).toEqual(['viewer']);
    // The search form sends empty fields: no filter.
    expect((await catalog(alice, '?q=&category=&showRejected=false')).entries.map((e) => e.packageId)).toEqual(['viewer', 'editor']);
    expect((await catalog(alice, '?q=nothing-like-this')).entries).toEqual([]);
    const paged = await catalog(alice, '?pageSize=1&page=2');
    expect({ total: paged.total, names: paged.entries.map((e) => e.displayName) }).toEqual({ total: 2, names: ['Text Editor'] });
    const bad = await call(alice, 'GET', '/api/portal/catalog?page=0');
    expect({ ...err(bad), field: bad.body.error.field }).toEqual({ status: 422, code: 'invalid_input', field: 'page' });
  });

  it('chooses an offer for one machine: the row is pending and the machine’s plan carries it in its windows', async () => {
    const before = (await plan(a1)).version;
    const res = await call<{ assignmentId: string; state: string; runNow: boolean }>(alice, 'POST', `/api/portal/machines/${mid(a1)}/selections`, { packageId: pkgs.editor });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ assignmentId: a1Editor, state: 'pending', runNow: false });
    expect(await row(a1Editor)).toMatchObject({ state: 'pending', runNow: false });
    const p = await plan(a1);
    expect(p.version).toBeGreaterThan(before);
    expect(p.assignments.find((x) => x.assignmentId === a1Editor)).toMatchObject({ state: 'pending', timing: 'windows', mandatory: false, kind: 'install' });
    expect((await row(a1Editor)).events.at(-1)).toMatchObject({ state: 'pending', actorLabel: 'alice@depot.test' });
    // Choosing it again is refused, saying why.
    const again = await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/selections`, { assignmentId: a1Editor });
    expect({ ...err(again), message: again.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Text Editor 1.0.0 on alice-1 is already chosen and waiting to install.' });
  });

  it('changes its mind before the install starts: offered again, and the plan drops it', async () => {
    const res = await call<{ state: string }>(alice, 'DELETE', `/api/portal/machines/${mid(a1)}/selections/${a1Editor}`);
    expect({ status: res.status, state: res.body.state }).toEqual({ status: 200, state: 'offered' });
    expect(await row(a1Editor)).toMatchObject({ state: 'offered', attempt: 2 });
    expect((await plan(a1)).assignments.some((x) => x.assignmentId === a1Editor)).toBe(false);
    const twice = await call(alice, 'DELETE', `/api/portal/machines/${mid(a1)}/selections/${a1Editor}`);
    expect({ ...err(twice), message: twice.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Text Editor 1.0.0 on alice-1 is offered, not chosen: there is no choice to change.' });
  });

  it('chooses one package for several machines at once with install now: the plans say asap', async () => {
    const res = await call<{ selected: { hostname: string; state: string; runNow: boolean }[] }>(alice, 'POST', '/api/portal/selections', { packageId: pkgs.editor, machineIds: [mid(a1), mid(a2)], installNow: true });
    expect(res.status).toBe(200);
    expect(res.body.selected.map((s) => [s.hostname, s.state, s.runNow]).sort()).toEqual([
      ['alice-1', 'pending', true],
      ['alice-2', 'pending', true],
    ]);
    for (const [m, id] of [[a1, a1Editor], [a2, a2Editor]] as const) {
      expect(await row(id)).toMatchObject({ state: 'pending', runNow: true });
      expect((await plan(m)).assignments.find((x) => x.assignmentId === id)).toMatchObject({ timing: 'asap', notBefore: null });
    }
    const catalogNow = (await catalog(alice)).entries.find((e) => e.id === pkgs.editor)!;
    expect(catalogNow.machines.map((m) => [m.state, m.runNow])).toEqual([['pending', true], ['pending', true]]);
    // Changing one's mind clears "install now" too.
    expect((await call(alice, 'DELETE', `/api/portal/machines/${mid(a2)}/selections/${a2Editor}`)).status).toBe(200);
    expect(await row(a2Editor)).toMatchObject({ state: 'offered', runNow: false });
  });

  it('takes all the machines or none, and refuses install now where the offer does not allow it', async () => {
    const viewerJob = (await call<{ jobs: { id: string; name: string; packageId: string }[] }>(admin, 'GET', '/api/jobs?q=viewer')).body.jobs[0].id;
    const [v1, v2] = [await assignmentOf(viewerJob, a1), await assignmentOf(viewerJob, a2)];
    const notAllowed = await call(alice, 'POST', '/api/portal/selections', { packageId: pkgs.viewer, machineIds: [mid(a1), mid(a2)], installNow: true });
    expect(err(notAllowed)).toEqual({ status: 409, code: 'conflict' });
    expect(notAllowed.body.error.message).toMatch(/^The offer of Image Viewer 1\.0\.0 on alice-[12] does not allow installing now: choose Install, and it installs in the machine’s installation windows\.$/);
    // alice-2 rejects it; choosing both machines then changes neither.
    expect((await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${v2}/decline`)).status).toBe(200);
    const partial = await call(alice, 'POST', '/api/portal/selections', { packageId: pkgs.viewer, machineIds: [mid(a1), mid(a2)] });
    expect({ ...err(partial), message: partial.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'You rejected Image Viewer 1.0.0 on alice-2: choose “Show again” first, then install it.' });
    expect((await row(v1)).state).toBe('offered');
    expect((await row(v2)).state).toBe('declined');
    // A second job offering the same package to a machine where it is already chosen: one entry, not chosen twice.
    const second = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.editor, machineIds: [mid(a1)] }), a1);
    const twice = await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/selections`, { packageId: pkgs.editor });
    expect({ ...err(twice), message: twice.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Text Editor 1.0.0 on alice-1 is already chosen and waiting to install.' });
    expect((await row(second)).state).toBe('offered');
    expect((await catalog(alice)).entries.find((e) => e.id === pkgs.editor)!.machines.filter((m) => m.hostname === 'alice-1').map((m) => [m.assignmentId, m.state])).toEqual([[a1Editor, 'pending']]);
  });

  it('hides rejected offers unless asked, counts them on the job, and shows them again on request', async () => {
    const viewerJob = (await call<{ jobs: { id: string }[] }>(admin, 'GET', '/api/jobs?q=viewer')).body.jobs[0].id;
    const v2 = await assignmentOf(viewerJob, a2);
    const hidden = await catalog(alice);
    expect(hidden.rejected).toBe(1);
    expect(hidden.entries.find((e) => e.id === pkgs.viewer)!.machines.map((m) => m.hostname)).toEqual(['alice-1']);
    const shown = await catalog(alice, '?showRejected=true');
    expect(shown.entries.find((e) => e.id === pkgs.viewer)!.machines.map((m) => [m.hostname, m.state])).toEqual([['alice-1', 'offered'], ['alice-2', 'declined']]);
    expect((await jobAssignments(viewerJob)).counts).toEqual({ offered: 1, declined: 1 });

    const restored = await call<{ state: string }>(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${v2}/restore`);
    expect({ status: restored.status, state: restored.body.state }).toEqual({ status: 200, state: 'offered' });
    expect((await row(v2)).state).toBe('offered');
    const again = await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${v2}/restore`);
    expect({ ...err(again), message: again.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Image Viewer 1.0.0 on alice-2 is offered, not chosen: only a rejected offer can be shown again.' });
    // A chosen offer cannot be rejected before the user changes their mind.
    const chosen = await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/assignments/${a1Editor}/decline`);
    expect({ ...err(chosen), message: chosen.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Text Editor 1.0.0 on alice-1 is chosen: change your mind first, then reject it.' });
  });

  it('answers 404 for another user’s machine, package or assignment on every action, and changes nothing', async () => {
    const before = await Promise.all([a1Editor, a2Editor].map(row));
    const planBefore = (await plan(a1)).version;
    const base = `/api/portal/machines/${mid(a1)}`;
    const attempts: [string, string, unknown?][] = [
      ['POST', `${base}/selections`, { packageId: pkgs.editor }],
      ['POST', `${base}/selections`, { assignmentId: a1Editor }],
      ['POST', '/api/portal/selections', { packageId: pkgs.editor, machineIds: [mid(b1), mid(a2)] }],
      ['DELETE', `${base}/selections/${a1Editor}`],
      ...['decline', 'restore', 'install-now', 'defer', 'uninstall'].map((verb): [string, string] => ['POST', `${base}/assignments/${a1Editor}/${verb}`]),
      // Bob's own machine, but Alice's assignment: not offered to that machine.
      ['POST', `/api/portal/machines/${mid(b1)}/assignments/${a2Editor}/decline`],
      ['POST', `/api/portal/machines/${mid(b1)}/selections`, { assignmentId: a2Editor }],
      // A package never offered to Bob's machine.
      ['POST', `/api/portal/machines/${mid(b1)}/selections`, { packageId: pkgs.viewer }],
    ];
    for (const [method, path, json] of attempts) {
      const res = await call(bob, method, path, json);
      expect({ path, method, ...err(res) }).toEqual({ path, method, status: 404, code: 'not_found' });
    }
    const machine404 = await call(bob, 'POST', `${base}/assignments/${a1Editor}/install-now`);
    expect(machine404.body.error.message).toBe(`You have no machine with id ${mid(a1)}.`);
    const assignment404 = await call(bob, 'POST', `/api/portal/machines/${mid(b1)}/assignments/${a2Editor}/decline`);
    expect({ field: assignment404.body.error.field, message: assignment404.body.error.message }).toEqual({ field: 'assignmentId', message: `bob-1 has no assignment with id ${a2Editor}.` });
    const package404 = await call(bob, 'POST', `/api/portal/machines/${mid(b1)}/selections`, { packageId: pkgs.viewer });
    expect({ field: package404.body.error.field, message: package404.body.error.message }).toEqual({ field: 'packageId', message: `No package with id ${pkgs.viewer} is offered to bob-1.` });
    expect(await Promise.all([a1Editor, a2Editor].map(row))).toEqual(before);
    // All or nothing: Bob's own machine in the same request was not chosen either.
    expect((await row(b1Editor)).state).toBe('offered');
    expect((await plan(a1)).version).toBe(planBefore);
    // Retired machines are not the user's either.
    expect((await call(admin, 'POST', `/api/machines/${mid(b1)}/retire`)).status).toBe(200);
    expect((await catalog(bob)).machines).toBe(0);
  });
});

describe('mandatory installs', () => {
  // One window a week, on the day after tomorrow (UTC machines), so the next opening is 1-2 days away.
  const windowDay = (new Date().getUTCDay() + 2) % 7;
  let budgetJob: string;
  let budgetId: string;

  beforeAll(async () => {
    expect((await call(admin, 'PUT', `/api/machines/${mid(a2)}/windows`, { windows: [{ day: windowDay, start: '12:00', minutes: 60 }] })).status).toBe(200);
    budgetJob = await createJob({ kind: 'install', packageId: pkgs.agent, machineIds: [mid(a2)], deferralLimit: 2 });
    budgetId = await assignmentOf(budgetJob, a2);
  });

  it('defers to the opening after the next, within the budget, and the plan carries the later not-before', async () => {
    const first = await call<{ notBefore: string; expectedAt: string; deferrals: number; deferralsLeft: number }>(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${budgetId}/defer`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ deferrals: 1, deferralsLeft: 1 });
    const nb1 = Date.parse(first.body.notBefore);
    // The end of the next opening: 13:00 UTC on the window's day, one to two days from now.
    expect(new Date(nb1).getUTCDay()).toBe(windowDay);
    expect(new Date(nb1).toISOString().slice(11)).toBe('13:00:00.000Z');
    expect(nb1 - Date.now()).toBeGreaterThan(0);
    expect(nb1 - Date.now()).toBeLessThan(3 * 86_400_000);
    expect(Date.parse(first.body.expectedAt)).toBe(nb1 + 7 * 86_400_000 - 3600_000);
    const p1 = (await plan(a2)).assignments.find((x) => x.assignmentId === budgetId)!;
    expect(p1).toMatchObject({ state: 'pending', timing: 'windows', notBefore: first.body.notBefore, mandatory: true });
    expect(await row(budgetId)).toMatchObject({ state: 'pending', deferrals: 1, notBefore: first.body.notBefore });

    const second = await call<{ notBefore: string; expectedAt: string; deferralsLeft: number }>(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${budgetId}/defer`);
    expect(second.body).toMatchObject({ deferralsLeft: 0 });
    expect(Date.parse(second.body.notBefore)).toBe(nb1 + 7 * 86_400_000);
    expect((await plan(a2)).assignments.find((x) => x.assignmentId === budgetId)!.notBefore).toBe(second.body.notBefore);

    const third = await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${budgetId}/defer`);
    expect({ ...err(third), message: third.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Security Agent 1.0.0 on alice-2 cannot be deferred again: no deferrals left: 2 of 2 used.' });
    expect(await row(budgetId)).toMatchObject({ deferrals: 2, notBefore: second.body.notBefore });
  });

  it('refuses a deferral the deadline leaves no window for, and one the job does not allow', async () => {
    const deadline = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const tight = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.agent, machineIds: [mid(a2)], deferralLimit: 5, deadline }), a2);
    const res = await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${tight}/defer`);
    expect(err(res)).toEqual({ status: 409, code: 'conflict' });
    expect(res.body.error.message).toMatch(/^Security Agent 1\.0\.0 on alice-2 cannot be deferred: the deadline .+ \(UTC\) leaves no later window; it installs by then\.$/);
    expect(await row(tight)).toMatchObject({ deferrals: 0, notBefore: null });

    const none = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.agent, machineIds: [mid(a2)] }), a2);
    const refused = await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${none}/defer`);
    expect({ ...err(refused), message: refused.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Security Agent 1.0.0 on alice-2 cannot be deferred: your administrators allow no deferrals for it.' });
    // A mandatory install is not the user's choice to undo.
    const unchoose = await call(alice, 'DELETE', `/api/portal/machines/${mid(a2)}/selections/${none}`);
    expect(err(unchoose)).toEqual({ status: 409, code: 'conflict' });
  });

  it('installs now only where the job allows it; the plan then says asap and drops the deferral', async () => {
    const notAllowed = await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${budgetId}/install-now`);
    expect({ ...err(notAllowed), message: notAllowed.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'The install of Security Agent 1.0.0 on alice-2 does not allow installing now: it runs in the machine’s installation windows.' });
    const allowed = await assignmentOf(await createJob({ kind: 'install', packageId: pkgs.agent, machineIds: [mid(a2)], allowInstallNow: true, deferralLimit: 1 }), a2);
    expect((await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${allowed}/defer`)).status).toBe(200);
    const res = await call<{ runNow: boolean }>(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${allowed}/install-now`);
    expect({ status: res.status, runNow: res.body.runNow }).toEqual({ status: 200, runNow: true });
    expect((await plan(a2)).assignments.find((x) => x.assignmentId === allowed)).toMatchObject({ timing: 'asap', notBefore: null });
    expect(await row(allowed)).toMatchObject({ runNow: true, deferrals: 1 });
    // An offer not chosen yet is chosen with "Install now" in the catalog, not here.
    const offered = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.agent, machineIds: [mid(a2)], allowInstallNow: true }), a2);
    const notChosen = await call(alice, 'POST', `/api/portal/machines/${mid(a2)}/assignments/${offered}/install-now`);
    expect(err(notChosen)).toEqual({ status: 409, code: 'conflict' });
  });
});

describe('uninstalling one’s own package', () => {
  it('creates a one-machine uninstall job by the user, once, for a self-service package installed through an offer', async () => {
    const offer = await createJob({ kind: 'offer', packageId: pkgs.notes, machineIds: [mid(a1)] });
    const id = await assignmentOf(offer, a1);
    const early = await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/assignments/${id}/uninstall`);
    expect({ ...err(early), message: early.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Notes 1.0.0 on alice-1 is not installed (offered): there is nothing to uninstall.' });
    expect((await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/selections`, { assignmentId: id })).status).toBe(200);
    expect((await (await report(a1, id, 1, 'installed')).json()).results[0].outcome).toBe('applied');
    expect((await catalog(alice)).entries.find((e) => e.id === pkgs.notes)).toMatchObject({ uninstallable: true, machines: [{ state: 'installed', removal: null }] });

    const res = await call<{ job: { id: string; name: string; kind: string }; assignments: number }>(alice, 'POST', `/api/portal/machines/${mid(a1)}/assignments/${id}/uninstall`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ job: { kind: 'uninstall', name: 'Uninstall Notes 1.0.0 from alice-1 (requested by alice@depot.test)' }, assignments: 1 });
    const job = (await call<{ job: { kind: string; packageId: string; timing: string; createdBy: string }; counts: Record<string, number>; assignments: { machineId: string; id: string }[] }>(admin, 'GET', `/api/jobs/${res.body.job.id}`)).body;
    expect(job.job).toMatchObject({ kind: 'uninstall', timing: 'asap' });
    expect(job.counts).toEqual({ pending: 1 });
    expect(job.assignments.map((a) => a.machineId)).toEqual([mid(a1)]);
    expect((await plan(a1)).assignments.find((x) => x.assignmentId === job.assignments[0].id)).toMatchObject({ kind: 'uninstall', timing: 'asap' });
    expect((await catalog(alice)).entries.find((e) => e.id === pkgs.notes)!.machines[0].removal).toBe('pending');
    const audit = (await call<{ entries: { action: string; actorLabel: string; targetId: string }[] }>(admin, 'GET', '/api/audit?q=Uninstall Notes')).body.entries;
    expect(audit.find((e) => e.targetId === res.body.job.id)).toMatchObject({ action: 'job.create', actorLabel: 'alice@depot.test' });

    const twice = await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/assignments/${id}/uninstall`);
    expect({ ...err(twice), message: twice.body.error.message }).toEqual({ status: 409, code: 'conflict', message: `An uninstall of Notes 1.0.0 on alice-1 is already on its way (${res.body.job.name}).` });
  });

  it('refuses a package that is not self-service', async () => {
    const id = await assignmentOf(await createJob({ kind: 'offer', packageId: pkgs.locked, machineIds: [mid(a1)] }), a1);
    expect((await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/selections`, { packageId: pkgs.locked })).status).toBe(200);
    await report(a1, id, 1, 'installed');
    const res = await call(alice, 'POST', `/api/portal/machines/${mid(a1)}/assignments/${id}/uninstall`);
    expect({ ...err(res), message: res.body.error.message }).toEqual({ status: 409, code: 'conflict', message: 'Locked App 1.0.0 on alice-1 is not self-service: ask your IT team to remove it.' });
  });
});

describe('the catalog page', () => {
  it('renders the user’s offers with their controls', async () => {
    const res = await fetch(`${server.url}/portal/catalog`, { headers: { cookie: alice.cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Text Editor');
    expect(html).toContain('Image Viewer');
    expect(html).toContain('aria-label="Reject Image Viewer 1.0.0 on alice-1"');
    expect(html).toContain('Uninstalling');
    expect(html).toContain('aria-label="Choose Image Viewer 1.0.0"');
  });
});
