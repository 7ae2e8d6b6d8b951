import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { burnPasswordCheck, verifyPassword } from '@/lib/auth/password';
import { clearFailures, lockedUntil, recordFailure } from './sign-in-throttle';

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(200) });

export type SignInResult = { ok: true; user: SignedInUser } | { ok: false; lockedUntil: Date | null };

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  sessionVersion: number;
}

/**
 * Checks an email and password. Any failure (unknown email, wrong password, disabled account,
 * malformed input) looks the same, so the sign-in page cannot be used to probe accounts; after
 * five failures for one email in 15 minutes that email is locked for 15 minutes, known or not.
 */
export async function verifyCredentials(db: Db, input: unknown, now = new Date()): Promise<SignInResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, lockedUntil: null };
  const { email, password } = parsed.data;
  const locked = await lockedUntil(db, email, now);
  if (locked) return { ok: false, lockedUntil: locked };
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const good = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (!user || !good || user.disabled) {
    const lock = await recordFailure(db, email, now);
    if (lock && user) {
      await writeAudit(db, { actor: null, action: 'user.sign_in_locked', targetType: 'user', targetId: user.id, targetLabel: user.email, after: { lockedUntil: lock.toISOString() } });
    }
    return { ok: false, lockedUntil: lock };
  }
  await clearFailures(db, email);
  await db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}
