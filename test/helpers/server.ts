/**
 * Starts a real Depot server process (server.ts) on a free port with a fresh database: a new
 * PGlite folder by default, or a new PostgreSQL database when DATABASE_URL is set (created here,
 * dropped at the end). Tests drive it over HTTP and check rows with `inspect`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Db } from '@/db/client';
import { demoAdmin, demoUser } from './demo';

export const projectDir = fileURLToPath(new URL('../..', import.meta.url));

export interface TestServer {
  url: string;
  port: number;
  /** The server process's pid while it runs (benchmarks read its memory). */
  pid(): number | undefined;
  dataDir: string;
  databaseUrl?: string;
  output(): string;
  /** Stops the process (SIGTERM) and waits for it; returns its exit code. */
  stop(): Promise<number | null>;
  /** Starts the process again on the same database and port. */
  restart(): Promise<void>;
  /** Opens the database beside the server (PGlite: only while it is stopped) and runs fn. */
  inspect<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Stops the server and removes its database and folder. */
  dispose(): Promise<void>;
}

export interface StartServerOptions {
  env?: Record<string, string | undefined>;
  /** Ignore DATABASE_URL and use embedded PGlite. */
  pglite?: boolean;
  dataDir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A new, empty PostgreSQL database beside the one at adminUrl; drop() removes it. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `depot_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect().catch((error: Error) => {
    throw new Error(
      `Cannot reach PostgreSQL at DATABASE_URL (${error.message}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  });
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'depot-test-'));
  const adminUrl = options.pglite ? undefined : process.env.DATABASE_URL;
  const pgDb = adminUrl ? await createTestDatabase(adminUrl) : undefined;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    HOST: '127.0.0.1',
    DEPOT_DATA_DIR: dataDir,
    DEPOT_SEED_DEMO: '1',
    DEPOT_DEMO_ADMIN_PASSWORD: demoAdmin.password,
    DEPOT_DEMO_USER_PASSWORD: demoUser.password,
    DATABASE_URL: pgDb?.url ?? '',
    // Required on PostgreSQL (on PGlite the server keeps its own in the data folder); one per
    // test server, kept across its restarts.
    NEXTAUTH_SECRET: pgDb ? (process.env.NEXTAUTH_SECRET ?? crypto.randomBytes(32).toString('base64url')) : process.env.NEXTAUTH_SECRET,
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else Object.assign(env, { [k]: v });
  }
  let child: ChildProcess | undefined;
  let log = '';

  const launch = async () => {
    log = '';
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: projectDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    // Ready when the welcome line appears; failed when the process exits first or 180 s pass (a
    // start took over 90 s on a 2-core machine busy with other test runs).
    let timer: NodeJS.Timeout | undefined;
    let onData: (() => void) | undefined;
    await new Promise<void>((resolve, reject) => {
      onData = () => {
        if (log.includes('is ready in')) resolve();
      };
      proc.stdout.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready:\n${log}`)));
      timer = setTimeout(() => reject(new Error(`server not ready after 180 s:\n${log}`)), 180_000);
    }).finally(() => {
      clearTimeout(timer);
      if (onData) proc.stdout.off('data', onData);
    });
    proc.removeAllListeners('exit');
  };

  const stop = async (): Promise<number | null> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return c?.exitCode ?? null;
    const done = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    const code = await done;
    clearTimeout(timer);
    return code;
  };

  await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: () => child?.pid,
    dataDir,
    databaseUrl: pgDb?.url,
    output: () => log,
    stop,
    restart: launch,
    async inspect(fn) {
      const database = await openDatabase({ databaseUrl: pgDb?.url, dataDir });
      try {
        return await fn(database.db);
      } finally {
        await database.close();
      }
    },
    async dispose() {
      await stop();
      await pgDb?.drop();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
