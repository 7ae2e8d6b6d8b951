import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn, signIn } from './helpers/http';
import { startServer, type TestServer } from './helpers/server';

describe('the configured database (PostgreSQL when DATABASE_URL is set, else PGlite)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('reports itself up on /api/health', async () => {
    const res = await api(server.url, '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up', databaseKind: process.env.DATABASE_URL ? 'postgres' : 'pglite' });
  });

  it('keeps its data across a restart', async () => {
    const admin = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);
    const created = await api(server.url, '/api/users', { method: 'POST', session: admin, json: { email: 'kept@depot.test', name: 'Kept', role: 'user', password: 'survives-restarts' } });
    expect(created.status).toBe(201);
    expect(await server.stop()).toBe(0);
    const [row] = await server.inspect((db) => db.select().from(users).where(eq(users.email, 'kept@depot.test')));
    expect(row).toMatchObject({ name: 'Kept', role: 'user', disabled: false });
    await server.restart();
    expect(server.output()).not.toContain('shown this once'); // demo users are seeded once
    expect(await signIn(server.url, 'kept@depot.test', 'survives-restarts')).not.toBeNull();
    // The session secret survives restarts too: the old session still works.
    expect((await api(server.url, '/api/users', { session: admin })).status).toBe(200);
  });
});

describe('embedded PGlite folder', () => {
  let first: TestServer;
  beforeAll(async () => {
    first = await startServer({ pglite: true });
  });
  afterAll(async () => {
    await first?.dispose();
  });

  it('refuses a second process at once, naming the one that holds it', async () => {
    const started = Date.now();
    const second = startServer({ pglite: true, dataDir: first.dataDir });
    await expect(second).rejects.toThrow(/server exited with 1 before it was ready/);
    await expect(second).rejects.toThrow(new RegExp(`in use by process \\d+ on .*\\n.*DEPOT_DATA_DIR`));
    expect(Date.now() - started).toBeLessThan(20_000);
    // The first one is unharmed.
    expect((await api(first.url, '/api/health')).status).toBe(200);
  });

  it('refuses a second `npm start` before it builds anything', async () => {
    const { spawnSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const { projectDir } = await import('./helpers/server');
    const buildId = `${projectDir}/.next/BUILD_ID`;
    const builtAt = fs.statSync(buildId).mtimeMs;
    const second = spawnSync('npm', ['start'], {
      cwd: projectDir,
      env: { ...process.env, DEPOT_DATA_DIR: first.dataDir, DATABASE_URL: '', PORT: String(first.port + 1) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`The embedded database in ${first.dataDir} is in use by process \\d+`));
    expect(second.stdout).not.toContain('Building Depot');
    expect(fs.statSync(buildId).mtimeMs).toBe(builtAt);
    expect((await api(first.url, '/api/health')).status).toBe(200);
  });

  it('releases the folder on SIGTERM so the next start succeeds', async () => {
    expect(await first.stop()).toBe(0);
    await first.restart();
    expect((await api(first.url, '/api/health')).status).toBe(200);
  });
});

describe('the agent API fast path', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ pglite: true });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('answers its own routes and refuses unknown ones as JSON', async () => {
    expect(await api(server.url, '/api/agent/v1/hello')).toMatchObject({ status: 200, body: { protocol: 1 } });
    expect(await api(server.url, '/api/agent/v1/nope')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const wrongMethod = await api(server.url, '/api/agent/v1/hello', { method: 'POST', json: {} });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });
});

describe('npm run create-admin', () => {
  it('creates the first admin on an empty database, who can then sign in', async () => {
    const { spawnSync } = await import('node:child_process');
    const server = await startServer({ env: { DEPOT_SEED_DEMO: '0' } });
    try {
      expect(server.output()).toMatch(process.env.DATABASE_URL ? /No admin yet: create one with {2}npm run create-admin/ : /Depot .* is ready/);
      await server.stop();
      const env = { ...process.env, DEPOT_DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl ?? '' };
      const run = (email: string, password: string) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'scripts/create-admin.ts', '--email', email, '--name', 'First Admin'], { env, input: `${password}\n`, encoding: 'utf8' });
      const ok = run('first@depot.test', 'first-admin-password');
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('Created admin first@depot.test');
      const short = run('second@depot.test', 'short');
      expect(short.status).toBe(1);
      expect(short.stderr).toContain('password: expected at least 10 characters');
      const again = run('FIRST@depot.test', 'first-admin-password');
      expect(again.status).toBe(1);
      expect(again.stderr).toContain('email: a user with first@depot.test already exists');
      await server.restart();
      const session = await mustSignIn(server.url, 'first@depot.test', 'first-admin-password');
      expect((await api(server.url, '/api/users', { session })).body).toMatchObject({ total: 1 });
    } finally {
      await server.dispose();
    }
    // Two server starts and three create-admin processes (each hashing with argon2): past the
    // default 60 s on a loaded 2-core machine.
  }, 180_000);
});
