import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { burnPasswordCheck, verifyPassword } from '@/lib/auth/password';

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(200) });

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  sessionVersion: number;
}

/**
 * Checks an email and password. Any failure (unknown email, wrong password, disabled account,
 * malformed input) is the same `null`, so the sign-in page cannot be used to probe accounts.
 */
export async function verifyCredentials(db: Db, input: unknown): Promise<SignedInUser | null> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  if (!user) {
    await burnPasswordCheck(password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password)) || user.disabled) return null;
  await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, user.id));
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}
