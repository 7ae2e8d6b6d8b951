import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { burnPasswordCheck, verifyPassword } from '@/lib/auth/password';
import { clearFailures, lockedUntil, recordFailure, THROTTLE, throttleKey } from './sign-in-throttle';

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(200) });

export type SignInResult = { ok: true; user: SignedInUser } | { ok: false; lockedUntil: Date | null };

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  sessionVersion: number;
}

/**
 * Checks an email and password from a client address (lib/server/client-address.ts). Any failure
 * (unknown email, wrong password, disabled account, malformed input) looks the same, so the
 * sign-in page cannot be used to probe accounts. Failures lock the email from that address only
 * (so nobody elsewhere can lock the real user out), and the address as a whole after a spray over
 * many emails (lib/users/sign-in-throttle.ts); a locked attempt is refused before its password is
 * checked.
 */
export async function verifyCredentials(db: Db, input: unknown, clientAddress: string, now = new Date()): Promise<SignInResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, lockedUntil: null };
  const { email, password } = parsed.data;
  const pairKey = throttleKey.emailFromAddress(email, clientAddress);
  const addressKey = throttleKey.address(clientAddress);
  const locked = await lockedUntil(db, [pairKey, addressKey], now);
  if (locked) return { ok: false, lockedUntil: locked };
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const good = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (!user || !good || user.disabled) {
    const pairLock = await recordFailure(db, pairKey, THROTTLE.emailFromAddress, now);
    const addressLock = await recordFailure(db, addressKey, THROTTLE.address, now);
    if (pairLock && user) {
      await writeAudit(db, {
        actor: null,
        action: 'user.sign_in_locked',
        targetType: 'user',
        targetId: user.id,
        targetLabel: user.email,
        after: { lockedUntil: pairLock.toISOString(), clientAddress },
      });
    }
    const locks = [pairLock, addressLock].filter((d): d is Date => d !== null);
    return { ok: false, lockedUntil: locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null };
  }
  // The address's count is not cleared: one good account must not reset a spray's count.
  await clearFailures(db, pairKey);
  await db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}
