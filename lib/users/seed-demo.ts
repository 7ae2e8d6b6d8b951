import crypto from 'node:crypto';
import { count } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { createUser } from './create-user';

export const DEMO_USERS = [
  { email: 'admin@depot.test', name: 'Demo Admin', role: 'admin' },
  { email: 'user@depot.test', name: 'Demo User', role: 'user' },
] as const;

export interface DemoSignIn {
  email: string;
  role: string;
  password: string;
}

/**
 * Seeds the demo admin and user into an empty database and returns their sign-ins, to be shown
 * once. The passwords are random unless given (DEPOT_DEMO_ADMIN_PASSWORD / _USER_PASSWORD, for
 * tests and scripted demos): a server listening on the network must not start with a password
 * printed in a README. Nothing is seeded on PostgreSQL unless DEPOT_SEED_DEMO asks for it.
 */
export async function seedDemo(db: Db, passwords: { admin?: string; user?: string } = {}): Promise<DemoSignIn[] | null> {
  const [{ n }] = await db.select({ n: count() }).from(users);
  if (n > 0) return null;
  const signIns: DemoSignIn[] = [];
  for (const demo of DEMO_USERS) {
    const password = passwords[demo.role] ?? crypto.randomBytes(12).toString('base64url');
    await createUser(db, { actor: null, system: true, input: { ...demo, password } });
    signIns.push({ email: demo.email, role: demo.role, password });
  }
  return signIns;
}
