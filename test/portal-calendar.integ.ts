/**
 * The private calendar feed: created, replaced and revoked by its user, read by a calendar app
 * with nothing but the URL. Checks the ICS itself, that only the token's hash is stored and
 * audited nowhere in plain text, and that a revoked or unknown token is a bare 404.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '@/db/schema';
import { createSecret, enrollTestMachine, testFacts, type EnrolledMachine } from './helpers/agent';
import { demoAdmin, demoUser } from './helpers/demo';
import { api, mustSignIn, type Session } from './helpers/http';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';
import { icsUtc } from '../lib/portal/ics';

const DAY = 86_400_000;
let server: TestServer;
let admin: Session;
let user: Session;
const m: Record<string, EnrolledMachine> = {};
const id = (name: string) => m[name].identity.machineId;
const expected: Record<string, string> = {};

type Feed = { calendarFeed: { url: string; replaced: boolean } };
type ErrorBody = { error: { code: string } };
const post = (path: string, json: unknown, session = admin) => api(server.url, path, { method: 'POST', session, json });

/** An hour-aligned instant `days` from now, so it is exact in the feed. */
const inDays = (days: number) => new Date(Math.ceil((Date.now() + days * DAY) / 3600_000) * 3600_000);

async function createJob(body: Record<string, unknown>): Promise<string> {
  const res = await post('/api/jobs', body);
  if (res.status !== 201) throw new Error(`job: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { job: { id: string } }).job.id;
}
async function assignmentOf(jobId: string, hostname: string): Promise<string> {
  const res = await api<{ assignments: { id: string; hostname: string }[] }>(server.url, `/api/jobs/${jobId}`, { session: admin });
  return res.body.assignments.find((a) => a.hostname === hostname)!.id;
}

/** A calendar app's request: no cookie, nothing but the URL. */
const fetchFeed = (url: string) => fetch(url, { redirect: 'manual' });
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

beforeAll(async () => {
  server = await startServer();
  admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
  user = await mustSignIn(server.url, demoUser.email, demoUser.password);
  const list = (await api<{ users: { id: string; email: string }[] }>(server.url, '/api/users', { session: admin })).body.users;
  const secret = await createSecret(server.url, admin, 'calendar');
  for (const name of ['desk-7', 'other-9']) {
    m[name] = await enrollTestMachine(server.url, secret, name);
    const res = await fetch(`${server.url}/api/agent/v1/inventory`, { method: 'POST', headers: { authorization: `Bearer ${m[name].identity.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...testFacts(name), timeZone: 'Europe/Berlin' }) });
    expect(res.status).toBe(200);
  }
  expect((await api(server.url, `/api/machines/${id('desk-7')}/owner`, { method: 'PUT', session: admin, json: { ownerId: list.find((u) => u.email === demoUser.email)!.id } })).status).toBe(200);
  expect((await api(server.url, `/api/machines/${id('other-9')}/owner`, { method: 'PUT', session: admin, json: { ownerId: list.find((u) => u.email === demoAdmin.email)!.id } })).status).toBe(200);

  await seedCabinet(server.url, admin, 'calendar');
  const app = (await seedPackage(server.url, admin, 'calendar', 'calendar-app')).id;
  const offered = (await seedPackage(server.url, admin, 'calendar', 'offered-app')).id;
  const far = (await seedPackage(server.url, admin, 'calendar', 'far-app')).id;
  const startAt = inDays(2);
  const deadline = inDays(3);
  const offerEnds = inDays(5);
  const install = await createJob({ kind: 'install', packageId: app, machineIds: [id('desk-7'), id('other-9')], timing: 'at', startAt: startAt.toISOString(), deadline: deadline.toISOString() });
  const offer = await createJob({ kind: 'offer', packageId: offered, machineIds: [id('desk-7')], deadline: offerEnds.toISOString() });
  // Past the feed's 30 days: left out.
  await createJob({ kind: 'install', packageId: far, machineIds: [id('desk-7')], timing: 'at', startAt: inDays(40).toISOString() });
  const a = await assignmentOf(install, 'desk-7');
  const o = await assignmentOf(offer, 'desk-7');
  Object.assign(expected, { [`${a}:install@depot`]: icsUtc(startAt), [`${a}:deadline@depot`]: icsUtc(deadline), [`${o}:offer_expires@depot`]: icsUtc(offerEnds) });
});
afterAll(async () => {
  await server?.dispose();
});

