/**
 * A migrated database of its own for tests that work below the server (triggers, constraints):
 * a new PostgreSQL database when DATABASE_URL is set, else a PGlite folder, so the same test
 * runs on both. No server process: the test's own connection is the only client.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { createTestDatabase } from './server';

export interface TestDatabase {
  database: Database;
  /** The PostgreSQL URL (for extra connections), or undefined on PGlite. */
  url?: string;
  dispose(): Promise<void>;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-db-test-'));
  const pg = process.env.DATABASE_URL ? await createTestDatabase(process.env.DATABASE_URL) : undefined;
  const database = await openDatabase({ databaseUrl: pg?.url, dataDir });
  await migrateDatabase(database);
  return {
    database,
    url: pg?.url,
    async dispose() {
      await database.close();
      await pg?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
