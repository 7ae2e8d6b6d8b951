import type { Db } from '@/db/client';
import { AppError } from '@/lib/errors';
import { lockedUntil, recordFailure, THROTTLE, throttleKey } from '@/lib/users/sign-in-throttle';

export interface EnrolThrottleOptions {
  clientAddress: string;
  /** Called with the seconds to wait when the address is locked, before the 429 is thrown. */
  onLocked: (retryAfterSeconds: number) => void;
  now?: Date;
}

/**
 * Runs an enrolment attempt under the per-address throttle: an address with too many wrong
 * enrolment secrets in 15 minutes gets 429 (with Retry-After) before its secret is looked at,
 * so secrets cannot be guessed at the fast path's speed. Only a refused secret counts
 * (`unauthorized`); bad input and successes do not.
 */
export async function withEnrolThrottle<T>(db: Db, { clientAddress, onLocked, now = new Date() }: EnrolThrottleOptions, attempt: () => Promise<T>): Promise<T> {
  const key = throttleKey.enrolFromAddress(clientAddress);
  const refuse = (until: Date): never => {
    const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    onLocked(seconds);
    throw new AppError('rate_limited', { message: `Too many failed enrolments from ${clientAddress}; try again in ${seconds} s.` });
  };
  const locked = await lockedUntil(db, [key], now);
  if (locked) refuse(locked);
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof AppError && error.code === 'unauthorized') {
      const lock = await recordFailure(db, key, THROTTLE.enrolFromAddress, now);
      if (lock) refuse(lock);
    }
    throw error;
  }
}
