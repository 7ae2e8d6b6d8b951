import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '@/db/schema';
import { demoAdmin, demoUser } from './helpers/demo';
import { api, mustSignIn, signIn, signInError } from './helpers/http';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.dispose();
});

async function createUser(admin: Awaited<ReturnType<typeof mustSignIn>>, role: string, email: string, password = 'correct horse battery') {
  // (a helper: creates through the API as an admin would)
  const res = await api<{ user: { id: string } }>(server.url, '/api/users', { method: 'POST', session: admin, json: { email, name: email.split('@')[0], role, password } });
  expect(res.status).toBe(201);
  return res.body.user.id;
}

describe('sign-in', () => {
  it('accepts the demo sign-ins and refuses a wrong password', async () => {
    expect(await signIn(server.url, demoAdmin.email, demoAdmin.password)).not.toBeNull();
    expect(await signIn(server.url, demoUser.email, demoUser.password)).not.toBeNull();
    expect(await signIn(server.url, demoAdmin.email, 'wrong-password')).toBeNull();
    expect(await signIn(server.url, 'nobody@depot.test', 'wrong-password')).toBeNull();
  });

  it('ignores the case of the email', async () => {
    expect(await signIn(server.url, demoAdmin.email.toUpperCase(), demoAdmin.password)).not.toBeNull();
  });

  it('sends the admin to the dashboard and the user to the portal', async () => {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const user = await mustSignIn(server.url, demoUser.email, demoUser.password);
    expect((await fetch(`${server.url}/`, { headers: { cookie: admin.cookie }, redirect: 'manual' })).headers.get('location')).toMatch(/\/dashboard$/);
    expect((await fetch(`${server.url}/`, { headers: { cookie: user.cookie }, redirect: 'manual' })).headers.get('location')).toMatch(/\/portal$/);
  });

  it('never redirects off-site after sign-in', async () => {
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(';', 1)[0]).join('; ');
    for (const callbackUrl of ['https://evil.example/steal', '//evil.example/x', '/\\evil.example']) {
      const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ csrfToken, email: demoAdmin.email, password: demoAdmin.password, callbackUrl, json: 'true' }),
      });
      const { url } = (await res.json()) as { url: string };
      expect(new URL(url).host).toBe(new URL(server.url).host);
    }
  });
});

describe('failed sign-ins', () => {
  it('lock an email for 15 minutes after five failures, known or not, until an admin resets the password', async () => {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const id = await createUser(admin, 'user', 'locky@depot.test', 'the-right-password');
    for (let i = 0; i < 4; i++) expect(await signInError(server.url, 'locky@depot.test', `wrong-${i}`)).toBe('CredentialsSignin');
    // The fifth failure says so at once; then even the right password is refused until the lock ends.
    expect(await signInError(server.url, 'locky@depot.test', 'wrong-4')).toMatch(/^locked:/);
    const locked = await signInError(server.url, 'locky@depot.test', 'the-right-password');
    expect(locked).toMatch(/^locked:/);
    const until = new Date(locked!.slice('locked:'.length)).getTime();
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    // An email nobody has behaves the same, so lockouts tell nothing about accounts.
    for (let i = 0; i < 5; i++) await signInError(server.url, 'nobody-at-all@depot.test', `wrong-${i}`);
    expect(await signInError(server.url, 'nobody-at-all@depot.test', 'anything')).toMatch(/^locked:/);

    // Other accounts are untouched; an admin's password reset lifts the lock.
    expect(await signIn(server.url, demoUser.email, demoUser.password)).not.toBeNull();
    expect((await api(server.url, `/api/users/${id}/password`, { method: 'POST', session: admin, json: { password: 'a-fresh-password' } })).status).toBe(204);
    expect(await signIn(server.url, 'locky@depot.test', 'a-fresh-password')).not.toBeNull();
    const audit = await api<{ entries: { action: string; targetLabel: string }[] }>(server.url, '/api/audit?action=user.sign_in_locked', { session: admin });
    expect(audit.body.entries.map((e) => e.targetLabel)).toEqual(['locky@depot.test']);
  });
});

describe('session version', () => {
  it('throws a disabled user out on the next request and refuses their sign-in', async () => {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const id = await createUser(admin, 'deployer', 'dana@depot.test');
    const dana = await mustSignIn(server.url, 'dana@depot.test', 'correct horse battery');
    expect((await api(server.url, '/api/users', { session: dana })).status).toBe(403); // signed in, wrong role
    expect((await fetch(`${server.url}/dashboard`, { headers: { cookie: dana.cookie }, redirect: 'manual' })).status).toBe(200);

    expect((await api(server.url, `/api/users/${id}`, { method: 'PATCH', session: admin, json: { disabled: true } })).status).toBe(200);
    const after = await fetch(`${server.url}/dashboard`, { headers: { cookie: dana.cookie }, redirect: 'manual' });
    expect(after.status).toBe(307);
    expect(after.headers.get('location')).toContain('/signin');
    expect((await api(server.url, '/api/users', { session: dana })).status).toBe(401);
    expect(await signIn(server.url, 'dana@depot.test', 'correct horse battery')).toBeNull();
  });

  it('applies a role change on the next request', async () => {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const id = await createUser(admin, 'user', 'ursula@depot.test');
    const ursula = await mustSignIn(server.url, 'ursula@depot.test', 'correct horse battery');
    expect((await api(server.url, '/api/audit', { session: ursula })).status).toBe(403);
    expect((await api(server.url, `/api/users/${id}`, { method: 'PATCH', session: admin, json: { role: 'auditor' } })).status).toBe(200);
    expect((await api(server.url, '/api/audit', { session: ursula })).status).toBe(200);
  });

  it('ends every session on a password reset; the new password works', async () => {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const id = await createUser(admin, 'auditor', 'pat@depot.test');
    const pat = await mustSignIn(server.url, 'pat@depot.test', 'correct horse battery');
    expect((await api(server.url, `/api/users/${id}/password`, { method: 'POST', session: admin, json: { password: 'a brand new secret' } })).status).toBe(204);
    expect((await api(server.url, '/api/audit', { session: pat })).status).toBe(401);
    expect(await signIn(server.url, 'pat@depot.test', 'correct horse battery')).toBeNull();
    expect(await signIn(server.url, 'pat@depot.test', 'a brand new secret')).not.toBeNull();
  });

  it('records each change in the audit log, with no secret in it', async () => {
    await server.stop();
    const rows = await server.inspect(async (db) => {
      const [pat] = await db.select().from(users).where(eq(users.email, 'pat@depot.test'));
      expect(pat.passwordHash).toMatch(/^\$argon2id\$/);
      expect(pat.sessionVersion).toBe(2);
      return db.select().from(auditLog).where(eq(auditLog.targetLabel, 'pat@depot.test'));
    });
    await server.restart();
    expect(rows.map((r) => r.action).sort()).toEqual(['user.create', 'user.reset_password']);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('a brand new secret');
    expect(text).not.toContain('argon2');
    expect(rows.every((r) => r.actorLabel === demoAdmin.email)).toBe(true);
  });
});
