import type { Db } from '@/db/client';
import { expireDue, type Expired } from '@/lib/assignments/expire-due';

export interface Sweeper {
  /** Runs one sweep now (also what the timer calls). */
  runOnce(): Promise<Expired>;
  stop(): void;
}

/**
 * Wakes time-based changes up: the rows decide what is due (expireDue), this only makes sure
 * somebody looks at least every `everyMs`. Every server runs one; they do each other no harm.
 * A failed sweep is logged and retried on the next tick, never fatal.
 */
export function startSweeper(db: Db, { everyMs, log = console.error, now = () => new Date() }: { everyMs: number; log?: (...args: unknown[]) => void; now?: () => Date }): Sweeper {
  let running: Promise<Expired> | null = null;
  const runOnce = () => {
    // One sweep at a time per process: a slow one is not stacked on by the next tick.
    running ??= expireDue(db, now()).finally(() => {
      running = null;
    });
    return running;
  };
  const timer = everyMs > 0 ? setInterval(() => void runOnce().catch((error: unknown) => log('[depot] expiry sweep failed:', error)), everyMs) : null;
  timer?.unref();
  return {
    runOnce,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
