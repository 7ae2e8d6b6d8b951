import { fileURLToPath } from 'node:url';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database } from './client';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
// Any fixed number: servers starting together take turns, so each migration runs once.
const MIGRATION_LOCK = 0x6465706f; // "depo"

/** The one migrate step, run at start on PostgreSQL and PGlite alike. */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  await database.withLock(MIGRATION_LOCK, (db) => migratePg(db as unknown as NodePgDatabase, { migrationsFolder }));
}
