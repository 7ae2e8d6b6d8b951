/**
 * Issue #14, sign-in and request origin: sign-out ends the session on the server; failed
 * sign-ins and enrolments are throttled per client address (the socket's, or X-Forwarded-For
 * from DEPOT_TRUSTED_PROXIES only); a cookie-authenticated change must come from this site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, enrollTestMachine } from './helpers/agent';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, signIn, signInAttempt, signOut, type Session } from './helpers/http';
import { serverActions } from './helpers/inventory';
import { seedCabinet, seedPackage } from './helpers/seed';
import { startServer, type TestServer } from './helpers/server';

// `proxied` believes X-Forwarded-For from 127.0.0.1 (the test's own socket); `direct` does not.
let proxied: TestServer;
let direct: TestServer;
beforeAll(async () => {
  // One after the other: two starts at once on a busy 2-core machine can pass the start timeout.
  proxied = await startServer({ env: { DEPOT_TRUSTED_PROXIES: '127.0.0.1' } });
  direct = await startServer();
}, 420_000);
afterAll(async () => {
  await Promise.all([proxied?.dispose(), direct?.dispose()]);
});

const from = (address: string) => ({ 'x-forwarded-for': address });
type ErrorBody = { error: { code: string; message: string } };

async function createUser(server: TestServer, admin: Session, email: string, password: string, role = 'user'): Promise<void> {
  const res = await api(server.url, '/api/users', { method: 'POST', session: admin, json: { email, name: email.split('@')[0], role, password } });
  expect(res.status).toBe(201);
}

describe('sign-out', () => {
  it('ends that session on the server: a copy of the cookie stops working, the other device stays signed in', async () => {
    const laptop = await mustSignIn(direct.url, demoAdmin.email, demoAdmin.password);
    const phone = await mustSignIn(direct.url, demoAdmin.email, demoAdmin.password);
    const copied: Session = { cookie: laptop.cookie };
    expect((await api(direct.url, '/api/users', { session: copied })).status).toBe(200);

    expect(await signOut(direct.url, laptop)).toBe(200);

    const apiAfter = await api<ErrorBody>(direct.url, '/api/users', { session: copied });
    expect({ status: apiAfter.status, code: apiAfter.body.error?.code }).toEqual({ status: 401, code: 'unauthorized' });
    const page = await fetch(`${direct.url}/dashboard`, { headers: { cookie: copied.cookie }, redirect: 'manual' });
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toContain('/signin');

    expect((await api(direct.url, '/api/users', { session: phone })).status).toBe(200);
    expect((await fetch(`${direct.url}/dashboard`, { headers: { cookie: phone.cookie }, redirect: 'manual' })).status).toBe(200);
  });
});

describe('failed sign-ins', () => {
  it('lock an email from one address only: the right password from another address still works', async () => {
    const admin = await mustSignIn(proxied.url, demoAdmin.email, demoAdmin.password);
    await createUser(proxied, admin, 'target@depot.test', 'the-right-password');
    for (let i = 0; i < 4; i++) expect((await signInAttempt(proxied.url, 'target@depot.test', `wrong-${i}`, from('203.0.113.1'))).error).toBe('CredentialsSignin');
    const fifth = await signInAttempt(proxied.url, 'target@depot.test', 'wrong-4', from('203.0.113.1'));
    expect(fifth.status).toBe(429);
    expect(fifth.error).toMatch(/^locked:/);
    const locked = await signInAttempt(proxied.url, 'target@depot.test', 'the-right-password', from('203.0.113.1'));
    expect({ status: locked.status, locked: locked.error?.startsWith('locked:') }).toEqual({ status: 429, locked: true });
    expect(Number(locked.retryAfter)).toBeGreaterThan(14 * 60);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(15 * 60);

    expect(await signIn(proxied.url, 'target@depot.test', 'the-right-password', from('203.0.113.2'))).not.toBeNull();
  });

  it('from one address across many emails get 429 with Retry-After, while others sign in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await signInAttempt(proxied.url, `spray-${i}@depot.test`, 'Winter2026!', from('198.51.100.7'))).status);
    expect(new Set(statuses.slice(0, 19))).toEqual(new Set([401])); // next-auth's "wrong credentials"
    expect(statuses[19]).toBe(429); // the 20th failure locks the address
    const next = await signInAttempt(proxied.url, 'spray-new@depot.test', 'Winter2026!', from('198.51.100.7'));
    expect(next.status).toBe(429);
    expect(next.error).toMatch(/^locked:/);
    expect(Number(next.retryAfter)).toBeGreaterThan(0);
    // Even a right password from the spraying address waits; elsewhere it works.
    expect((await signInAttempt(proxied.url, demoAdmin.email, demoAdmin.password, from('198.51.100.7'))).status).toBe(429);
    expect(await signIn(proxied.url, demoAdmin.email, demoAdmin.password, from('198.51.100.8'))).not.toBeNull();
  });

  it('in parallel do not get past the lock: at most the limit reach the password check', async () => {
    // All at once, so every one would pass a lock check made before any failure was recorded.
    const pair = await Promise.all(Array.from({ length: 30 }, (_, i) => signInAttempt(proxied.url, demoAdmin.email, `parallel-${i}`, from('203.0.113.50'))));
    expect(pair.filter((a) => a.status === 401).length).toBeLessThanOrEqual(4); // the 5th checked one locks (429)
    expect(pair.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(26);
    const spray = await Promise.all(Array.from({ length: 40 }, (_, i) => signInAttempt(proxied.url, `parallel-${i}@depot.test`, 'Winter2026!', from('203.0.113.51'))));
    expect(spray.filter((a) => a.status === 401).length).toBeLessThanOrEqual(19);
    expect(spray.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(21);
  });

  it('ignore X-Forwarded-For unless DEPOT_TRUSTED_PROXIES names the peer', async () => {
    const admin = await mustSignIn(direct.url, demoAdmin.email, demoAdmin.password);
    await createUser(direct, admin, 'spoofer@depot.test', 'the-right-password');
    for (let i = 0; i < 5; i++) await signInAttempt(direct.url, 'spoofer@depot.test', `wrong-${i}`, from(`203.0.113.${10 + i}`));
    // All five came from 127.0.0.1 whatever the header said: the pair (email, 127.0.0.1) is locked.
    const attempt = await signInAttempt(direct.url, 'spoofer@depot.test', 'the-right-password', from('203.0.113.99'));
    expect({ status: attempt.status, locked: attempt.error?.startsWith('locked:') }).toEqual({ status: 429, locked: true });
  });
});

describe('failed enrolments', () => {
  it('are throttled per address with 429 and Retry-After', async () => {
    const enrol = (address: string) =>
      fetch(`${proxied.url}/api/agent/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...from(address) },
        body: JSON.stringify({ secret: 'depot_es_not-a-real-secret-0123456789abcdef', hostname: 'guesser', timeZone: 'UTC' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 19; i++) statuses.push((await enrol('192.0.2.9')).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    const twentieth = await enrol('192.0.2.9');
    expect(twentieth.status).toBe(429);
    const locked = await enrol('192.0.2.9');
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as ErrorBody).error.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // Another address is not held back by this one.
    expect((await enrol('192.0.2.10')).status).toBe(401);
  });
});

describe('cross-site requests', () => {
  let admin: Session;
  let token: string;
  let jobId: string;
  const evil = 'https://evil.example';

  beforeAll(async () => {
    admin = await mustSignIn(direct.url, demoAdmin.email, demoAdmin.password);
    const secret = await createSecret(direct.url, admin, 'origin');
    const machine = await enrollTestMachine(direct.url, secret, 'origin-1');
    await seedCabinet(direct.url, admin, 'origin');
    const pkg = await seedPackage(direct.url, admin, 'origin', 'origin-app');
    const job = await api<{ job: { id: string } }>(direct.url, '/api/jobs', { method: 'POST', session: admin, json: { kind: 'install', packageId: pkg.id, machineIds: [machine.identity.machineId], timing: 'asap' } });
    expect(job.status).toBe(201);
    jobId = job.body.job.id;
    token = (await api<{ token: { token: string } }>(direct.url, '/api/tokens', { method: 'POST', session: admin, json: { name: 'origin', role: 'deployer' } })).body.token.token;
  });

  it('refuses a cookie-authenticated job suspend from a foreign Origin; a Bearer token is not affected', async () => {
    const foreign = await api<ErrorBody>(direct.url, `/api/jobs/${jobId}/suspend`, { method: 'POST', session: admin, headers: { origin: evil } });
    expect({ status: foreign.status, code: foreign.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
    expect(foreign.body.error.message).toContain(evil);
    const noOrigin = await fetch(`${direct.url}/api/jobs/${jobId}/suspend`, { method: 'POST', headers: { cookie: admin.cookie } });
    expect(noOrigin.status).toBe(403);

    const bearer = await api(direct.url, `/api/jobs/${jobId}/suspend`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: evil } });
    expect(bearer.status).toBe(200);
    expect((await api(direct.url, `/api/jobs/${jobId}/resume`, { method: 'POST', session: admin })).status).toBe(200); // same origin
    const fetchMetadata = await fetch(`${direct.url}/api/jobs/${jobId}/suspend`, { method: 'POST', headers: { cookie: admin.cookie, 'sec-fetch-site': 'same-origin' } });
    expect(fetchMetadata.status).toBe(200);
  });

  it('refuses a cookie-authenticated upload from a foreign Origin', async () => {
    const form = new FormData();
    form.append('manifest', JSON.stringify({ packageId: 'evil-app', displayName: 'evil', version: '1.0.0', installer: { kind: 'script' } }));
    // 8 MiB, still being sent when the refusal comes: the answer must wait for the body to be
    // discarded, or the client's write fails (EPIPE) instead of reading the 403.
    form.append('file', new Blob(['#!/bin/sh\n', Buffer.alloc(8 * 1024 * 1024, 0x23)]), 'install.sh');
    const res = await fetch(`${direct.url}/api/cabinets/origin/packages`, { method: 'POST', body: form, headers: { cookie: admin.cookie, origin: evil } });
    expect({ status: res.status, code: ((await res.json()) as ErrorBody).error.code }).toEqual({ status: 403, code: 'forbidden' });
  });

  it('answers a server action from a foreign Origin with 403, also when X-Forwarded-Host claims that origin', async () => {
    const action = serverActions()[0];
    for (const extra of [{}, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }] as Record<string, string>[]) {
      const res = await fetch(`${direct.url}${action.pagePath}`, {
        method: 'POST',
        headers: { 'next-action': action.id, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component', cookie: admin.cookie, origin: evil, ...extra },
        body: JSON.stringify([null, {}]),
        redirect: 'manual',
      });
      expect({ status: res.status, code: ((await res.json()) as ErrorBody).error.code }).toEqual({ status: 403, code: 'forbidden' });
    }
  });

  it('answers a plain HTML form post (no Next-Action) from a foreign Origin with 403, not 500; a same-site sign-in form post still works', async () => {
    const action = serverActions()[0];
    const multipart = new FormData();
    multipart.append('name', 'evil');
    const bodies: [string, BodyInit, Record<string, string>][] = [
      [action.pagePath, multipart, { origin: evil }],
      [action.pagePath, new URLSearchParams({ name: 'evil' }), { origin: evil }],
      ['/dashboard', new URLSearchParams({ name: 'evil' }), { 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [path, body, headers] of bodies) {
      const res = await fetch(`${direct.url}${path}`, { method: 'POST', body, headers: { cookie: admin.cookie, ...headers }, redirect: 'manual' });
      expect({ path, status: res.status, code: ((await res.json()) as ErrorBody).error.code }).toEqual({ path, status: 403, code: 'forbidden' });
    }
    // next-auth's own form post from this site's sign-in page carries this site's Origin.
    expect(await signIn(direct.url, demoAdmin.email, demoAdmin.password, { origin: direct.url })).not.toBeNull();
  });
});
