import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { signInThrottle } from '@/db/schema';

export const THROTTLE = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 } as const;

/** When the email is locked out, until when; else null. */
export async function lockedUntil(db: Db, email: string, now: Date): Promise<Date | null> {
  const [row] = await db.select({ lockedUntil: signInThrottle.lockedUntil }).from(signInThrottle).where(eq(signInThrottle.email, email));
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/**
 * Counts a failure in one statement (concurrent failures all count): a new window after 15
 * quiet minutes, a 15-minute lock at the fifth failure in a window. Returns the lock, if any.
 */
export async function recordFailure(db: Db, email: string, now: Date): Promise<Date | null> {
  const windowStart = new Date(now.getTime() - THROTTLE.windowMs);
  const lockEnd = new Date(now.getTime() + THROTTLE.lockMs);
  const expired = sql`${signInThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz`;
  const nextFailures = sql`case when ${expired} then 1 else ${signInThrottle.failures} + 1 end`;
  const [row] = await db
    .insert(signInThrottle)
    .values({ email, failures: 1, windowStartedAt: now, lockedUntil: THROTTLE.maxFailures <= 1 ? lockEnd : null })
    .onConflictDoUpdate({
      target: signInThrottle.email,
      set: {
        failures: nextFailures,
        windowStartedAt: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${signInThrottle.windowStartedAt} end`,
        lockedUntil: sql`case when ${nextFailures} >= ${THROTTLE.maxFailures} then ${lockEnd.toISOString()}::timestamptz else ${signInThrottle.lockedUntil} end`,
      },
    })
    .returning({ lockedUntil: signInThrottle.lockedUntil });
  // Rows for made-up emails must not pile up: now and then, drop day-old ones.
  if (Math.random() < 0.01) await db.delete(signInThrottle).where(lt(signInThrottle.windowStartedAt, new Date(now.getTime() - 86_400_000)));
  return row.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.delete(signInThrottle).where(eq(signInThrottle.email, email));
}
