import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { burnPasswordCheck, verifyPassword } from '@/lib/auth/password';
import { clearFailures, countAttempt, takeBackAttempt, THROTTLE, throttleKey } from './sign-in-throttle';

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
 * many emails (lib/users/sign-in-throttle.ts).
 *
 * Each attempt is counted on both keys before its password is checked (countAttempt), so
 * parallel guesses cannot all pass a lock check made before any failure is recorded: at most the
 * limit of them reach the password check. An attempt that was not a failure is taken back: a
 * right password takes back its count on the address key (which counts failures only, so users
 * behind one NAT signing in do not lock each other out) and clears the (email, address) key; an
 * attempt refused by one key before its check is taken back from the other.
 */
export async function verifyCredentials(db: Db, input: unknown, clientAddress: string, now = new Date()): Promise<SignInResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, lockedUntil: null };
  const { email, password } = parsed.data;
  const pairKey = throttleKey.emailFromAddress(email, clientAddress);
  const addressKey = throttleKey.address(clientAddress);
  const pair = await countAttempt(db, pairKey, THROTTLE.emailFromAddress, now);
  if (!pair.allowed) return { ok: false, lockedUntil: pair.lockedUntil };
  const address = await countAttempt(db, addressKey, THROTTLE.address, now);
  if (!address.allowed) {
    await takeBackAttempt(db, pairKey, THROTTLE.emailFromAddress);
    return { ok: false, lockedUntil: address.lockedUntil };
  }
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const good = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (!user || !good || user.disabled) {
    if (pair.lockedUntil && user) {
      await writeAudit(db, {
        actor: null,
        action: 'user.sign_in_locked',
        targetType: 'user',
        targetId: user.id,
        targetLabel: user.email,
        after: { lockedUntil: pair.lockedUntil.toISOString(), clientAddress },
      });
    }
    const locks = [pair.lockedUntil, address.lockedUntil].filter((d): d is Date => d !== null);
    return { ok: false, lockedUntil: locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null };
  }
  await takeBackAttempt(db, addressKey, THROTTLE.address);
  await clearFailures(db, pairKey);
  await db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}
