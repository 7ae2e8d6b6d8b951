/**
 * Issue #14: the session signing secret is not in the database. PostgreSQL needs NEXTAUTH_SECRET
 * (shared by every server); PGlite keeps a generated one in a 0600 file in its data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { rowsOf } from '@/lib/sql';
import { demoAdmin } from './helpers/demo';
import { api, mustSignIn } from './helpers/http';
import { startServer, type TestServer } from './helpers/server';

let server: TestServer | undefined;
afterAll(async () => {
  await server?.dispose();
});

describe('session signing secret', () => {
  it('on PostgreSQL, a start without NEXTAUTH_SECRET stops with a message naming it', async () => {
    // The environment is checked before any connection, so no database needs to be there.
    const start = startServer({ pglite: true, env: { DATABASE_URL: 'postgres://depot@127.0.0.1:1/none', NEXTAUTH_SECRET: undefined } });
    await expect(start).rejects.toThrow(/server exited with 1 before it was ready:[^]*NEXTAUTH_SECRET: required with DATABASE_URL/);
  });

  it('on PGlite, lives in a 0600 file in the data folder, not in the database, and survives a restart', async () => {
    server = await startServer({ pglite: true, env: { NEXTAUTH_SECRET: undefined } });
    const file = path.join(server.dataDir, 'auth-secret');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const secret = fs.readFileSync(file, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const session = await mustSignIn(server.url, demoAdmin.email, demoAdmin.password);

    await server.stop();
    // The table that held it (until migration 0015) is gone.
    const table = await server.inspect(async (db) => rowsOf<{ t: string | null }>(await db.execute(sql`select to_regclass('public.server_settings')::text as t`))[0].t);
    expect(table).toBeNull();
    await server.restart();
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(secret);
    expect((await api(server.url, '/api/users', { session })).status).toBe(200);
  }, 420_000); // two starts of a server
});