/** The VEVENTs of a feed as property maps, after checking the calendar's frame. */
function parseIcs(text: string): Record<string, string>[] {
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF only
  for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  const lines = unfold(text).split('\r\n');
  expect(lines.at(-1)).toBe('');
  lines.pop();
  expect(lines.slice(0, 2)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0']);
  expect(lines).toContainEqual(expect.stringMatching(/^PRODID:/));
  expect(lines.at(-1)).toBe('END:VCALENDAR');
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    expect(line).toMatch(/^[A-Z-]+(;[^:]*)?:/);
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current!);
      current = null;
    } else if (current) {
      const i = line.indexOf(':');
      current[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  expect(current).toBeNull();
  return events;
}

describe('calendar feed', () => {
  let url: string;
  let token: string;

  it('gives the user a private URL once, and keeps only its SHA-256', async () => {
    const created = await api<Feed>(server.url, '/api/portal/calendar', { method: 'POST', session: user });
    expect(created.status).toBe(201);
    url = created.body.calendarFeed.url;
    expect(created.body.calendarFeed.replaced).toBe(false);
    expect(url).toMatch(new RegExp(`^${server.url}/calendar/dpc_[\\w-]{43}\\.ics$`));
    token = url.slice(url.lastIndexOf('/') + 1, -'.ics'.length);
    expect((await api<{ calendarFeed: { active: boolean } }>(server.url, '/api/portal/calendar', { session: user })).body).toEqual({ calendarFeed: { active: true } });

    await server.stop();
    const { row, audit } = await server.inspect(async (db) => ({
      row: (await db.select().from(users).where(eq(users.email, demoUser.email)))[0],
      audit: await db.select().from(auditLog).where(eq(auditLog.targetType, 'user')),
    }));
    await server.restart();
    expect(row.calendarTokenHash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);
    const feedRows = audit.filter((r) => r.action.startsWith('calendar_feed.'));
    expect(feedRows.map((r) => [r.action, r.targetLabel, r.actorLabel])).toEqual([['calendar_feed.create', demoUser.email, demoUser.email]]);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('serves the user’s timeline for the next 30 days as ICS, with stable UIDs, to a request without a session', async () => {
    const res = await fetchFeed(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const events = parseIcs(await res.text());
    expect(Object.fromEntries(events.map((e) => [e.UID, e.DTSTART]))).toEqual(expected);
    for (const e of events) expect(e.DTSTAMP).toMatch(/^\d{8}T\d{6}Z$/);
    const byUid = Object.fromEntries(events.map((e) => [e.UID.split(':')[1], e]));
    expect(byUid['install@depot']).toMatchObject({ SUMMARY: 'Install calendar-app app 1.0.0 on desk-7', DURATION: 'PT30M', URL: `${server.url}/portal/machines/${id('desk-7')}` });
    expect(byUid['deadline@depot'].SUMMARY).toBe('Deadline: calendar-app app 1.0.0 on desk-7');
    expect(byUid['offer_expires@depot'].SUMMARY).toBe('Offer ends: offered-app app 1.0.0 for desk-7');
    // What a calendar shows: the start on the machine's clock, and whose install it is.
    expect(byUid['install@depot'].DESCRIPTION).toMatch(/^Depot starts this on desk-7 at .+ \(Europe\/Berlin\)\. Required by your organisation\.$/);
    // The same events again: the same UIDs, so a calendar updates instead of duplicating.
    const again = parseIcs(await (await fetchFeed(url)).text());
    expect(again.map((e) => e.UID).sort()).toEqual(Object.keys(expected).sort());
  });

  it('replaces the URL: the old one is dead at once', async () => {
    const replaced = await api<Feed>(server.url, '/api/portal/calendar', { method: 'POST', session: user });
    expect(replaced.status).toBe(201);
    expect(replaced.body.calendarFeed.replaced).toBe(true);
    const old = url;
    url = replaced.body.calendarFeed.url;
    expect(url).not.toBe(old);
    expect((await fetchFeed(old)).status).toBe(404);
    expect((await fetchFeed(url)).status).toBe(200);
  });

  it('revokes: the URL answers 404 exactly like a token that never existed', async () => {
    const revoked = await api(server.url, '/api/portal/calendar', { method: 'DELETE', session: user });
    expect(revoked.status).toBe(204);
    expect((await api<{ calendarFeed: { active: boolean } }>(server.url, '/api/portal/calendar', { session: user })).body.calendarFeed.active).toBe(false);
    const gone = await fetchFeed(url);
    const unknown = await fetchFeed(`${server.url}/calendar/dpc_${crypto.randomBytes(32).toString('base64url')}.ics`);
    const malformed = await fetchFeed(`${server.url}/calendar/not-a-token.ics`);
    const bodies = await Promise.all([gone, unknown, malformed].map((r) => r.text()));
    expect([gone.status, unknown.status, malformed.status]).toEqual([404, 404, 404]);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toBe('Not found.\n');
    // Revoking again changes nothing; the audit has one row per change, in order.
    expect((await api(server.url, '/api/portal/calendar', { method: 'DELETE', session: user })).status).toBe(204);
    const audit = await api<{ entries: { action: string; targetLabel: string }[] }>(server.url, '/api/audit?q=calendar_feed', { session: admin });
    expect(audit.body.entries.map((e) => [e.action, e.targetLabel]).reverse()).toEqual([
      ['calendar_feed.create', demoUser.email],
      ['calendar_feed.replace', demoUser.email],
      ['calendar_feed.revoke', demoUser.email],
    ]);
    expect(JSON.stringify(audit.body)).not.toMatch(/dpc_/);
  });

  it('stops serving a disabled user’s feed', async () => {
    const created = await api<Feed>(server.url, '/api/portal/calendar', { method: 'POST', session: user });
    expect((await fetchFeed(created.body.calendarFeed.url)).status).toBe(200);
    const list = (await api<{ users: { id: string; email: string }[] }>(server.url, '/api/users', { session: admin })).body.users;
    expect((await api(server.url, `/api/users/${list.find((u) => u.email === demoUser.email)!.id}`, { method: 'PATCH', session: admin, json: { disabled: true } })).status).toBe(200);
    expect((await fetchFeed(created.body.calendarFeed.url)).status).toBe(404);
  });

  it('is reachable without a session while every other page still sends visitors to sign in', async () => {
    expect((await fetchFeed(`${server.url}/calendar/dpc_x.ics`)).status).toBe(404);
    for (const path of ['/portal/calendar', '/calendar/dpc_x', '/calendar']) {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(307);
      expect(res.headers.get('location')).toContain('/signin');
    }
    const res = await api<ErrorBody>(server.url, '/api/portal/calendar', { method: 'POST' });
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 401, code: 'unauthorized' });
  });
});
