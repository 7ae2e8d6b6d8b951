import type { Db } from '@/db/client';
import { AppError } from '@/lib/errors';
import { countAttempt, takeBackAttempt, THROTTLE, throttleKey } from '@/lib/users/sign-in-throttle';

export interface EnrolThrottleOptions {
  clientAddress: string;
  /** Called with the seconds to wait when the address is locked, before the 429 is thrown. */
  onLocked: (retryAfterSeconds: number) => void;
  now?: Date;
}

/**
 * Runs an enrolment attempt under the per-address throttle: an address with too many wrong
 * enrolment secrets in 15 minutes gets 429 (with Retry-After) before its secret is looked at,
 * so secrets cannot be guessed at the fast path's speed. The attempt is counted before the
 * secret is checked (as sign-ins are), so parallel guesses cannot all pass the check; an attempt
 * that was not a refused secret (a success, bad input) is taken back.
 */
export async function withEnrolThrottle<T>(db: Db, { clientAddress, onLocked, now = new Date() }: EnrolThrottleOptions, attempt: () => Promise<T>): Promise<T> {
  const key = throttleKey.enrolFromAddress(clientAddress);
  const rule = THROTTLE.enrolFromAddress;
  const refuse = (until: Date | null): never => {
    const seconds = Math.max(1, Math.ceil(((until?.getTime() ?? now.getTime() + rule.lockMs) - now.getTime()) / 1000));
    onLocked(seconds);
    throw new AppError('rate_limited', { message: `Too many failed enrolments from ${clientAddress}; try again in ${seconds} s.` });
  };
  const counted = await countAttempt(db, key, rule, now);
  if (!counted.allowed) refuse(counted.lockedUntil);
  try {
    const result = await attempt();
    await takeBackAttempt(db, key, rule);
    return result;
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'unauthorized')) await takeBackAttempt(db, key, rule);
    // The failure that reached the limit answers as locked, as the next ones will.
    else if (counted.lockedUntil) refuse(counted.lockedUntil);
    throw error;
  }
}
