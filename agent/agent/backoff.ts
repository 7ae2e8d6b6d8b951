/**
 * When the daemon's next round starts. After a good round: the server's poll interval plus a
 * random share of its jitter, so a fleet does not poll in step. After a failure: capped
 * exponential back-off with full jitter (a random delay up to the cap of this attempt), and never
 * sooner than the server's Retry-After.
 */
export const BACKOFF = { baseMs: 5_000, capMs: 5 * 60_000, maxRetryAfterMs: 60 * 60_000 } as const;

export interface DelayInput {
  ok: boolean;
  /** Failures in a row, counting this one. */
  failures: number;
  pollSeconds: number;
  jitterSeconds: number;
  retryAfterMs?: number;
  random: () => number;
}

export function nextDelay({ ok, failures, pollSeconds, jitterSeconds, retryAfterMs, random }: DelayInput): number {
  if (ok) return Math.round(pollSeconds * 1000 + random() * jitterSeconds * 1000);
  const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, failures - 1));
  // A Retry-After of weeks (or past setTimeout's 2^31 ms, which would fire at once) is capped at an hour.
  return Math.max(Math.round(random() * ceiling), Math.min(retryAfterMs ?? 0, BACKOFF.maxRetryAfterMs));
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
