import net from 'node:net';
import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { failureThrottle } from '@/db/schema';

export interface ThrottleRule {
  /** Failures within windowMs that lock the key. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

const MINUTES_15 = 15 * 60_000;

/**
 * The rules, per key:
 * - an email from one client address: 5 failures lock that pair, so guessing one password is
 *   slow, while the real user at another address still signs in;
 * - a client address across every email: 20 failures lock the address, so a spray over many
 *   emails from one address does not get unlimited guesses;
 * - a client address's failed enrolments (a wrong enrolment secret): 20 lock the address.
 */
export const THROTTLE = {
  emailFromAddress: { maxFailures: 5, windowMs: MINUTES_15, lockMs: MINUTES_15 },
  address: { maxFailures: 20, windowMs: MINUTES_15, lockMs: MINUTES_15 },
  enrolFromAddress: { maxFailures: 20, windowMs: MINUTES_15, lockMs: MINUTES_15 },
} as const satisfies Record<string, ThrottleRule>;

/**
 * The part of a client address that one client controls: an IPv4 address whole (an IPv4-mapped
 * IPv6 address as IPv4), an IPv6 address by its /64 prefix, since one host or home is given a
 * whole /64 and can rotate through it at will. Anything else (not an IP) is used as it is.
 */
export function addressKeyPart(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && net.isIPv4(mapped[1])) return mapped[1];
  if (!net.isIPv6(address)) return address;
  const text = address.split('%')[0].toLowerCase(); // no zone index
  const [head, tail = ''] = text.split('::');
  const left = head ? head.split(':') : [];
  // A dotted IPv4 tail (64:ff9b::192.0.2.1) fills two groups; only the first four matter here.
  const right = tail ? tail.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [];
  const groups = text.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

// The email is JSON-quoted so that no email can spell another email's key or prefix.
const emailPrefix = (email: string) => `sign-in:${JSON.stringify(email)}:`;
export const throttleKey = {
  emailFromAddress: (email: string, address: string) => `${emailPrefix(email)}${addressKeyPart(address)}`,
  address: (address: string) => `sign-in-address:${addressKeyPart(address)}`,
  enrolFromAddress: (address: string) => `enrol-address:${addressKeyPart(address)}`,
};

/**
 * Counts an attempt before its password is checked, in one statement, so parallel guesses each
 * get their own number: only the first maxFailures within a window go on to be checked
 * (`allowed`), however many arrive at once. The maxFailures-th attempt sets the lock, which a
 * success takes back (takeBackAttempt); while a lock is in force every attempt counts above the
 * limit, even after the window itself has passed. Returns the lock to report when refused.
 */
export async function countAttempt(db: Db, key: string, rule: ThrottleRule, now: Date): Promise<{ allowed: boolean; lockedUntil: Date | null }> {
  const windowStart = new Date(now.getTime() - rule.windowMs);
  const lockEnd = new Date(now.getTime() + rule.lockMs);
  const nowText = now.toISOString();
  const lockInForce = sql`coalesce(${failureThrottle.lockedUntil} > ${nowText}::timestamptz, false)`;
  const expired = sql`${failureThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz`;
  const next = sql`case when ${lockInForce} then greatest(${failureThrottle.failures}, ${rule.maxFailures}) + 1 when ${expired} then 1 else ${failureThrottle.failures} + 1 end`;
  const [row] = await db
    .insert(failureThrottle)
    .values({ key, failures: 1, windowStartedAt: now, lockedUntil: rule.maxFailures <= 1 ? lockEnd : null })
    .onConflictDoUpdate({
      target: failureThrottle.key,
      set: {
        failures: next,
        windowStartedAt: sql`case when not ${lockInForce} and ${expired} then ${nowText}::timestamptz else ${failureThrottle.windowStartedAt} end`,
        lockedUntil: sql`case when ${lockInForce} then ${failureThrottle.lockedUntil} when ${next} >= ${rule.maxFailures} then ${lockEnd.toISOString()}::timestamptz else null end`,
      },
    })
    .returning({ failures: failureThrottle.failures, lockedUntil: failureThrottle.lockedUntil });
  if (Math.random() < 0.01) await db.delete(failureThrottle).where(lt(failureThrottle.windowStartedAt, new Date(now.getTime() - 86_400_000)));
  const lock = row.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
  return { allowed: row.failures <= rule.maxFailures, lockedUntil: lock };
}

/**
 * Takes back an attempt countAttempt counted that turned out not to be a failure (a right
 * password, or one refused by another key before it was checked), and the lock it set, if any:
 * an allowed attempt never found a lock in force, so any lock below the limit is its own.
 */
export async function takeBackAttempt(db: Db, key: string, rule: ThrottleRule): Promise<void> {
  await db
    .update(failureThrottle)
    .set({
      failures: sql`greatest(${failureThrottle.failures} - 1, 0)`,
      lockedUntil: sql`case when ${failureThrottle.failures} - 1 < ${rule.maxFailures} then null else ${failureThrottle.lockedUntil} end`,
    })
    .where(eq(failureThrottle.key, key));
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.delete(failureThrottle).where(eq(failureThrottle.key, key));
}

/** Lifts the email's locks from every address (an admin's password reset). */
export async function clearEmailFailures(db: Db, email: string): Promise<void> {
  const prefix = emailPrefix(email);
  await db.delete(failureThrottle).where(sql`left(${failureThrottle.key}, ${prefix.length}) = ${prefix}`);
}
