import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';
import { acquireDataDirLock, type DataDirLock } from './pglite-lock';

export type Schema = typeof schema;
/** A database or a transaction: every query function takes one, so writes compose into one transaction. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** Where the data lives, for messages: the PGlite folder, or the PostgreSQL URL without its password. */
  location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Runs fn while holding a PostgreSQL advisory lock (a no-op lock on PGlite, which has one process). */
  withLock<T>(key: number, fn: (db: Db) => Promise<T>): Promise<T>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
}

/** The one client factory: PostgreSQL through `pg` when a URL is given, else embedded PGlite. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(path.join(options.dataDir, 'pgdata'), options.dataDir);
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (error) => console.error('[depot] PostgreSQL connection error:', error.message));
  // drizzle's node-postgres and PGlite databases share PgDatabase; only their result HKT differs.
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    location: redactUrl(url),
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
    async withLock(key, fn) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [key]);
        try {
          return await fn(drizzlePg({ client, schema }) as unknown as Db);
        } finally {
          await client.query('select pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
  };
}

async function openPglite(pgdata: string, dataDir: string): Promise<Database> {
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    // PostgreSQL's default 128 MB buffer pool lives in PGlite's WASM heap, which never shrinks;
    // 32 MB holds the embedded default's working set (measured: RSS 787 → 662 MiB at 16 MB with
    // 200k rows). Large fleets belong on PostgreSQL proper.
    client = await PGlite.create(pgdata, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'] });
  } catch (error) {
    lock.release();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    location: pgdata,
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock.release();
      }
    },
    async withLock(_key, fn) {
      return fn(db);
    },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

/*
 * The process's one open database. server.ts opens it before it serves anything and keeps it on
 * globalThis, because Next's bundled route code and server.ts (run by tsx) load separate copies
 * of this module and must still share one PGlite instance (a second one would corrupt it).
 */
const GLOBAL_KEY = Symbol.for('depot.database');
type GlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: Database };

export function setProcessDatabase(database: Database | undefined): void {
  (globalThis as GlobalWithDb)[GLOBAL_KEY] = database;
}

export function getProcessDatabase(): Database {
  const database = (globalThis as GlobalWithDb)[GLOBAL_KEY];
  if (!database) throw new Error('Depot has no open database in this process: start it with server.ts (npm start).');
  return database;
}

export function getDb(): Db {
  return getProcessDatabase().db;
}
