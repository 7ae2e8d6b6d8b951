import { count } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { createUser } from './create-user';

// Known demo sign-ins for the embedded, first-run database only; README lists them and tells
// people to change them. Nothing is seeded on PostgreSQL unless DEPOT_SEED_DEMO asks for it.
export const DEMO_USERS = [
  { email: 'admin@depot.test', name: 'Demo Admin', role: 'admin', password: 'depot-admin-demo' },
  { email: 'user@depot.test', name: 'Demo User', role: 'user', password: 'depot-user-demo' },
] as const;

/** Seeds the demo users into an empty database; returns whether it did. */
export async function seedDemo(db: Db): Promise<boolean> {
  const [{ n }] = await db.select({ n: count() }).from(users);
  if (n > 0) return false;
  for (const demo of DEMO_USERS) {
    await createUser(db, { actor: null, system: true, input: { ...demo } });
  }
  return true;
}
