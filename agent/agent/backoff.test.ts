import { describe, expect, it } from 'vitest';
import { BACKOFF, nextDelay, parseRetryAfter } from './backoff';

const poll = { pollSeconds: 60, jitterSeconds: 30 };

describe('nextDelay', () => {
  it('polls at the server’s interval plus a random share of its jitter', () => {
    expect(nextDelay({ ok: true, failures: 0, ...poll, random: () => 0 })).toBe(60_000);
    expect(nextDelay({ ok: true, failures: 0, ...poll, random: () => 0.5 })).toBe(75_000);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const top = (failures: number) => nextDelay({ ok: false, failures, ...poll, random: () => 0.999999 });
    expect([1, 2, 3, 4].map(top)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(top(30)).toBe(BACKOFF.capMs);
    expect(nextDelay({ ok: false, failures: 5, ...poll, random: () => 0 })).toBe(0); // full jitter: anywhere from 0
  });

  it('never retries sooner than Retry-After', () => {
    expect(nextDelay({ ok: false, failures: 1, ...poll, random: () => 0.5, retryAfterMs: 120_000 })).toBe(120_000);
    // …but not for weeks, and never past what setTimeout can hold.
    expect(nextDelay({ ok: false, failures: 1, ...poll, random: () => 0.5, retryAfterMs: 40 * 86_400_000 })).toBe(BACKOFF.maxRetryAfterMs);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2027-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 01 Jan 2027 00:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
